"""Run an upload's parse in a worker process: with a time limit, and below the server's priority.

Why a process and not the script's own thread: a Streamlit script runs in a thread of the
server process, and reading and checking a 10 MB CSV holds the GIL for about 3.4 s here
(1.9 s to read, 1.5 s to check) while the workshop room's event loop, in the same process,
waits to answer phones. A worker process has its own interpreter, runs at nice 10 so that the
server gets the CPU first on a busy machine, and can be killed when it runs too long, which a
thread cannot.

Why `python -m carelab.indicators.worker` and not multiprocessing: multiprocessing's children
re-import the parent's `__main__`, which under Streamlit is the page being run. A fresh
interpreter costs about 0.5 s (importing pandas), paid once per file and mapping: the page
keeps each result for the session.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from carelab.errors import CareLabError
from carelab.indicators.errors import TooBusy, TooSlow, UploadError

# A 10 MB file takes about 3.4 s on an idle core and about 7 s with three at once on two busy
# cores (docs/performance.md); a minute leaves room for a slow machine, not for a runaway.
SECONDS = 60
# Parses one server process runs at once; more wait for a free worker, up to WAIT_SECONDS.
WORKERS = 2
WAIT_SECONDS = 30
NICE = 10

T = TypeVar("T")
log = logging.getLogger(__name__)

_slots = threading.BoundedSemaphore(WORKERS)


class WorkerFailed(RuntimeError):
    """The worker raised something that is not a CareLabError: a bug, with its traceback."""


def run(function: Callable[..., T], *args: Any, seconds: float = SECONDS) -> T:
    """Return `function(*args)` computed in a worker process.

    Raises the worker's CareLabError as it was raised, TooSlow past `seconds`, and TooBusy when
    no worker comes free within WAIT_SECONDS. `function` must be importable by name.
    """
    if not _slots.acquire(timeout=WAIT_SECONDS):
        raise TooBusy(
            [
                "CareLab is reading other people's files just now and none finished within "
                f"{WAIT_SECONDS} seconds; try again in a minute"
            ]
        )
    try:
        return _run(function, args, seconds)
    finally:
        _slots.release()


def _run(function: Callable[..., T], args: tuple[Any, ...], seconds: float) -> T:
    job = pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL)
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no user input
        [sys.executable, "-m", __name__],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = process.communicate(job, timeout=seconds)
    except subprocess.TimeoutExpired:
        raise TooSlow(
            [
                f"reading this file took longer than {seconds:g} seconds, so CareLab stopped; "
                "try a smaller file (fewer rows or columns)"
            ]
        ) from None
    finally:
        if process.poll() is None:  # past the limit, or this thread was interrupted
            process.kill()
            process.communicate()
    if process.returncode != 0 or not out:
        code = process.returncode
        log.error("upload worker exited with %s: %s", code, err.decode(errors="replace")[-2000:])
        raise UploadError(
            [f"CareLab could not read this file: its reader stopped (exit code {code})"]
        )
    outcome, value = pickle.loads(out)  # noqa: S301 - our own child's answer, never a user's bytes
    if outcome == "ok":
        return value
    if outcome == "error":
        raise value
    raise WorkerFailed(value)


def _work() -> None:
    """The worker's whole life: lower its priority, run one job, write back what happened."""
    os.nice(NICE)
    function, args = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - sent by our parent
    try:
        result: tuple[str, Any] = ("ok", function(*args))
    except CareLabError as exc:
        result = ("error", exc)
    except Exception:
        result = ("bug", traceback.format_exc())
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _work()
