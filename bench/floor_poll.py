"""What polling questions from the floor costs the server, per request, on SQLite.

A room of 1,000 phones and 60 questions. Each phone's 5-second poll is timed three ways,
in the core (carelab.workshop.floor, no HTTP): nothing changed since its version (the
common case), changed with the shared list already read for that version (every phone but
the first after a change), and a vote. Run: python -m bench.floor_poll [--json]
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import report
from carelab import auth
from carelab.store import db as store_db
from carelab.workshop import floor, participants, workshops
from tests.unit.workshop.conftest import content_steps

PHONES, QUESTIONS = 1000, 60


def _timed(calls) -> tuple[float, float]:
    times = []
    for call in calls:
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return round(statistics.median(times), 3), round(times[int(len(times) * 0.95)], 3)


def main() -> None:
    """Build the room, time the three requests, print the medians and 95th percentiles."""
    path = Path(tempfile.mkdtemp()) / "floor.db"
    store_db.prepare(path)
    with store_db.session(path) as db:
        made = auth.create_account(db, "bench@example.org", "correct horse battery", "B")
        auth.grant_role_as_operator(db, made.id, "facilitator")
        user = auth.get_user(db, made.id)
        room = workshops.create_workshop(
            db, user, "Bench", "module", "m", content_steps(), settings={"floor_questions": True}
        )
        phones = [participants.join(db, room.code, "", "bench").token for _ in range(PHONES)]
        for n in range(QUESTIONS):
            floor.ask(db, room.code, phones[n], f"Question {n} from the floor?")
        ids = [q["id"] for q in floor.phone_list(db, room.code, phones[0])["questions"]]
        rng = random.Random(1)
        known = floor.phone_list(db, room.code, phones[0])["version"]
        unchanged = _timed([lambda t=t: floor.phone_list(db, room.code, t, known) for t in phones])
        changed = _timed(
            [lambda t=t: floor.phone_list(db, room.code, t, known - 1) for t in phones]
        )
        votes = _timed(
            [lambda t=t: floor.vote(db, room.code, t, rng.choice(ids), True) for t in phones]
        )
    report(
        "floor_poll (SQLite, 1,000 phones, 60 questions)",
        {
            "unchanged poll median ms": unchanged[0],
            "unchanged poll p95 ms": unchanged[1],
            "changed poll median ms": changed[0],
            "changed poll p95 ms": changed[1],
            "vote median ms": votes[0],
            "vote p95 ms": votes[1],
        },
    )


if __name__ == "__main__":
    main()
