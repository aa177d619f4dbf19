"""What an administrator sees and does about xAPI: the admin page and `carelab xapi` call these."""

from __future__ import annotations

import time
from dataclasses import dataclass

from carelab.integration.xapi import settings
from carelab.integration.xapi.sender import Report, Sender
from carelab.store import db as store_db
from carelab.store import xapi as store
from carelab.store.xapi import OutboxStatus


@dataclass(frozen=True)
class XapiStatus:
    """Whether xAPI is on, where it sends, what stops it, and the outbox's counts."""

    enabled: bool
    endpoint: str
    problem: str | None
    outbox: OutboxStatus


def status() -> XapiStatus:
    """The LRS settings and the outbox at a glance."""
    with store_db.session() as db:
        outbox = store.status(db)
    lrs = settings.Lrs.from_config()
    label = lrs.label if lrs.endpoint else ""
    return XapiStatus(settings.enabled(), label, settings.problem(), outbox)


def retry_now() -> int:
    """Make every statement waiting for a retry due at once; return how many."""
    with store_db.session() as db:
        return store.retry_now(db, time.time())


def send_now() -> Report:
    """Send every due statement now, in this process (the background sender does it too)."""
    problem = settings.problem() if settings.enabled() else "CARELAB_XAPI_ENDPOINT is not set."
    if problem:
        return Report(error=problem)
    return Sender(settings.Lrs.from_config()).send_due()
