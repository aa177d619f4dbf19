"""Self-paced rooms: each phone on its own step, answers to it, the right answer after, progress."""

from __future__ import annotations

import pytest

from carelab.errors import PermissionDenied
from carelab.workshop import participants, reuse, self_paced, workshops
from carelab.workshop.errors import (
    AnsweringClosed,
    NotCurrentStep,
    WorkshopEnded,
    WorkshopStateError,
)
from tests.unit.workshop.conftest import T0, content_steps

# content_steps(): 0 text, 1 single, 2 multiple, 3 scale, 4 numeric, 5 open,
# 6 quiz single (A, B; B right), 7 quiz numeric (12 ± 0.5), 8 discussion.
QUIZ, LAST = 6, 8


@pytest.fixture
def paced(db, people):
    """A self-paced room, started (not scheduled)."""
    return workshops.create_workshop(
        db, people.facilitator, "Before the session", "module", "mod", content_steps(),
        now=T0, settings={"self_paced": True},
    )  # fmt: skip


def join(db, room, name=""):
    return participants.join(db, room.code, name, "ip")


def test_each_phone_moves_on_its_own_and_answers_its_own_step(db, people, paced):
    ann, bob = join(db, paced, "Ann"), join(db, paced, "Bob")
    state = self_paced.move(db, paced.code, ann.token, QUIZ)
    assert state["step_index"] == QUIZ and state["step"]["title"].startswith("Check")
    assert state["answering_open"] and state["self_paced"] and state["step"]["answer"] is None
    # Ann answers the quiz step though the room's own step is still 0.
    participants.answer(db, paced.code, ann.token, QUIZ, 0)
    assert workshops.get_workshop(db, paced.id).current_step == 0
    # After answering, Ann sees whether she was right, the answer and the explanation.
    after = participants.state_for_participant(db, paced.code, ann.token)
    assert after["my_answer"] == 0 and after["my_answer_correct"] is False
    assert after["answer_revealed"] and after["step"]["explanation"] == "B is best."
    assert not after["answering_open"]
    # Bob is still on step 0 and sees nothing of Ann's step.
    mine = participants.state_for_participant(db, paced.code, bob.token)
    assert mine["step_index"] == 0 and mine["my_answer"] is None
    # An answer to a step the phone is not on is refused, naming the phone's own step.
    with pytest.raises(NotCurrentStep) as refused:
        participants.answer(db, paced.code, bob.token, QUIZ, 1)
    assert refused.value.current_step == 0


def test_the_first_answer_stands_once_the_answer_was_shown(db, people, paced):
    ann = join(db, paced)
    self_paced.move(db, paced.code, ann.token, QUIZ)
    participants.answer(db, paced.code, ann.token, QUIZ, 0)
    receipt = participants.answer(db, paced.code, ann.token, QUIZ, 1)
    assert receipt.answer == 0
    rows = db.execute("SELECT answer FROM workshop_responses WHERE workshop_id = ?", [paced.id])
    assert [r[0] for r in rows.fetchall()] == ["0"]


def test_facilitator_paced_rooms_still_refuse_other_steps(db, people, room):
    workshops.go_to_step(db, people.facilitator, room.id, 1, open_answering=True)
    person = join(db, room)
    with pytest.raises(NotCurrentStep):
        participants.answer(db, room.code, person.token, QUIZ, 1)
    with pytest.raises(NotCurrentStep):
        self_paced.move(db, room.code, person.token, QUIZ)


def test_moves_are_checked(db, people, paced):
    ann = join(db, paced)
    for bad in (-1, LAST + 1, "2", 1.0, None):
        with pytest.raises(WorkshopStateError, match="no such step"):
            self_paced.move(db, paced.code, ann.token, bad)
    workshops.end_workshop(db, people.facilitator, paced.id)
    with pytest.raises(WorkshopEnded):
        self_paced.move(db, paced.code, ann.token, 1)
    with pytest.raises(WorkshopEnded):
        participants.answer(db, paced.code, ann.token, 0, 0)


