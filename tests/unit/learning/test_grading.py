"""Marking every question kind, partial credit, option order and what counts as a number."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from carelab.content import schema
from carelab.learning.grading import (
    InvalidAnswer,
    decode,
    encode,
    grade,
    option_order,
    parse_number,
)

QUESTION = TypeAdapter(schema.Question)


def q(**fields):
    return QUESTION.validate_python({"id": "q", "prompt": "P", "explanation": "Because.", **fields})


SINGLE = q(kind="single_choice", options=[
    {"text": "A", "correct": True, "feedback": "Yes"}, {"text": "B", "feedback": "No, B is..."},
    {"text": "C"},
])  # fmt: skip
MULTI = q(kind="multiple_choice", options=[
    {"text": "A", "correct": True}, {"text": "B", "correct": True}, {"text": "C"}, {"text": "D"},
])  # fmt: skip


def test_single_choice_right_and_wrong_with_option_feedback():
    right = grade(SINGLE, 0)
    assert (right.score, right.correct) == (1.0, True)
    wrong = grade(SINGLE, 1)
    assert (wrong.score, wrong.correct) == (0.0, False)
    chosen = [o for o in wrong.options if o.chosen]
    assert chosen[0].feedback == "No, B is..." and not chosen[0].correct
    assert wrong.explanation == "Because."


@pytest.mark.parametrize(
    ("chosen", "score", "correct"),
    [([0, 1], 1.0, True), ([0], 0.5, False), ([0, 2], 0.0, False), ([0, 1, 2], 0.5, False),
     ([2, 3], 0.0, False)],
)  # fmt: skip
def test_multiple_choice_partial_credit_never_below_zero(chosen, score, correct):
    result = grade(MULTI, chosen)
    assert (result.score, result.correct) == (score, correct)


def test_author_weights_override_the_default_shares():
    weighted = q(kind="multiple_choice", options=[
        {"text": "A", "correct": True, "weight": 70}, {"text": "B", "correct": True, "weight": 30},
        {"text": "C", "weight": -100},
    ])  # fmt: skip
    assert grade(weighted, [0]).score == 0.7
    assert grade(weighted, [0, 2]).score == 0.0


def test_true_false_gives_the_feedback_for_the_choice():
    tf = q(kind="true_false", answer=False, feedback_true="It is not.", feedback_false="Right.")
    assert grade(tf, True).feedback == "It is not." and not grade(tf, True).correct
    assert grade(tf, False).correct


@pytest.mark.parametrize(
    ("typed", "correct"),
    [("3.5", True), ("3,5", True), (" 3.9 ", True), ("4.1", False), ("1,764", False)],
)
def test_numeric_within_tolerance(typed, correct):
    numeric = q(kind="numeric", answer=3.5, tolerance=0.5)
    assert grade(numeric, parse_number(typed)).correct is correct


@pytest.mark.parametrize("typed", ["three", "", "3.5.1", "nan", "inf"])
def test_numeric_that_is_not_a_number_gets_a_clear_message(typed):
    with pytest.raises(InvalidAnswer, match="number"):
        parse_number(typed)


def test_thousands_and_percent_are_read_as_people_type_them():
    assert parse_number("1,764") == 1764.0
    assert parse_number("40%") == 40.0


def test_short_text_ignores_case_and_spacing_and_allows_wildcards():
    short = q(kind="short_text", accepted=["SBAR", "situation*recommendation"])
    assert grade(short, "  sbar ").correct
    assert grade(short, "Situation, background, assessment, recommendation").correct
    assert not grade(short, "SOAP").correct
    with pytest.raises(InvalidAnswer):
        grade(short, "   ")
    strict = q(kind="short_text", accepted=["SBAR"], case_sensitive=True)
    assert not grade(strict, "sbar").correct


def test_choice_needs_an_answer():
    with pytest.raises(InvalidAnswer, match="Choose"):
        grade(MULTI, [])
    # Pressing "Check my answer" before choosing sends None.
    with pytest.raises(InvalidAnswer, match="Choose an option before checking your answer"):
        grade(SINGLE, None)
    with pytest.raises(InvalidAnswer, match="Choose true or false"):
        grade(q(kind="true_false", answer=True), None)
    with pytest.raises(InvalidAnswer):
        grade(SINGLE, 7)


def test_option_order_is_fixed_per_attempt_and_differs_between_attempts():
    assert option_order(MULTI, 1) == option_order(MULTI, 1)
    orders = {tuple(option_order(MULTI, seed)) for seed in range(20)}
    assert len(orders) > 1
    fixed = q(kind="single_choice", shuffle=False, options=[
        {"text": "A", "correct": True}, {"text": "B"}, {"text": "C"},
    ])  # fmt: skip
    assert {tuple(option_order(fixed, seed)) for seed in range(20)} == {(0, 1, 2)}


def test_stored_responses_round_trip_and_compare_equal_whatever_the_order():
    assert encode([2, 0]) == encode([0, 2])
    assert decode(encode([2, 0])) == [0, 2]
    assert decode(encode(True)) is True


BED_DAYS = q(kind="numeric", answer=3.5, tolerance=0.05, wrong_answers=[
    {"answer": 3, "feedback": "3 is the rounded figure; the source gives 3.5."},
    {"answer": 10, "tolerance": 1, "feedback": "That is the NHS figure, not Kaiser's."},
])  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "correct", "feedback"),
    [("3,5", True, None), ("3", False, "3 is the rounded figure; the source gives 3.5."),
     ("10.8", False, "That is the NHS figure, not Kaiser's."), ("7", False, None)],
)  # fmt: skip
def test_a_likely_wrong_number_gets_its_own_feedback(typed, correct, feedback):
    result = grade(BED_DAYS, parse_number(typed))
    assert (result.correct, result.feedback) == (correct, feedback)
    assert result.explanation == "Because."


def test_a_likely_wrong_phrase_gets_its_own_feedback_only_when_not_accepted():
    short = q(kind="short_text", accepted=["bed days*"], wrong_answers=[
        {"answer": "length of stay*", "feedback": "Length of stay is per admission."},
        {"answer": "*days*", "feedback": "Which days?"},
    ])  # fmt: skip
    assert grade(short, "Length of  stay").feedback == "Length of stay is per admission."
    assert grade(short, "bed days per 1000").feedback is None
    assert grade(short, "hospital days").feedback == "Which days?"
    assert grade(short, "admissions").feedback is None


def test_a_wrong_answer_inside_the_right_answers_tolerance_is_refused():
    with pytest.raises(ValueError, match=r"wrong answer 3\.6 is within the tolerance"):
        q(kind="numeric", answer=3.5, tolerance=0.2, wrong_answers=[
            {"answer": 3.6, "feedback": "?"},
        ])  # fmt: skip


def test_level_and_objective_are_optional_and_level_must_be_one_of_four():
    assert (SINGLE.level, SINGLE.objective) == (None, None)
    tagged = q(kind="true_false", answer=True, level="apply", objective="read-a-chart")
    assert (tagged.level, tagged.objective) == ("apply", "read-a-chart")
    with pytest.raises(ValueError, match="'recall', 'understand', 'apply' or 'analyse'"):
        q(kind="true_false", answer=True, level="evaluate")
