"""The background sender: posts queued xAPI statements to the LRS, with retries.

A daemon thread (started by integration.start_background) wakes every few seconds, claims a
batch of due statements (store.xapi.claim, a lease, so several servers share the work),
POSTs them to {endpoint}/statements with Basic auth and the X-Experience-API-Version
header, and marks them sent, or schedules the next try with exponential backoff and keeps
the error. Statement ids are fixed when queued, so sending again is harmless: an LRS that
already has a statement answers 204 (same content) or 409 (xAPI 1.0.3: a conflicting id),
and either way the statement is in the LRS, so it counts as sent. When a batch is refused
as a whole (400, 409, 413) each statement is sent alone, so one bad statement cannot hold
up the others.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

from carelab.integration.xapi import settings
from carelab.integration.xapi.settings import Lrs
from carelab.integration.xapi.statements import VERSION
from carelab.store import db as store_db
from carelab.store import xapi as store

log = logging.getLogger(__name__)

# 25 statements a POST keeps a body small (about 40 KB) and, sent one by one after a refusal
# at TIMEOUT seconds each, inside the LEASE: no other server takes them meanwhile.
BATCH = 25
TIMEOUT_SECONDS = 10.0
LEASE_SECONDS = 600.0
# The first retry after 30 s, then 1, 2, 4 ... minutes, never more than an hour apart.
BACKOFF_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0
INTERVAL_SECONDS = 5.0


@dataclass(frozen=True)
class Answer:
    """What the LRS said to one POST: the HTTP status (0: no answer) and a short reason."""

    status: int
    reason: str


@dataclass(frozen=True)
class Report:
    """One run of the sender: statements sent, statements that failed, the last error."""

    sent: int = 0
    failed: int = 0
    error: str | None = None


def post(lrs: Lrs, statements: list[dict], timeout: float = TIMEOUT_SECONDS) -> Answer:
    """POST statements to the LRS; its answer (status 0 when it could not be reached)."""
    token = base64.b64encode(f"{lrs.username}:{lrs.password}".encode()).decode("ascii")
    request = urllib.request.Request(  # noqa: S310 (the endpoint is the admin's, http(s) only)
        lrs.statements_url,
        data=json.dumps(statements).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Experience-API-Version": VERSION,
            "Authorization": f"Basic {token}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Answer(response.status, "")
    except urllib.error.HTTPError as exc:
        body = exc.read(300).decode("utf-8", "replace").strip()
        return Answer(exc.code, body)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Answer(0, f"{type(reason).__name__}: {reason}" if reason else type(exc).__name__)


def describe(lrs: Lrs, answer: Answer) -> str:
    """An admin-readable sentence for a failed POST (no credentials in it)."""
    if answer.status == 0:
        return f"The LRS at {lrs.label} could not be reached ({answer.reason})."
    if answer.status in {401, 403}:
        return (
            f"The LRS at {lrs.label} refused CareLab's credentials ({answer.status}): check "
            "CARELAB_XAPI_USERNAME and CARELAB_XAPI_PASSWORD."
        )
    detail = f": {answer.reason}" if answer.reason else ""
    return f"The LRS at {lrs.label} answered {answer.status}{detail}"


def backoff(attempts: int) -> float:
    """Seconds until the next try of a statement that has failed `attempts` times before."""
    return min(BACKOFF_CAP_SECONDS, BACKOFF_SECONDS * 2 ** min(attempts, 20))


class Sender:
    """Sends the outbox to one LRS; one per process (each has its own claim name)."""

    def __init__(self, lrs: Lrs, target: store_db.Target | None = None) -> None:
        self.lrs = lrs
        self.target = target
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def send_due(self, now: float | None = None) -> Report:
        """Send every statement due now, batch after batch, until none is left or one fails."""
        total = Report()
        while True:
            report = self._send_batch(time.time() if now is None else now)
            total = Report(
                total.sent + report.sent, total.failed + report.failed, report.error or total.error
            )
            if report.sent == 0 or report.failed:
                return total

    def _send_batch(self, now: float) -> Report:
        with store_db.session(self.target) as db:
            claimed = store.claim(db, self.name, now, LEASE_SECONDS, BATCH)
        if not claimed:
            return Report()
        answer = post(self.lrs, [json.loads(c.statement) for c in claimed])
        if answer.status in {200, 204}:
            return self._sent(claimed, now)
        if answer.status in {400, 409, 413} and len(claimed) > 1:
            return self._one_by_one(claimed, now)
        if answer.status == 409:
            return self._sent(claimed, now, "The LRS already had a statement with this id (409).")
        return self._failed(claimed, describe(self.lrs, answer), now)

    def _one_by_one(self, claimed: list[store.Claimed], now: float) -> Report:
        sent, failed, error = 0, 0, None
        for one in claimed:
            answer = post(self.lrs, [json.loads(one.statement)])
            if answer.status in {200, 204, 409}:
                note = "The LRS already had a statement with this id (409)."
                sent += self._sent([one], now, note if answer.status == 409 else None).sent
            else:
                error = describe(self.lrs, answer)
                failed += self._failed([one], error, now).failed
        return Report(sent, failed, error)

    def _sent(self, claimed: list[store.Claimed], now: float, note: str | None = None) -> Report:
        with store_db.session(self.target) as db:
            store.mark_sent(db, [c.id for c in claimed], now, note)
        return Report(sent=len(claimed))

    def _failed(self, claimed: list[store.Claimed], error: str, now: float) -> Report:
        log.warning("xAPI: %d statement(s) not sent: %s", len(claimed), error)
        retries = [(c.id, now + backoff(c.attempts)) for c in claimed]
        with store_db.session(self.target) as db:
            store.mark_failed(db, self.name, retries, error, now)
        return Report(failed=len(claimed), error=error)

    def run(self, stop: threading.Event, interval: float = INTERVAL_SECONDS) -> None:
        """Send what is due every `interval` seconds until `stop` is set (the thread's body)."""
        while not stop.is_set():
            try:
                self.send_due()
            except Exception:  # the database went away for a moment: try again next round
                log.exception("xAPI sender: a round failed; trying again in %s s", interval)
            stop.wait(interval)


def start(stop: threading.Event) -> threading.Thread | None:
    """Start the sender's daemon thread when an LRS is configured (else None)."""
    if not settings.enabled():
        return None
    problem = settings.problem()
    if problem:
        log.error("xAPI sender not started: %s", problem)
        return None
    sender = Sender(Lrs.from_config())
    thread = threading.Thread(target=sender.run, args=(stop,), name="xapi-sender", daemon=True)
    thread.start()
    return thread
