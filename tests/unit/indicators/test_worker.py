"""Upload workers: the parse runs in another process, below the server's priority, and stops
when it runs too long; its named errors come back as they were raised."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

import pytest

from carelab.indicators import upload, worker
from carelab.indicators.errors import TooBusy, TooSlow, UploadError
from tests.conftest import AE_CSV


def test_the_job_runs_in_another_process_at_a_lower_priority():
    assert worker.run(os.getpid) != os.getpid()
    assert worker.run(os.nice, 0) == os.nice(0) + worker.NICE


def test_an_upload_read_in_a_worker_is_the_same_as_one_read_here():
    data = AE_CSV.read_bytes()
    summary, guess, checked = worker.run(upload.prepare, data, "ae.csv", "proportion")
    assert summary.rows == 12_765
    assert checked.equals(upload.clean(upload.read_csv_bytes(data, "ae.csv"), guess))


def test_named_errors_come_back_with_every_problem():
    data = b"provider,numerator,denominator\n" + b"".join(b"P%d,x,1\n" % i for i in range(25))
    mapping = upload.ColumnMapping("proportion", "provider", "numerator", "denominator")
    with pytest.raises(UploadError) as caught:
        worker.run(upload.read_and_clean, data, "bad.csv", mapping)
    assert caught.value.total == 25
    assert caught.value.problems[0] == "row 2, column 'numerator': 'x' is not a number"
    assert caught.value.problems[-1] == "and 5 more"


def test_a_job_past_its_time_limit_is_stopped_and_its_process_is_gone(monkeypatch):
    started: list[subprocess.Popen] = []
    popen = subprocess.Popen

    def recorded(*args, **kwargs) -> subprocess.Popen:
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(worker.subprocess, "Popen", recorded)
    with pytest.raises(TooSlow) as caught:
        worker.run(time.sleep, 600, seconds=2)
    assert caught.value.problems == [
        "reading this file took longer than 2 seconds, so CareLab stopped; try a smaller file "
        "(fewer rows or columns)"
    ]
    assert [process.returncode for process in started] == [-signal.SIGKILL]


def test_a_bug_in_the_job_is_not_hidden_as_a_users_problem():
    with pytest.raises(worker.WorkerFailed, match="ValueError: invalid literal"):
        worker.run(int, "not a number")


def test_when_every_worker_is_busy_the_next_file_waits_then_hears_why(monkeypatch):
    monkeypatch.setattr(worker, "_slots", threading.BoundedSemaphore(1))
    monkeypatch.setattr(worker, "WAIT_SECONDS", 0.1)
    assert worker._slots.acquire()
    try:
        with pytest.raises(TooBusy) as caught:
            worker.run(os.getpid)
    finally:
        worker._slots.release()
    assert caught.value.problems == [
        "CareLab is reading other people's files just now and none finished within 0.1 seconds; "
        "try again in a minute"
    ]
    assert worker.run(os.getpid) != os.getpid()
