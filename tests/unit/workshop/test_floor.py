"""Questions from the floor: asking, moderation, one vote per phone, limits and anonymity."""

from __future__ import annotations

import threading

import pytest

from carelab.errors import NotFound, PermissionDenied
from carelab.store import db as store_db
from carelab.store import floor as store
from carelab.workshop import floor, workshops
from carelab.workshop import participants as phones
from carelab.workshop.errors import UnknownParticipant, WorkshopEnded

from .conftest import T0, content_steps


def make_room(db, people, anonymous=True, **settings):
    wanted = {"floor_questions": True, **settings}
    return workshops.create_workshop(
        db, people.facilitator, "Room", "module", "mod", content_steps(), anonymous, T0,
        settings=wanted,
    )  # fmt: skip


@pytest.fixture
def floor_room(db, people):
    """An anonymous workshop that takes questions from the floor, without moderation."""
    return make_room(db, people)


def join(db, room, nickname=""):
    return phones.join(db, room.code, nickname, "ip")


def texts(listed):
    return [q["text"] for q in listed["questions"]]


def test_a_question_is_open_at_once_and_every_phone_sees_it(db, floor_room):
    asker, other = join(db, floor_room), join(db, floor_room)
    mine = floor.ask(db, floor_room.code, asker.token, "  Why   does\tthe funnel widen? ", T0)
    assert mine["questions"][0] | {"id": 0} == {
        "id": 0, "text": "Why does the funnel widen?", "votes": 0, "status": "open",
        "mine": True, "voted": False,
    }  # fmt: skip
    seen = floor.phone_list(db, floor_room.code, other.token)
    assert texts(seen) == ["Why does the funnel widen?"]
    assert seen["questions"][0]["mine"] is False
    # Phones never learn who asked.
    assert set(seen["questions"][0]) == {"id", "text", "votes", "status", "mine", "voted"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Write a question first: the box is empty."),
        (None, "Write your question as text."),
        (42, "Write your question as text."),
        ("x" * 281, "Keep your question to 280 characters (this one has 281)."),
    ],
)
def test_a_bad_question_is_refused_saying_why(db, floor_room, text, message):
    phone = join(db, floor_room)
    with pytest.raises(floor.InvalidQuestion) as refused:
        floor.ask(db, floor_room.code, phone.token, text, T0)
    assert str(refused.value) == message
    assert store.questions(db, floor_room.id) == []


def test_280_characters_are_allowed(db, floor_room):
    phone = join(db, floor_room)
    assert texts(floor.ask(db, floor_room.code, phone.token, "y" * 280, T0)) == ["y" * 280]


def test_no_questions_unless_the_workshop_takes_them(db, people, room):
    phone = join(db, room)
    with pytest.raises(floor.QuestionsOff, match="has not opened questions"):
        floor.ask(db, room.code, phone.token, "Anyone?", T0)
    assert floor.phone_list(db, room.code, phone.token)["on"] is False
    workshops.change_settings(db, people.facilitator, room.id, floor_questions=True)
    assert texts(floor.ask(db, room.code, phone.token, "Anyone?", T0)) == ["Anyone?"]


def test_no_questions_or_votes_after_the_end(db, people, floor_room):
    phone = join(db, floor_room)
    asked = floor.ask(db, floor_room.code, phone.token, "Before the end", T0)
    workshops.end_workshop(db, people.facilitator, floor_room.id)
    with pytest.raises(WorkshopEnded):
        floor.ask(db, floor_room.code, phone.token, "After the end", T0 + 1)
    with pytest.raises(WorkshopEnded):
        floor.vote(db, floor_room.code, phone.token, asked["questions"][0]["id"], True)
    # The list stays readable, and the facilitator can still tidy it for the record.
    assert texts(floor.phone_list(db, floor_room.code, phone.token)) == ["Before the end"]
    floor.set_status(db, people.facilitator, floor_room.id, asked["questions"][0]["id"], "hidden")


