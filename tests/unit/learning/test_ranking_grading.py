"""A ranking question in a module: the answer's form, the footrule credit, saving, reports."""

from __future__ import annotations

import json

import pytest

from carelab import auth
from carelab.content.loader import load_yaml_text
from carelab.content.schema import Module, Ranking
from carelab.learning import grading, progress, reports
from carelab.learning.grading import InvalidAnswer, check_and_grade, footrule, grade, item_order
from tests.unit.learning.test_reports import complete

CHAIN = Ranking(
    id="chain",
    kind="ranking",
    prompt="Order them.",
    explanation="Structure, then process, then outcome.",
    items=["Structure", "Process", "Outcome", "Cost"],
)


@pytest.mark.parametrize(
    ("order", "score", "away"),
    [
        ([0, 1, 2, 3], 1.0, 0),
        ([1, 0, 2, 3], 0.75, 2),  # one swap of neighbours: 2 of at most 8 places
        ([0, 3, 2, 1], 0.5, 4),
        ([3, 2, 1, 0], 0.0, 8),  # reversed: as far as any order can be
    ],
)
def test_only_the_right_order_gets_full_marks_and_others_get_footrule_credit(order, score, away):
    result = grade(CHAIN, order)
    assert (result.score, result.correct) == (score, away == 0)
    assert footrule(order) == (away, 8)


def test_the_feedback_shows_both_orders_and_the_sum_behind_the_score():
    result = grade(CHAIN, [1, 0, 2, 3])
    assert result.feedback.splitlines() == [
        "Your order: 1. Process · 2. Structure · 3. Outcome · 4. Cost",
        "",
        "The right order: 1. Structure · 2. Process · 3. Outcome · 4. Cost",
        "",
        "2 of 4 items in their right place. Partial credit: your items are 2 places away "
        "from their right places in all, of at most 8 for 4 items, so the score is "
        "1 − 2/8 = 75%.",
    ]
    assert result.explanation == "Structure, then process, then outcome."
    assert (
        grade(CHAIN, [0, 1, 2, 3]).feedback
        == "Your order: 1. Structure · 2. Process · 3. Outcome · 4. Cost"
    )


@pytest.mark.parametrize(
    ("response", "message"),
    [
        ([0, 0, 2, 3], "'Structure' is in positions 1 and 2: give each item one position."),
        ([0, 1, 2], "Give 'Cost' a position: order all 4 items."),
        (None, "Put the items in order before sending."),
        ("0123", "Put the items in order before sending."),
    ],
)
def test_anything_but_an_order_of_every_item_is_refused_with_what_to_fix(response, message):
    with pytest.raises(InvalidAnswer) as refused:
        check_and_grade(CHAIN, response)
    assert str(refused.value) == message


def test_an_order_is_stored_in_its_order_while_chosen_options_are_sorted():
    response, _ = check_and_grade(CHAIN, [2, 0, 3, 1])
    assert grading.encode(response) == "[2, 0, 3, 1]"
    assert grading.encode([2, 0]) == "[0, 2]"
    assert grading.decode(grading.encode(response)) == [2, 0, 3, 1]


def test_the_items_start_shuffled_never_in_the_right_order():
    starts = {tuple(item_order(CHAIN, seed)) for seed in range(200)}
    assert (0, 1, 2, 3) not in starts and len(starts) > 10


RANKED_MODULE = """\
id: ranked
title: Ranked
summary: S
learning_objectives: [Order things]
estimated_minutes: 10
version: "1"
pass_mark: 0
steps:
  - id: quiz
    kind: quiz
    title: Quiz
    questions:
      - {id: chain, kind: ranking, prompt: Order, explanation: E, items: [S, P, O]}
      - {id: tf, kind: true_false, prompt: True?, explanation: E, answer: true}
"""


def test_a_module_saves_the_order_at_once_and_the_item_analysis_copes(db):
    module = Module.model_validate(load_yaml_text(RANKED_MODULE, "r").data)
    given = [([0, 1, 2], True), ([1, 0, 2], True), ([0, 1, 2], False), ([2, 1, 0], False),
             ([0, 1, 2], True)]  # fmt: skip
    for n, answers in enumerate(given):
        user = auth.create_account(db, f"l{n}@example.org", "correct horse battery", f"N{n}")
        attempt = complete(db, user, module, answers, 10)
    assert json.loads(progress.answers(db, attempt)["chain"].last_response) == [0, 1, 2]
    analysis = reports.item_analysis_in(db, module)
    chain = analysis.items[0]
    assert (chain.kind, chain.learners, chain.difficulty, chain.options) == ("ranking", 5, 0.6, ())
    row = reports.item_rows(analysis)[0]
    assert row["kind"] == "ranking"
    assert json.loads(reports.items_json(analysis))["items"][0]["difficulty"] == 0.6


def test_a_partly_right_order_is_saved_as_given_with_its_credit(db):
    module = Module.model_validate(load_yaml_text(RANKED_MODULE, "r").data)
    user = auth.create_account(db, "one@example.org", "correct horse battery", "One")
    attempt = progress.current_attempt(db, user, module)
    question = module.steps[0].questions[0]
    progress.record_answer(db, attempt, "quiz", question, [1, 0, 2])
    saved = progress.answers(db, attempt)["chain"]
    assert (json.loads(saved.last_response), saved.score) == ([1, 0, 2], 0.5)
