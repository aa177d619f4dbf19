"""Quiz mode on the phones: own points after the answer is revealed, own rank only on reveal."""

from __future__ import annotations

from carelab.workshop import participants, quiz, workshops
from tests.unit.workshop.conftest import T0
from tests.unit.workshop.test_quiz import NUMERIC, SINGLE, answer, join, open_at, scored_room


def state(db, room, phone) -> dict:
    return participants.state_for_participant(db, room.code, phone.token, now=T0 + 500)


def test_an_unscored_room_shows_no_points_even_after_the_reveal(db, people, room):
    (phone,) = join(db, room, 1)
    open_at(db, people, room, SINGLE, T0 + 100)
    answer(db, room, phone, SINGLE, 1, T0 + 101)
    workshops.reveal_answer(db, people.facilitator, room.id)
    assert state(db, room, phone)["quiz"] is None


def test_a_phone_sees_its_points_after_the_reveal_and_its_rank_only_with_the_leaderboard(
    db, people
):
    room = scored_room(db, people)
    ann, bob = join(db, room, 2)
    open_at(db, people, room, SINGLE, T0 + 100)
    answer(db, room, ann, SINGLE, 1, T0 + 101)
    answer(db, room, bob, SINGLE, 0, T0 + 102)
    assert state(db, room, ann)["quiz"] is None  # answering: nothing to give away
    workshops.reveal_answer(db, people.facilitator, room.id)
    assert state(db, room, ann)["quiz"] == {"points": 1000, "rank": None, "players": None}
    assert state(db, room, bob)["quiz"] == {"points": 0, "rank": None, "players": None}
    quiz.reveal_leaderboard(db, people.facilitator, room.id)
    assert state(db, room, ann)["quiz"] == {"points": 1000, "rank": 1, "players": 2}
    assert state(db, room, bob)["quiz"] == {"points": 0, "rank": 2, "players": 2}
    # On the next step, while it is answered, the total stays at what was revealed.
    open_at(db, people, room, NUMERIC, T0 + 200)
    answer(db, room, bob, NUMERIC, 12, T0 + 201)
    assert state(db, room, bob)["quiz"] == {"points": 0, "rank": 2, "players": 2}
    quiz.set_scoring(db, people.facilitator, room.id, False)
    assert state(db, room, ann)["quiz"] is None and state(db, room, bob)["quiz"] is None


def test_the_whole_rooms_scores_take_a_fixed_few_queries_for_1000_phones(db, people):
    room = scored_room(db, people)
    phones = [participants.join(db, room.code, "", f"ip{i}") for i in range(1000)]
    open_at(db, people, room, SINGLE, T0 + 100)
    for i, phone in enumerate(phones):
        answer(db, room, phone, SINGLE, i % 2, T0 + 101)
    workshops.reveal_answer(db, people.facilitator, room.id)
    quiz.reveal_leaderboard(db, people.facilitator, room.id)
    calls = []
    for name in ("query", "execute"):
        real = getattr(db, name)

        def counted(*args, _real=real, **kwargs):
            calls.append(args[0])
            return _real(*args, **kwargs)

        setattr(db, name, counted)
    tokens = [p.token for p in phones]
    together = participants.states_for_participants(db, room.code, tokens, now=T0 + 500)
    # The workshop, 2 batches of phones, the step's answers; then the room's scores (one
    # query) and its size (one): never a query per phone.
    assert 4 <= len(calls) <= 7, calls
    assert together[phones[1].token]["quiz"] == {"points": 1000, "rank": 1, "players": 1000}
    assert together[phones[0].token]["quiz"] == {"points": 0, "rank": 501, "players": 1000}
    for phone in phones[:3]:
        assert together[phone.token] == state(db, room, phone)


def test_after_the_end_a_phone_sees_its_final_points_with_every_step_counted(db, people):
    room = scored_room(db, people)
    (ann,) = join(db, room, 1)
    open_at(db, people, room, NUMERIC, T0 + 100)
    answer(db, room, ann, NUMERIC, 12, T0 + 101)  # never revealed
    assert state(db, room, ann)["quiz"] is None
    workshops.end_workshop(db, people.facilitator, room.id)
    final = state(db, room, ann)
    assert final["ended"] and final["quiz"] == {"points": 1000, "rank": None, "players": None}
