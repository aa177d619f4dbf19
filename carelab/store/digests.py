"""The SQL behind the weekly e-mail of due reviews (carelab.learning.digest).

One row per learner who has chosen (opted out) or been sent a digest; no row means the site's
default: they get it. Sending is claimed before the mail goes out, in one conditional upsert,
so that two runs at once (a timer on each server of a cluster) send a learner one digest.
"""

from __future__ import annotations

from typing import Any

from carelab.store.connection import Connection


def opted_out(db: Connection, user_id: int) -> bool:
    """Whether the learner said no to the weekly digest."""
    row = db.execute("SELECT opted_out FROM review_digests WHERE user_id = ?", [user_id]).fetchone()
    return bool(row and row[0])


def set_opted_out(db: Connection, user_id: int, opted_out: bool) -> None:
    """Keep the learner's choice: no digest (True) or the digest (False)."""
    db.execute(
        "INSERT INTO review_digests (user_id, opted_out) VALUES (?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET opted_out = excluded.opted_out",
        [user_id, int(opted_out)],
    )


def recipients(db: Connection, due_before: float, sent_before: float) -> list[dict[str, Any]]:
    """Learners with a review due before `due_before`, not opted out, not sent one since
    `sent_before`: user_id, email, display_name and last_sent_at (None if never)."""
    return list(
        db.query(
            "SELECT u.id AS user_id, u.email, u.display_name, d.last_sent_at "
            "FROM users u LEFT JOIN review_digests d ON d.user_id = u.id "
            "WHERE COALESCE(d.opted_out, 0) = 0 "
            "AND (d.last_sent_at IS NULL OR d.last_sent_at < :sent_before) "
            "AND EXISTS (SELECT 1 FROM review_items r "
            "WHERE r.user_id = u.id AND r.due_at < :due_before) "
            "ORDER BY u.id",
            {"due_before": due_before, "sent_before": sent_before},
        )
    )


def claim(db: Connection, user_id: int, now: float, sent_before: float) -> bool:
    """Record a digest as sent at `now`, unless one was sent since `sent_before` or the
    learner opted out; whether this call recorded it (and so may send it)."""
    cursor = db.execute(
        "INSERT INTO review_digests (user_id, last_sent_at) VALUES (:user_id, :now) "
        "ON CONFLICT (user_id) DO UPDATE SET last_sent_at = excluded.last_sent_at "
        "WHERE review_digests.opted_out = 0 AND (review_digests.last_sent_at IS NULL "
        "OR review_digests.last_sent_at < :sent_before)",
        {"user_id": user_id, "now": now, "sent_before": sent_before},
    )
    return cursor.rowcount == 1


def unclaim(db: Connection, user_id: int, now: float, previous: float | None) -> None:
    """Forget the claim made at `now` (the mail was not sent): back to `previous`."""
    db.execute(
        "UPDATE review_digests SET last_sent_at = ? WHERE user_id = ? AND last_sent_at = ?",
        [previous, user_id, now],
    )


def last_sent(db: Connection, user_id: int) -> float | None:
    """When the learner's last digest went out, or None."""
    row = db.execute(
        "SELECT last_sent_at FROM review_digests WHERE user_id = ?", [user_id]
    ).fetchone()
    return None if row is None else row[0]
