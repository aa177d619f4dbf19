"""The digest records on both databases: opt-out, who is due, one claim a week, undoing it."""

from __future__ import annotations

from carelab import auth
from carelab.store import digests
from carelab.store import reviews as review_store

DAY = 86_400.0
NOW = 1_800_000_000.0


def learner(db, email):
    return auth.create_account(db, email, "correct horse battery", email.split("@")[0]).id


def queue(db, user_id, due_at, question="q1"):
    review_store.add_if_absent(
        db,
        user_id,
        {
            "module_id": "m",
            "step_id": "quiz",
            "question_id": question,
            "stage": 0,
            "confident_streak": 0,
            "due_at": due_at,
            "added_at": due_at - 2 * DAY,
        },
    )


def due(db):
    rows = digests.recipients(db, due_before=NOW + 7 * DAY, sent_before=NOW - 7 * DAY)
    return [row["email"] for row in rows]


def test_recipients_have_a_review_due_within_the_week_and_did_not_opt_out(db):
    ann, bob, cy, di = (learner(db, f"{n}@example.org") for n in ("ann", "bob", "cy", "di"))
    queue(db, ann, NOW - DAY)  # overdue
    queue(db, bob, NOW + 6 * DAY)
    queue(db, cy, NOW + 8 * DAY)  # not this week
    queue(db, di, NOW + DAY)
    digests.set_opted_out(db, di, True)
    assert due(db) == ["ann@example.org", "bob@example.org"]
    assert digests.opted_out(db, di) and not digests.opted_out(db, ann)
    digests.set_opted_out(db, di, False)
    assert due(db) == ["ann@example.org", "bob@example.org", "di@example.org"]


def test_a_claim_holds_for_seven_days_and_only_once(db):
    ann = learner(db, "ann@example.org")
    queue(db, ann, NOW)
    assert digests.claim(db, ann, NOW, sent_before=NOW - 7 * DAY)
    assert not digests.claim(db, ann, NOW + 1, sent_before=NOW + 1 - 7 * DAY)  # run twice
    assert digests.last_sent(db, ann) == NOW
    assert due(db) == []
    later = NOW + 7 * DAY + 1
    assert digests.claim(db, ann, later, sent_before=later - 7 * DAY)
    assert digests.last_sent(db, ann) == later


def test_an_opted_out_learner_cannot_be_claimed(db):
    ann = learner(db, "ann@example.org")
    digests.set_opted_out(db, ann, True)
    assert not digests.claim(db, ann, NOW, sent_before=NOW - 7 * DAY)
    assert digests.last_sent(db, ann) is None


def test_unclaim_puts_back_the_previous_time_and_only_its_own_claim(db):
    ann = learner(db, "ann@example.org")
    assert digests.claim(db, ann, NOW, sent_before=NOW - 7 * DAY)
    later = NOW + 8 * DAY
    assert digests.claim(db, ann, later, sent_before=later - 7 * DAY)
    digests.unclaim(db, ann, NOW, None)  # an older claim: not this one
    assert digests.last_sent(db, ann) == later
    digests.unclaim(db, ann, later, NOW)
    assert digests.last_sent(db, ann) == NOW
    assert not digests.opted_out(db, ann)


def test_deleting_the_account_deletes_its_record(db):
    ann = learner(db, "ann@example.org")
    digests.set_opted_out(db, ann, True)
    db.execute("DELETE FROM users WHERE id = ?", [ann])
    assert db.execute("SELECT COUNT(*) FROM review_digests").fetchone()[0] == 0