def test_one_phone_cannot_flood_the_room(db, floor_room):
    phone, other = join(db, floor_room), join(db, floor_room)
    for i in range(floor.ASK_LIMIT):
        floor.ask(db, floor_room.code, phone.token, f"Question {i}", T0 + i)
    with pytest.raises(floor.TooManyQuestions) as refused:
        floor.ask(db, floor_room.code, phone.token, "One too many", T0 + 10)
    assert refused.value.retry_after_seconds == 51
    assert str(refused.value) == (
        "You can send 3 questions a minute. Your question is still here: send it again "
        "in 51 seconds."
    )
    floor.ask(db, floor_room.code, other.token, "Another phone still asks", T0 + 10)
    floor.ask(db, floor_room.code, phone.token, "A minute later", T0 + 61)
    assert len(store.questions(db, floor_room.id)) == floor.ASK_LIMIT + 2


def test_moderated_questions_wait_for_the_facilitator(db, people):
    room = make_room(db, people, floor_moderated=True)
    asker, other = join(db, room), join(db, room)
    mine = floor.ask(db, room.code, asker.token, "Is this moderated?", T0)
    assert [(q["status"], q["mine"]) for q in mine["questions"]] == [("pending", True)]
    assert texts(floor.phone_list(db, room.code, other.token)) == []
    (question,) = floor.questions(db, people.facilitator, room.id)
    assert question.status_label == "Waiting for approval"
    with pytest.raises(floor.UnknownQuestion):
        floor.vote(db, room.code, other.token, question.id, True)
    floor.set_status(db, people.facilitator, room.id, question.id, "open")
    assert texts(floor.phone_list(db, room.code, other.token)) == ["Is this moderated?"]


def test_votes_count_once_and_can_be_withdrawn(db, floor_room):
    a, b = join(db, floor_room), join(db, floor_room)
    qid = floor.ask(db, floor_room.code, a.token, "Vote for me", T0)["questions"][0]["id"]
    for _ in range(3):  # a double tap, and a resend after a lost reply
        listed = floor.vote(db, floor_room.code, b.token, qid, True)
    assert (listed["questions"][0]["votes"], listed["questions"][0]["voted"]) == (1, True)
    floor.vote(db, floor_room.code, a.token, qid, True)
    listed = floor.vote(db, floor_room.code, b.token, qid, False)
    assert (listed["questions"][0]["votes"], listed["questions"][0]["voted"]) == (1, False)
    listed = floor.vote(db, floor_room.code, b.token, qid, False)
    assert listed["questions"][0]["votes"] == 1


@pytest.mark.parametrize(("question_id", "up"), [("1", True), (1, "yes"), (None, True)])
def test_a_malformed_vote_is_refused(db, floor_room, question_id, up):
    phone = join(db, floor_room)
    with pytest.raises(floor.FloorError, match="Send which question"):
        floor.vote(db, floor_room.code, phone.token, question_id, up)


def test_no_vote_for_a_question_of_another_workshop(db, people, floor_room):
    elsewhere = make_room(db, people)
    stranger = join(db, elsewhere)
    phone = join(db, floor_room)
    qid = floor.ask(db, floor_room.code, phone.token, "Mine", T0)["questions"][0]["id"]
    with pytest.raises(floor.UnknownQuestion):
        floor.vote(db, elsewhere.code, stranger.token, qid, True)
    with pytest.raises(UnknownParticipant):
        floor.vote(db, floor_room.code, stranger.token, qid, True)
    assert store.question(db, floor_room.id, qid)["votes"] == 0


