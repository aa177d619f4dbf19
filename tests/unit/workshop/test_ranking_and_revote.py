"""Ranking steps (mean rank and distribution) and vote, discuss, re-vote (the shift)."""

from __future__ import annotations

import csv
import io

import pytest

from carelab.answers import InvalidAnswer
from carelab.content import schema
from carelab.workshop import aggregate, participants, presenter, summary, workshops
from carelab.workshop.steps import steps_from_case, workshop_steps
from tests.unit.workshop.conftest import T0, open_step, poll

BARRIERS = ["Records", "Funding", "Culture", "Workforce"]


def question_step(revote: bool = False) -> schema.QuizStep:
    return schema.QuizStep(
        id="q",
        kind="quiz",
        title="Check",
        questions=[
            schema.SingleChoice(
                id="best",
                kind="single_choice",
                prompt="Which is best?",
                explanation="B is best.",
                options=[
                    schema.Option(text="A"),
                    schema.Option(text="B", correct=True),
                    schema.Option(text="C"),
                ],
                revote=revote,
            ),
            schema.Ranking(
                id="donabedian",
                kind="ranking",
                prompt="Order them.",
                explanation="Structure, process, outcome.",
                items=["Structure", "Process", "Outcome"],
            ),
        ],
    )


def plan() -> list:
    """0 ranking poll; 1 vote, 2 discussion, 3 re-vote; 4 ranking question; 5-7 ranked re-vote."""
    return [
        poll("barriers", "ranking", options=BARRIERS),
        question_step(revote=True),
        poll("again", "ranking", options=BARRIERS[:3], revote=True, revote_prompt="Talk."),
    ]


@pytest.fixture
def ranked_room(db, people):
    return workshops.create_workshop(db, people.facilitator, "Room", "case", "c", plan(), now=T0)


def answers_to(db, people, room, step: int, by_person: dict) -> None:
    open_step(db, people, room, step)
    for person, value in by_person.items():
        participants.answer(db, room.code, person.token, step, value)


def test_a_revote_becomes_vote_discussion_and_revote_that_remembers_its_vote():
    steps = workshop_steps(plan())
    assert [(s.id, s.kind, s.mode) for s in steps] == [
        ("barriers", "poll", "ranking"),
        ("q.best", "question", "single"),
        ("q.best.discuss", "discussion", None),
        ("q.best.revote", "question", "single"),
        ("q.donabedian", "question", "ranking"),
        ("again", "poll", "ranking"),
        ("again.discuss", "discussion", None),
        ("again.revote", "poll", "ranking"),
    ]
    assert steps[3].extra == {"revote_of": 1} and steps[7].extra == {"revote_of": 5}
    assert steps[3].answer == steps[1].answer and steps[3].options == steps[1].options
    assert steps[2].prompt.startswith("Discuss your answer with your neighbour")
    assert steps[6].prompt == "Talk."
    assert steps[2].public(False)["prompt"] == steps[2].prompt  # phones show the discussion
    assert steps[3].public(False)["revote"] is True and steps[1].public(False)["revote"] is False


def test_a_ranking_question_is_shown_shuffled_with_its_right_order_as_the_answer():
    step = workshop_steps(plan())[4]
    assert sorted(step.options) == ["Outcome", "Process", "Structure"]
    assert list(step.options) != ["Structure", "Process", "Outcome"]
    right = [step.options[i] for i in step.answer["order"]]
    assert right == ["Structure", "Process", "Outcome"]


def test_the_case_quiz_revotes_are_numbered_after_the_plan(shipped_content):
    from carelab.content.catalog import load_catalog

    case = load_catalog(shipped_content).case("fragmented-pathway")
    steps = steps_from_case(case, with_quiz=True)
    for index, step in enumerate(steps):
        first = step.extra.get("revote_of")
        if first is not None:
            assert steps[first].id + ".revote" == step.id and first < index


