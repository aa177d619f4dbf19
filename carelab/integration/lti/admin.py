"""What the admin page and its LTI section do, each in its own database session: platforms,
the tool's URLs, the signing key, and the grades sent to LMSs (with retry)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from carelab.auth import User
from carelab.errors import PermissionDenied
from carelab.integration.lti import dynamic, registration
from carelab.integration.lti.registration import Platform
from carelab.store import db as store_db
from carelab.store import lti as store
from carelab.store import lti_grades, lti_links


@dataclass(frozen=True)
class GradeStatus:
    """Scores sent to LMSs: how many are sent, waiting and failing, and the unsent ones."""

    sent: int
    waiting: int
    failing: int
    unsent: list[dict[str, Any]]


def _check(admin: User) -> None:
    if not admin.can("admin"):
        raise PermissionDenied("Only an administrator can manage LTI platforms.")


def platforms(admin: User) -> list[Platform]:
    """The registered platforms, oldest first."""
    _check(admin)
    with store_db.session() as db:
        return registration.list_platforms(db)


def add_platform(admin: User, fields: dict[str, str]) -> Platform:
    """Register a platform from the form's fields; RegistrationError lists every problem."""
    _check(admin)
    with store_db.session() as db:
        return registration.add_platform(
            db, fields["issuer"], fields["client_id"],
            registration.split_ids(fields["deployment_ids"]), fields["jwks_url"],
            fields["auth_url"], fields["token_url"],
        )  # fmt: skip


def remove_platform(admin: User, platform_id: int) -> bool:
    """Remove a platform with its launches and queued grades; whether it was there."""
    _check(admin)
    with store_db.session() as db:
        return registration.remove_platform(db, platform_id)


def grade_status(admin: User) -> GradeStatus:
    """Counts of sent, waiting and failing scores, and the unsent ones, newest first."""
    _check(admin)
    with store_db.session() as db:
        counts = lti_grades.counts(db)
        return GradeStatus(**counts, unsent=lti_grades.grades(db, unsent_only=True))


def retry_grades(admin: User, grade_id: int | None = None) -> int:
    """Make one unsent score (or all) due now; return how many."""
    _check(admin)
    with store_db.session() as db:
        return lti_grades.retry_now(db, time.time(), grade_id)


def signing_keys(admin: User) -> list[dict[str, Any]]:
    """CareLab's signing keys (kid, created, retired), newest first; no private parts."""
    _check(admin)
    with store_db.session() as db:
        return store.keys(db)


def make_registration_link(admin: User, base_url: str, hours: float = dynamic.LINK_HOURS) -> str:
    """A one-time LTI Dynamic Registration URL for an LMS, valid for `hours`."""
    _check(admin)
    with store_db.session() as db:
        return dynamic.make_link(db, base_url, admin.id, hours)


def open_registration_links(admin: User) -> int:
    """How many registration links are unused and unexpired."""
    _check(admin)
    with store_db.session() as db:
        return lti_links.open_count(db, time.time())


def revoke_registration_links(admin: User) -> int:
    """End every unused registration link now; how many there were."""
    _check(admin)
    with store_db.session() as db:
        return lti_links.revoke_open(db, time.time())