def test_the_list_is_sorted_by_votes_then_time_with_answered_ones_last(db, people, floor_room):
    voters = [join(db, floor_room) for _ in range(3)]
    ids = {}
    for i, text in enumerate(["First", "Second", "Third", "Fourth"]):
        listed = floor.ask(db, floor_room.code, voters[i % 3].token, text, T0 + 100 * i)
        ids[text] = next(q["id"] for q in listed["questions"] if q["text"] == text)
    for voter in voters:
        floor.vote(db, floor_room.code, voter.token, ids["Third"], True)
    floor.vote(db, floor_room.code, voters[0].token, ids["Second"], True)
    floor.vote(db, floor_room.code, voters[0].token, ids["Fourth"], True)
    floor.set_status(db, people.facilitator, floor_room.id, ids["Third"], "answered")
    assert texts(floor.phone_list(db, floor_room.code, voters[1].token)) == [
        "Second", "Fourth", "First", "Third",
    ]  # fmt: skip
    listed = floor.questions(db, people.facilitator, floor_room.id)
    assert [(q.text, q.votes) for q in listed] == [
        ("Third", 3), ("Second", 1), ("Fourth", 1), ("First", 0),
    ]  # fmt: skip


def test_concurrent_votes_from_one_phone_count_once(db_path, db, floor_room):
    """Two connections send the same phone's vote at the same moment: the key keeps one."""
    voter, asker = join(db, floor_room), join(db, floor_room)
    qid = floor.ask(db, floor_room.code, asker.token, "Race", T0)["questions"][0]["id"]
    others = [join(db, floor_room) for _ in range(6)]
    start, errors = threading.Barrier(2 + len(others), timeout=60), []

    def send(token: str) -> None:
        try:
            with store_db.session(db_path) as conn:
                start.wait()
                floor.vote(conn, floor_room.code, token, qid, True)
        except BaseException as exc:
            errors.append(exc)

    tokens = [voter.token, voter.token, *(p.token for p in others)]
    threads = [threading.Thread(target=send, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.question(db, floor_room.id, qid)["votes"] == 1 + len(others)
    count = db.execute(
        "SELECT COUNT(*) FROM workshop_floor_votes WHERE question_id = ?", [qid]
    ).fetchone()[0]
    assert count == 1 + len(others)


def test_the_facilitator_sees_participant_numbers_in_an_anonymous_room(db, people, floor_room):
    phone = join(db, floor_room, "Dr Who")
    floor.ask(db, floor_room.code, phone.token, "Anonymous?", T0)
    assert [q.who for q in floor.questions(db, people.facilitator, floor_room.id)] == [
        f"Participant {phone.number}"
    ]


def test_nicknames_show_only_when_the_workshop_keeps_them(db, people):
    room = make_room(db, people, anonymous=False)
    named, unnamed = join(db, room, "Dr Who"), join(db, room)
    floor.ask(db, room.code, named.token, "Named", T0)
    floor.ask(db, room.code, unnamed.token, "Unnamed", T0 + 1)
    assert {q.text: q.who for q in floor.questions(db, people.facilitator, room.id)} == {
        "Named": "Dr Who",
        "Unnamed": f"Participant {unnamed.number}",
    }


def test_only_the_facilitator_or_an_admin_moderates(db, people, floor_room):
    phone = join(db, floor_room)
    qid = floor.ask(db, floor_room.code, phone.token, "Who can hide me?", T0)["questions"][0]["id"]
    for outsider in (people.other, people.learner, None):
        with pytest.raises(PermissionDenied):
            floor.questions(db, outsider, floor_room.id)
        with pytest.raises(PermissionDenied):
            floor.set_status(db, outsider, floor_room.id, qid, "hidden")
        with pytest.raises(PermissionDenied):
            floor.spotlight(db, outsider, floor_room.id, qid)
    assert store.question(db, floor_room.id, qid)["status"] == "open"
    floor.set_status(db, people.admin, floor_room.id, qid, "hidden")
    assert texts(floor.phone_list(db, floor_room.code, phone.token)) == []
    with pytest.raises(NotFound):
        floor.set_status(db, people.facilitator, floor_room.id, qid + 99, "open")
    with pytest.raises(floor.FloorError, match="'gone' is not a question status"):
        floor.set_status(db, people.facilitator, floor_room.id, qid, "gone")


def test_the_spotlight_moves_the_presenter_and_a_hidden_question_leaves_it(db, people, floor_room):
    phone = join(db, floor_room)
    qid = floor.ask(db, floor_room.code, phone.token, "On screen?", T0)["questions"][0]["id"]
    floor.vote(db, floor_room.code, phone.token, qid, True)
    before = workshops.get_workshop(db, floor_room.id)
    assert floor.presenter_block(db, before) == {"spotlight": None, "open": 1}
    floor.spotlight(db, people.facilitator, floor_room.id, qid)
    after = workshops.get_workshop(db, floor_room.id)
    assert after.version == before.version + 1
    assert after.floor_version == before.floor_version + 1
    assert floor.presenter_block(db, after) == {
        "spotlight": {"id": qid, "text": "On screen?", "votes": 1},
        "open": 1,
    }
    floor.set_status(db, people.facilitator, floor_room.id, qid, "hidden")
    hidden = workshops.get_workshop(db, floor_room.id)
    assert hidden.floor_spotlight_id is None and hidden.version == after.version + 1
    with pytest.raises(floor.FloorError, match="hidden or gone"):
        floor.spotlight(db, people.facilitator, floor_room.id, qid)
    assert floor.presenter_block(db, hidden) == {"spotlight": None, "open": 0}


def test_spotlighting_a_pending_question_approves_it(db, people):
    room = make_room(db, people, floor_moderated=True)
    asker, other = join(db, room), join(db, room)
    qid = floor.ask(db, room.code, asker.token, "Straight to the screen", T0)["questions"][0]["id"]
    floor.spotlight(db, people.facilitator, room.id, qid)
    assert texts(floor.phone_list(db, room.code, other.token)) == ["Straight to the screen"]
    floor.spotlight(db, people.facilitator, room.id, None)
    assert workshops.get_workshop(db, room.id).floor_spotlight_id is None


def test_votes_raise_floor_version_but_not_the_room_version(db, floor_room):
    """A vote must not make the room re-read every phone's state; the list's version moves."""
    phone = join(db, floor_room)
    listed = floor.ask(db, floor_room.code, phone.token, "Versioned", T0)
    room_version = workshops.get_workshop(db, floor_room.id).version
    unchanged = floor.phone_list(db, floor_room.code, phone.token, since=listed["version"])
    assert unchanged == {"on": True, "version": listed["version"], "unchanged": True}
    voted = floor.vote(db, floor_room.code, phone.token, listed["questions"][0]["id"], True)
    assert voted["version"] == listed["version"] + 1
    assert workshops.get_workshop(db, floor_room.id).version == room_version
    fresh = floor.phone_list(db, floor_room.code, phone.token, since=listed["version"])
    assert fresh["questions"][0]["votes"] == 1
    state = phones.state_for_participant(db, floor_room.code, phone.token)
    assert state["floor"] == {"on": True, "version": voted["version"]}


def test_the_presenter_view_carries_the_floor_block(db, people, room, floor_room):
    from carelab.workshop.presenter import presenter_view

    assert presenter_view(db, room.id)["floor"] is None  # questions off: no block
    phone = join(db, floor_room)
    qid = floor.ask(db, floor_room.code, phone.token, "Big type?", T0)["questions"][0]["id"]
    assert presenter_view(db, floor_room.id)["floor"] == {"spotlight": None, "open": 1}
    floor.spotlight(db, people.facilitator, floor_room.id, qid)
    floor.vote(db, floor_room.code, phone.token, qid, True)
    assert presenter_view(db, floor_room.id)["floor"]["spotlight"] == {
        "id": qid, "text": "Big type?", "votes": 1,
    }  # fmt: skip