def test_a_scheduled_self_paced_room_waits_for_its_start(db, people):
    later = workshops.create_workshop(
        db, people.facilitator, "Later", "module", "mod", content_steps(),
        settings={"self_paced": True, "scheduled_for": T0 + 3600},
    )  # fmt: skip
    ann = join(db, later)
    state = participants.state_for_participant(db, later.code, ann.token, now=T0)
    assert state["starts_at"] == T0 + 3600 and not state["answering_open"]
    with pytest.raises(AnsweringClosed, match="not started"):
        self_paced.move(db, later.code, ann.token, 1)
    with pytest.raises(AnsweringClosed, match="not started"):
        participants.answer(db, later.code, ann.token, 0, 0)
    reuse.start_now(db, people.facilitator, later.id)
    self_paced.move(db, later.code, ann.token, 1)
    participants.answer(db, later.code, ann.token, 1, 2)


def test_switching_pacing_puts_phones_on_the_facilitators_step(db, people, paced):
    ann = join(db, paced)
    self_paced.move(db, paced.code, ann.token, QUIZ)
    with pytest.raises(PermissionDenied):
        self_paced.set_self_paced(db, people.other, paced.id, False)
    room = self_paced.set_self_paced(db, people.facilitator, paced.id, False)
    assert not room.self_paced and room.version > paced.version
    state = participants.state_for_participant(db, paced.code, ann.token)
    assert state["step_index"] == 0 and not state["self_paced"]
    with pytest.raises(NotCurrentStep):
        participants.answer(db, paced.code, ann.token, QUIZ, 1)
    # Back to self-paced: the phone is where it was.
    self_paced.set_self_paced(db, people.facilitator, paced.id, True)
    assert participants.state_for_participant(db, paced.code, ann.token)["step_index"] == QUIZ


def test_the_batch_gives_each_phone_its_own_step_in_a_few_queries(db, people, paced, monkeypatch):
    phones = [join(db, paced) for _ in range(12)]
    for i, phone in enumerate(phones):
        self_paced.move(db, paced.code, phone.token, i % 9)
        if i % 9 == QUIZ:
            participants.answer(db, paced.code, phone.token, QUIZ, 1)
    participants._STEPS.clear()  # a cold process: the steps must be read too
    calls: list[str] = []
    for name in ("query", "execute"):
        real = getattr(db, name)
        monkeypatch.setattr(
            db, name, lambda sql, *a, _real=real: calls.append(sql) or _real(sql, *a)
        )
    batch = participants.states_for_participants(db, paced.code, [p.token for p in phones], T0)
    monkeypatch.undo()
    # Not one a phone: the workshop, its current step, the phones, their answers, all steps.
    assert len(calls) <= 5
    for i, phone in enumerate(phones):
        alone = participants.state_for_participant(db, paced.code, phone.token, T0)
        assert batch[phone.token] == alone and alone["step_index"] == i % 9
    assert batch[phones[QUIZ].token]["my_answer_correct"] is True
    assert batch[phones[QUIZ].token]["step"]["explanation"] == "B is best."
    assert batch[phones[QUIZ + 1].token]["my_answer"] is None


