"""Assignment and Grade Services: a completed module's score, queued and sent to the LMS.

On a module's `completed` learning event, one row per line item the learner launched the
module with goes into the grade outbox (store/lti_grades.py) in its own short write; the
learner never waits on the LMS. A background sender (`start_sender`) wakes every
POLL_SECONDS, leases due rows, gets an access token from each platform (OAuth 2 client
credentials with a JWT assertion signed by CareLab's key), and POSTs the score to the line
item's /scores endpoint. A failure is kept (`last_error`, shown to administrators) and
tried again after RETRY_FIRST_SECONDS, doubling up to RETRY_MAX_SECONDS; nothing is lost
while the LMS is down.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from typing import Any

from carelab.integration.lti import keys
from carelab.integration.lti.errors import GradeSendFailed
from carelab.learning.events import LearningEvent, on_learning_event
from carelab.store import Connection, lti_grades
from carelab.store import db as store_db
from carelab.store import lti as store

log = logging.getLogger(__name__)
SCORE_MAXIMUM = 100
POLL_SECONDS = 3.0
LEASE_SECONDS = 60.0
BATCH = 20
RETRY_FIRST_SECONDS = 30.0
RETRY_MAX_SECONDS = 3600.0
HTTP_TIMEOUT_SECONDS = 10
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def queue_completion(db: Connection, event: LearningEvent) -> int:
    """Queue a completed module's score for each line item it was launched with; how many."""
    if event.kind != "completed" or event.activity_kind != "module":
        return 0
    queued = 0
    score = None
    if event.score_scaled is not None:
        score = round(max(0.0, min(1.0, event.score_scaled)) * SCORE_MAXIMUM, 2)
    for item in store.line_items_for(db, event.user_id, "module", event.activity_id):
        queued += lti_grades.enqueue(
            db,
            {"platform_id": item["platform_id"], "lineitem_url": item["lineitem_url"],
             "sub": item["sub"], "user_id": event.user_id, "activity_id": event.activity_id,
             "attempt_id": event.attempt_id, "score_given": score,
             "score_maximum": SCORE_MAXIMUM, "completed_at": event.at,
             "next_try_at": event.at, "created_at": time.time()},
        )  # fmt: skip
    return queued


def _on_event(event: LearningEvent) -> None:
    if event.kind == "completed" and event.activity_kind == "module":
        with store_db.session() as db:
            queue_completion(db, event)


on_learning_event(_on_event)


def retry_delay(tries: int) -> float:
    """Seconds before the next try after `tries` failures: 30 s doubling, at most an hour."""
    return min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** max(0, tries - 1))


def _post(url: str, data: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        raise GradeSendFailed(f"{url} answered {exc.code}: {exc.read(300)!r}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise GradeSendFailed(f"could not reach {url}: {exc}") from exc


def access_token(db: Connection, platform: dict[str, Any], now: float) -> str:
    """An AGS access token from the platform's token URL (client credentials, JWT assertion)."""
    assertion = keys.sign(
        db,
        {"iss": platform["client_id"], "sub": platform["client_id"],
         "aud": platform["token_url"], "iat": int(now), "exp": int(now) + 300,
         "jti": secrets.token_urlsafe(16)},
    )  # fmt: skip
    form = urllib.parse.urlencode({
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
        "scope": SCORE_SCOPE,
    }).encode()  # fmt: skip
    _, body = _post(
        platform["token_url"], form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        token = json.loads(body)["access_token"]
    except (ValueError, KeyError, TypeError) as exc:
        raise GradeSendFailed(f"{platform['token_url']} gave no access_token") from exc
    return str(token)


def score_url(lineitem_url: str) -> str:
    """The line item's scores endpoint: its path with /scores appended, query kept."""
    parts = urllib.parse.urlsplit(lineitem_url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def score_document(row: dict[str, Any]) -> dict[str, Any]:
    """The AGS Score for an outbox row."""
    document: dict[str, Any] = {
        "userId": row["sub"],
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": datetime.fromtimestamp(row["completed_at"], UTC).isoformat(),
    }
    if row["score_given"] is not None:
        document["scoreGiven"] = row["score_given"]
        document["scoreMaximum"] = row["score_maximum"]
    return document


def _send(row: dict[str, Any], token: str) -> None:
    _post(
        score_url(row["lineitem_url"]),
        json.dumps(score_document(row)).encode(),
        {"Content-Type": SCORE_TYPE, "Authorization": f"Bearer {token}"},
    )


def send_due(db: Connection, now: float | None = None) -> tuple[int, int]:
    """Send the scores that are due; return (sent, failed)."""
    now = time.time() if now is None else now
    rows = lti_grades.claim_due(db, now, LEASE_SECONDS, BATCH)
    tokens: dict[int, str] = {}
    sent = failed = 0
    for row in rows:
        try:
            platform = store.platform(db, int(row["platform_id"]))
            if platform is None:
                continue  # removed: its rows went with it (ON DELETE CASCADE)
            if row["platform_id"] not in tokens:
                tokens[row["platform_id"]] = access_token(db, platform, now)
            _send(row, tokens[row["platform_id"]])
        except GradeSendFailed as exc:
            failed += 1
            log.warning("LTI score %s not sent (try %s): %s", row["id"], row["tries"] + 1, exc)
            lti_grades.mark_failed(db, row["id"], str(exc), now + retry_delay(row["tries"] + 1))
            continue
        lti_grades.mark_sent(db, row["id"], time.time())
        sent += 1
    return sent, failed


def _loop(stop: threading.Event) -> None:
    while not stop.wait(POLL_SECONDS):
        try:
            with store_db.session() as db:
                send_due(db)
        except Exception:  # the sender must outlive a bad moment (database busy, a bug)
            log.exception("the LTI grade sender failed; it will try again")


def start_sender(stop: threading.Event) -> threading.Thread:
    """Start the background grade sender; it ends when `stop` is set."""
    thread = threading.Thread(target=_loop, args=(stop,), name="carelab-lti-grades", daemon=True)
    thread.start()
    return thread
