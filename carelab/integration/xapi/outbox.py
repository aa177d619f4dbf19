"""The learning-event listener that queues xAPI statements (imported by integration.install).

It runs in the learner's request, after their answer has committed, so it only writes rows:
the learner's opaque LRS name (made once) and the event's statements, in one short
transaction of its own. Sending is the background sender's job (sender.py). With no LRS
configured it does nothing at all; without CARELAB_PUBLIC_URL it cannot name activities,
so it queues nothing and says so in the log and on the admin page (settings.problem).
"""

from __future__ import annotations

import json
import logging
import time
import uuid

from carelab.integration.xapi import settings
from carelab.integration.xapi import statements as xapi_statements
from carelab.learning.events import LearningEvent, on_learning_event
from carelab.store import db as store_db
from carelab.store import xapi as store

log = logging.getLogger(__name__)


def record(event: LearningEvent, target: store_db.Target | None = None) -> list[str]:
    """Queue the event's statements for the LRS; return their ids ([] when xAPI is off)."""
    if not settings.enabled():
        return []
    problem = settings.problem()
    if problem:
        log.error("xAPI statement for %s not recorded: %s", event.kind, problem)
        return []
    now = time.time()
    with store_db.session(target) as db, store_db.write_transaction(db):
        actor = store.actor_name(db, event.user_id, str(uuid.uuid4()), now)
        made = xapi_statements.statements_for(event, settings.site_url(), actor)
        store.enqueue(db, event.user_id, [(s["id"], json.dumps(s)) for s in made], now)
    return [s["id"] for s in made]


def _listener(event: LearningEvent) -> None:
    record(event)


on_learning_event(_listener)
