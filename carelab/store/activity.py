"""The SQL behind time on task: each learner action in the module player adds the gap since
the previous one, capped, to the attempt's active seconds.
"""

from __future__ import annotations

from carelab.store.connection import Connection


def record_action(db: Connection, attempt_id: int, now: float, gap_cap_seconds: float) -> None:
    """Add the time since the attempt's last action (at most the cap) and move the mark.

    One statement, so two tabs acting at once each add their own gap and never the same
    one twice. A completed attempt no longer gathers time. A clock that went backwards
    adds nothing.
    """
    # CASE rather than two-argument MIN/MAX, which PostgreSQL spells LEAST/GREATEST.
    db.execute(
        "UPDATE attempts SET active_seconds = active_seconds + CASE "
        "WHEN last_action_at IS NULL OR :now <= last_action_at THEN 0 "
        "WHEN :now - last_action_at > :cap THEN :cap "
        "ELSE :now - last_action_at END, "
        "last_action_at = CASE WHEN last_action_at IS NULL OR last_action_at < :now "
        "THEN :now ELSE last_action_at END "
        "WHERE id = :id AND completed_at IS NULL",
        {"now": now, "cap": gap_cap_seconds, "id": attempt_id},
    )


def active_seconds(db: Connection, attempt_id: int) -> float:
    """The active seconds gathered by an attempt so far (0 for an unknown attempt)."""
    row = db.execute("SELECT active_seconds FROM attempts WHERE id = ?", [attempt_id]).fetchone()
    return float(row[0]) if row else 0.0