def test_progress_counts_reached_answered_and_finished(db, people, paced):
    ann, bob, cat = join(db, paced, "Ann"), join(db, paced, "Bob"), join(db, paced, "Cat")
    answers = {1: 0, 2: [0], 3: 4, 4: 10, 5: "fluids early", 6: 1, 7: 12}
    for index, value in answers.items():  # Ann does everything and reaches the end
        self_paced.move(db, paced.code, ann.token, index)
        participants.answer(db, paced.code, ann.token, index, value)
    self_paced.move(db, paced.code, ann.token, LAST)
    self_paced.move(db, paced.code, bob.token, 3)  # Bob answers step 3, then goes back
    participants.answer(db, paced.code, bob.token, 3, 2)
    self_paced.move(db, paced.code, bob.token, 1)
    found = self_paced.progress(db, workshops.get_workshop(db, paced.id))
    assert [s.reached for s in found.steps] == [3, 2, 2, 2, 1, 1, 1, 1, 1]
    assert [s.answered for s in found.steps] == [0, 1, 1, 2, 1, 1, 1, 1, 0]
    assert [(p.at_step, p.answered, p.finished) for p in found.phones] == [
        (9, 7, True), (2, 1, False), (1, 0, False),
    ]  # fmt: skip
    assert found.finished == 1 and cat.number == 3
    block = self_paced.progress_block(db, workshops.get_workshop(db, paced.id))
    assert block["finished"] == 1 and block["steps"][3] == {
        "index": 3, "title": "Poll scale", "reached": 2, "answered": 2, "answerable": True,
    }  # fmt: skip
    facilitator_paced = self_paced.set_self_paced(db, people.facilitator, paced.id, False)
    assert self_paced.progress_block(db, facilitator_paced) is None


def test_the_presenter_shows_progress_and_follows_each_phone(db, people, paced, room):
    from carelab.store import presenter as presenter_store
    from carelab.workshop import presenter

    ann = join(db, paced)
    assert presenter.presenter_view(db, room.id)["progress"] is None  # facilitator-paced
    view = presenter.presenter_view(db, paced.id)
    assert view["progress"]["steps"][QUIZ]["reached"] == 0 and view["progress"]["finished"] == 0
    before = presenter_store.signature(db, paced.id)
    self_paced.move(db, paced.code, ann.token, QUIZ)
    moved = presenter_store.signature(db, paced.id)
    assert moved != before  # the presenter's feed wakes on a phone's own move
    participants.answer(db, paced.code, ann.token, QUIZ, 1)
    assert presenter_store.signature(db, paced.id) != moved
    block = presenter.presenter_view(db, paced.id)["progress"]
    assert block["steps"][QUIZ] == {"index": QUIZ, "title": block["steps"][QUIZ]["title"],
                                     "reached": 1, "answered": 1, "answerable": True}  # fmt: skip


def test_summaries_show_progress_without_nicknames_when_anonymous(db, people, paced):
    from carelab.workshop import summary
    from tests.unit.workshop.test_summary import pdf_text

    ann, bob = join(db, paced, "Ann"), join(db, paced, "Bob")
    for index, value in {1: 0, 2: [0], 3: 4, 4: 10, 5: "fluids", 6: 1, 7: 12}.items():
        self_paced.move(db, paced.code, ann.token, index)
        participants.answer(db, paced.code, ann.token, index, value)
    self_paced.move(db, paced.code, ann.token, LAST)
    self_paced.move(db, paced.code, bob.token, 1)
    text = summary.summary_markdown(db, paced.id)
    assert "## Self-paced progress" in text
    assert "1 of 2 participants finished (answered all 7 questions" in text
    assert "| 2. Poll one | 2 | 1 |" in text and "| 1. Welcome | 2 | - |" in text
    assert "| Participant 1 | 9 | 7 | yes |" in text and "| Participant 2 | 2 | 0 | no |" in text
    assert "Ann" not in text and "Bob" not in text  # anonymous: numbers only
    assert "Participant: Participant 1 · At step: 9 · Answered: 7 · Finished: yes" in pdf_text(
        summary.summary_pdf(db, paced.id)
    )
    # Switched back to facilitator pacing, the room still reports how far phones got.
    self_paced.set_self_paced(db, people.facilitator, paced.id, False)
    assert "## Self-paced progress" in summary.summary_markdown(db, paced.id)


def test_a_facilitator_paced_summary_has_no_progress_section(db, people, room):
    from carelab.workshop import summary

    join(db, room)
    assert "Self-paced progress" not in summary.summary_markdown(db, room.id)