def test_a_phone_must_send_a_whole_order(db, people, ranked_room):
    open_step(db, people, ranked_room, 0)
    person = participants.join(db, ranked_room.code, "", "ip")
    for bad, message in [
        ([0, 0, 1, 2], "Item 1 is in positions 1 and 2: give each item one position."),
        ([0, 1, 2], "Give item 4 a position: order all 4 items."),
        ([0, 1, 2, 7], "Use only the 4 items listed."),
        (2, "Put the items in order before sending."),
    ]:
        with pytest.raises(InvalidAnswer, match=message.replace("(", r"\(")):
            participants.answer(db, ranked_room.code, person.token, 0, bad)
    saved = participants.answer(db, ranked_room.code, person.token, 0, [3, 1, 0, 2])
    assert saved.answer == [3, 1, 0, 2]  # the order is kept, not sorted


def test_ranking_results_give_mean_ranks_best_first_and_the_distribution(db, people, ranked_room):
    people_in = [participants.join(db, ranked_room.code, "", "ip") for _ in range(4)]
    answers_to(
        db,
        people,
        ranked_room,
        0,
        {
            people_in[0]: [1, 0, 2, 3],
            people_in[1]: [1, 2, 0, 3],
            people_in[2]: [0, 1, 3, 2],
            people_in[3]: [3, 1, 2, 0],
        },
    )
    ranking = aggregate.results(db, ranked_room.id, 0).ranking
    assert ranking.n == 4
    assert [(i.label, i.mean_rank) for i in ranking.items] == [
        ("Funding", 1.5),  # positions 1, 1, 2, 2
        ("Records", 2.5),  # 2, 3, 1, 4
        ("Culture", 3.0),  # 3, 2, 4, 3; ties keep the listed order
        ("Workforce", 3.0),  # 4, 4, 3, 1
    ]
    assert ranking.items[0].positions == (2, 2, 0, 0)
    assert ranking.items[3].positions == (1, 0, 1, 2)
    assert all(i.right_place is None for i in ranking.items)


def test_a_ranking_question_marks_each_items_right_place(db, people, ranked_room):
    step = workshops.step_at(db, ranked_room.id, 4)
    person = participants.join(db, ranked_room.code, "", "ip")
    answers_to(db, people, ranked_room, 4, {person: step.answer["order"]})
    ranking = aggregate.results(db, ranked_room.id, 4).ranking
    assert [(i.label, i.mean_rank, i.right_place) for i in ranking.items] == [
        ("Structure", 1, 1),
        ("Process", 2, 2),
        ("Outcome", 3, 3),
    ]


def test_the_revote_shows_who_moved_and_the_share_right_before_and_after(db, people, ranked_room):
    a, b, c, d, e = (participants.join(db, ranked_room.code, "", "ip") for _ in range(5))
    # B (index 1) is right. First: A, B, C, C, B; re-vote: B, B, B, A, (e does not re-vote).
    answers_to(db, people, ranked_room, 1, {a: 0, b: 1, c: 2, d: 2, e: 1})
    answers_to(db, people, ranked_room, 3, {a: 1, b: 1, c: 1, d: 0})
    first = aggregate.results(db, ranked_room.id, 1)
    assert first.shift is None
    shift = aggregate.results(db, ranked_room.id, 3).shift
    assert (shift.first_step_index, shift.first_answered, shift.second_answered) == (1, 5, 4)
    assert (shift.both, shift.changed) == (4, 3)
    assert (shift.right_first, shift.right_second) == (0.4, 0.75)
    assert (shift.wrong_to_right, shift.right_to_wrong, shift.wrong_to_wrong) == (2, 0, 1)
    assert [(o.label, o.first, o.second, o.correct) for o in shift.options] == [
        ("A", 1, 1, False),
        ("B", 2, 3, True),
        ("C", 2, 0, False),
    ]
    assert [(s.before, s.after, s.count) for s in shift.switches] == [
        ("A", "B", 1),
        ("C", "A", 1),
        ("C", "B", 1),
    ]
    assert shift.changed_label == "3 of 4 who voted twice changed their answer"


