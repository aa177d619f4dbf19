"""Time on task: the learner's active time in the module player, which certificates attest.

Every run of the player page for a signed-in learner is one of their actions (opening a
step, checking an answer, saving a reflection, moving on). The time between two actions
counts, up to `GAP_CAP_SECONDS`: someone reading a case for 12 minutes gets 12, and a tab
left open overnight adds at most 15 minutes when its owner comes back. The certificate
attests this time, at most carelab.learning.certificate.ATTESTED_CAP_FACTOR times the
module's estimated duration.
"""

from __future__ import annotations

import time

from carelab.learning.records import Attempt
from carelab.store import Connection, activity

# The longest pause that still counts as work. The longest stretch with no action in the
# shipped modules is reading a case in a case step before its questions: about 13 minutes
# at 200 words a minute (Kaiser Permanente, 2,668 words; the longest text step is 3), and
# a written reflection is allowed 10. 15 minutes covers both at that pace; a tab left open
# adds at most that much, and the certificate caps the total anyway.
GAP_CAP_SECONDS = 15 * 60.0


def record_action(db: Connection, attempt: Attempt, now: float | None = None) -> None:
    """Count the time since the learner's previous action in this attempt."""
    activity.record_action(db, attempt.id, time.time() if now is None else now, GAP_CAP_SECONDS)


def active_minutes(db: Connection, attempt: Attempt) -> int:
    """The attempt's active time so far, in whole minutes (rounded half up)."""
    return int(activity.active_seconds(db, attempt.id) / 60 + 0.5)


def active_seconds(db: Connection, attempt: Attempt) -> float:
    """The attempt's active time so far, in seconds."""
    return activity.active_seconds(db, attempt.id)