def test_a_ranked_revote_compares_mean_ranks_and_has_no_right_share(db, people, ranked_room):
    a, b = (participants.join(db, ranked_room.code, "", "ip") for _ in range(2))
    answers_to(db, people, ranked_room, 5, {a: [0, 1, 2], b: [0, 2, 1]})
    answers_to(db, people, ranked_room, 7, {a: [2, 1, 0], b: [0, 2, 1]})
    shift = aggregate.results(db, ranked_room.id, 7).shift
    assert (shift.changed, shift.right_first, shift.wrong_to_right) == (1, None, None)
    assert [(r.label, r.first_mean, r.second_mean) for r in shift.ranks] == [
        ("Records", 1.0, 2.0),
        ("Funding", 2.5, 2.5),
        ("Culture", 2.5, 1.5),
    ]


def test_exports_carry_rankings_and_vote_shifts(db, people, ranked_room):
    a, b = (participants.join(db, ranked_room.code, "", "ip") for _ in range(2))
    answers_to(db, people, ranked_room, 0, {a: [1, 0, 2, 3], b: [1, 2, 0, 3]})
    answers_to(db, people, ranked_room, 1, {a: 0, b: 1})
    answers_to(db, people, ranked_room, 3, {a: 1, b: 1})
    rows = list(
        csv.DictReader(io.StringIO(aggregate.export_csv(db, ranked_room.id).decode("utf-8-sig")))
    )
    ranked = [r for r in rows if r["step"] == "1"]
    assert ranked[0]["answer"] == "1. Funding; 2. Records; 3. Culture; 4. Workforce"
    revoted = [(r["answer"], r["first_vote"]) for r in rows if r["step"] == "4"]
    assert sorted(revoted) == [("B", "A"), ("B", "B")]
    assert all(r["first_vote"] == "" for r in rows if r["step"] != "4")
    text = summary.summary_markdown(db, ranked_room.id)
    assert "| Item | Mean rank | Position 1 | Position 2 | Position 3 | Position 4 |" in text
    assert "| Funding | 1.00 | 2 | 0 | 0 | 0 |" in text
    assert "| Right | 50% | 100% |" in text
    assert "| Wrong → right | 1 |" in text
    assert "| A | B | 1 |" in text
    assert "| Changed their answer | 1 of 2 who voted twice |" in text
    assert summary.summary_pdf(db, ranked_room.id).startswith(b"%PDF")


def test_the_presenter_view_carries_the_shift_and_hides_who_was_right_until_revealed(
    db, people, ranked_room
):
    a, b = (participants.join(db, ranked_room.code, "", "ip") for _ in range(2))
    answers_to(db, people, ranked_room, 1, {a: 0, b: 1})
    answers_to(db, people, ranked_room, 3, {a: 1, b: 1})
    workshops.reveal_results(db, people.facilitator, ranked_room.id)
    shift = presenter.presenter_view(db, ranked_room.id)["results"]["shift"]
    assert (shift["changed"], shift["both"], shift["right_first"]) == (1, 2, None)
    assert [o["first"] for o in shift["options"]] == [1, 1, 0]
    assert {o["correct"] for o in shift["options"]} == {None}
    workshops.reveal_answer(db, people.facilitator, ranked_room.id)
    shift = presenter.presenter_view(db, ranked_room.id)["results"]["shift"]
    assert (shift["right_first"], shift["right_second"], shift["wrong_to_right"]) == (0.5, 1, 1)
    assert [o["correct"] for o in shift["options"]] == [False, True, False]


def test_the_presenter_view_carries_a_rankings_mean_ranks(db, people, ranked_room):
    step = workshops.step_at(db, ranked_room.id, 4)
    person = participants.join(db, ranked_room.code, "", "ip")
    answers_to(db, people, ranked_room, 4, {person: step.answer["order"]})
    workshops.reveal_results(db, people.facilitator, ranked_room.id)
    ranking = presenter.presenter_view(db, ranked_room.id)["results"]["ranking"]
    assert [(i["label"], i["mean_rank"], i["right_place"]) for i in ranking["items"]] == [
        ("Structure", 1, None),
        ("Process", 2, None),
        ("Outcome", 3, None),
    ]
