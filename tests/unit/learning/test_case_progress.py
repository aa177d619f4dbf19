"""A case's quiz: the learner's own case attempt, a module's case step, and workshop steps."""

from __future__ import annotations

import pytest

from carelab import auth
from carelab.content.loader import load_yaml_text
from carelab.content.schema import Case, Module
from carelab.learning import case_progress, progress
from carelab.learning.grading import InvalidAnswer
from carelab.learning.progress import ProgressError
from carelab.store import db as store_db
from carelab.store import learning as store
from carelab.workshop.steps import steps_from_case

CASE_YAML = """\
id: shared
title: A case
setting: Somewhere, 2020
summary: What happened.
version: "{version}"
sections:
  - {{heading: Story, body: It happened., sources: [s]}}
sources:
  - {{id: s, citation: Someone 2020.}}
workshop_plan:
  - {{id: talk, kind: discussion, title: Talk, prompt: Talk it over., minutes: 5}}
quiz:
  - id: same
    kind: single_choice
    prompt: Pick the right one.
    options:
      - {{text: Right, correct: true}}
      - {{text: Wrong}}
    explanation: Because.
    source: s
  - {{id: sure, kind: true_false, prompt: True?, explanation: E, answer: true}}
  - {{id: count, kind: numeric, prompt: How many?, explanation: E, answer: 3.5, tolerance: 0}}
"""
# A module with the same id as the case, its own question "same", and a step showing the case.
MODULE_YAML = """\
id: shared
title: A module
summary: S
learning_objectives: [Do a thing]
estimated_minutes: 30
version: "1.0"
pass_mark: 0.5
steps:
  - id: quiz
    kind: quiz
    title: Quiz
    questions:
      - {id: same, kind: true_false, prompt: P, explanation: E, answer: false}
  - {id: the-case, kind: case, title: The case, case: shared}
"""


def case(version: str = "1") -> Case:
    return Case.model_validate(load_yaml_text(CASE_YAML.format(version=version), "c").data)


def module() -> Module:
    return Module.model_validate(load_yaml_text(MODULE_YAML, "m").data)


@pytest.fixture
def learner(db):
    auth.create_account(db, "admin@example.org", "correct horse battery", "The admin")
    return auth.create_account(db, "lee@example.org", "correct horse battery", "Lee")


def answer_all(db, attempt, c: Case, values=(0, True, "3.5")) -> None:
    for question, value in zip(c.quiz, values, strict=True):
        case_progress.record_case_answer(db, attempt, c, question, value)


# --- the case page's own attempt -------------------------------------------------------


def test_each_answer_is_saved_at_once_and_the_first_one_is_scored(db, learner):
    c = case()
    attempt = case_progress.current_case_attempt(db, learner, c)
    assert not case_progress.record_case_answer(db, attempt, c, c.quiz[0], 1).correct
    assert case_progress.record_case_answer(db, attempt, c, c.quiz[0], 0).correct
    row = progress.answers(db, attempt)["same"]
    assert (row.score, row.tries, row.last_correct, row.step_id) == (
        0.0,
        2,
        1,
        case_progress.CASE_QUIZ_STEP,
    )
    status = case_progress.case_status(db, attempt, c)
    assert (status.answered, status.questions, status.complete) == (1, 3, False)
    # The same attempt comes back on the next visit, with its answer.
    again = case_progress.current_case_attempt(db, learner, c)
    assert again.id == attempt.id and "same" in progress.answers(db, again)


def test_the_last_first_answer_completes_the_case_and_fixes_its_score(db, learner):
    c = case()
    attempt = case_progress.current_case_attempt(db, learner, c)
    answer_all(db, attempt, c, (1, True, "3"))  # one right of three
    status = case_progress.case_status(db, attempt, c)
    assert status.complete and status.completed_score == pytest.approx(1 / 3)
    # Trying again afterwards is allowed, to learn, and changes no score.
    case_progress.record_case_answer(db, attempt, c, c.quiz[0], 0)
    later = case_progress.case_status(db, attempt, c)
    assert later.completed_score == pytest.approx(1 / 3) and later.score == pytest.approx(1 / 3)
    assert progress.answers(db, attempt)["same"].last_correct == 1


def test_a_wrong_form_of_answer_is_refused_and_nothing_is_saved(db, learner):
    c = case()
    attempt = case_progress.current_case_attempt(db, learner, c)
    with pytest.raises(InvalidAnswer):
        case_progress.record_case_answer(db, attempt, c, c.quiz[2], "three and a half")
    assert progress.answers(db, attempt) == {}


def test_starting_again_and_a_new_version_open_new_attempts(db, learner):
    c = case()
    first = case_progress.current_case_attempt(db, learner, c)
    answer_all(db, first, c)
    second = case_progress.new_case_attempt(db, learner, c)
    assert second.id != first.id and progress.answers(db, second) == {}
    assert case_progress.current_case_attempt(db, learner, c).id == second.id
    newer = case_progress.current_case_attempt(db, learner, case(version="2"))
    assert newer.id != second.id and newer.module_version == "2"
    # The completed first attempt keeps its score.
    assert store.attempt(db, first.id).score == 1.0


def test_my_learning_lists_answered_case_attempts_with_status_and_score(db, learner):
    c = case()
    viewed_only = case_progress.current_case_attempt(db, learner, c)
    assert case_progress.case_records(db, learner.id, {"shared": c}) == []
    case_progress.record_case_answer(db, viewed_only, c, c.quiz[0], 0)
    [record] = case_progress.case_records(db, learner.id, {"shared": c})
    assert (record.title, record.answered, record.questions, record.completed_at) == (
        "A case",
        1,
        3,
        None,
    )
    answer_all(db, viewed_only, c)
    [record] = case_progress.case_records(db, learner.id, {"shared": c})
    assert record.completed_at is not None and record.score == 1.0
    # A case gone from the catalog is still listed, by its id.
    [gone] = case_progress.case_records(db, learner.id, {})
    assert (gone.title, gone.questions) == ("shared", None)


def test_a_case_and_a_module_with_the_same_id_keep_apart(db, learner):
    c, m = case(), module()
    case_attempt = case_progress.current_case_attempt(db, learner, c)
    module_attempt = progress.current_attempt(db, learner, m)
    assert module_attempt.id != case_attempt.id
    assert {module_attempt.number, case_attempt.number} == {1, 2}  # one UNIQUE number
    assert [a.id for a in store.attempts_of(db, learner.id)] == [module_attempt.id]
    assert progress.older_version_attempt(db, learner, m) is None
    with pytest.raises(ProgressError, match="another case"):
        case_progress.record_case_answer(db, module_attempt, c, c.quiz[0], 0)
    # "Download my data" has both.
    kinds = {a["kind"] for a in store.user_data(db, learner.id)["attempts"]}
    assert kinds == {"module", "case"}


def test_the_migration_is_recorded_and_earlier_attempts_are_modules(db_path, db, learner):
    assert "0005_case_progress" in store_db.applied_migrations(db)
    attempt = progress.current_attempt(db, learner, module())
    assert attempt.kind == "module"


# --- a module's case step ---------------------------------------------------------------


def test_a_case_steps_questions_count_in_the_module_score(db, learner):
    c, m = case(), module()
    attempt = progress.current_attempt(db, learner, m)
    assert progress.status(db, attempt, m).questions == 1  # without the catalog's cases
    status = progress.status(db, attempt, m, {"shared": c})
    assert (status.questions, status.answered, status.passed) == (4, 0, False)

    progress.record_answer(db, attempt, "quiz", m.steps[0].questions[0], False)  # right
    status = progress.status(db, attempt, m, {"shared": c})
    assert status.score == 0.25 and not status.passed and "the-case" not in status.done
    for question, value in zip(c.quiz, (0, True), strict=False):
        answer_id = progress.case_answer_id("the-case", question.id)
        progress.record_answer(db, attempt, "the-case", question, value, answer_id)
    status = progress.status(db, attempt, m, {"shared": c})
    assert status.score == 0.75 and status.passed and "the-case" not in status.done
    # The module's own "same" and the case's "same" are two answers.
    assert {"same", "the-case.same", "the-case.sure"} == set(progress.answers(db, attempt))
    progress.record_answer(db, attempt, "the-case", c.quiz[2], "3.5", "the-case.count")
    assert "the-case" in progress.status(db, attempt, m, {"shared": c}).done


def test_a_module_cannot_be_completed_below_the_pass_mark_its_case_questions_pull_to(db, learner):
    c, m = case(), module()
    attempt = progress.current_attempt(db, learner, m)
    progress.record_answer(db, attempt, "quiz", m.steps[0].questions[0], False)
    progress.finish_step(db, attempt, "the-case")
    with pytest.raises(ProgressError, match="Your score is 25%; the pass mark is 50%"):
        progress.complete(db, learner, attempt, m, "http://x", {"shared": c})
    for question, value in zip(c.quiz, (0, True), strict=False):
        answer_id = progress.case_answer_id("the-case", question.id)
        progress.record_answer(db, attempt, "the-case", question, value, answer_id)
    data = progress.complete(db, learner, attempt, m, "http://x", {"shared": c})
    assert data.score == 0.75


def test_the_case_page_and_the_module_keep_separate_answers(db, learner):
    c, m = case(), module()
    module_attempt = progress.current_attempt(db, learner, m)
    progress.record_answer(db, module_attempt, "the-case", c.quiz[0], 0, "the-case.same")
    case_attempt = case_progress.current_case_attempt(db, learner, c)
    assert progress.answers(db, case_attempt) == {}
    assert case_progress.case_records(db, learner.id, {"shared": c}) == []


# --- workshops --------------------------------------------------------------------------


def test_a_workshop_from_a_case_can_add_its_quiz_after_the_plan():
    c = case()
    assert [s.id for s in steps_from_case(c)] == ["talk"]
    steps = steps_from_case(c, with_quiz=True)
    assert [s.id for s in steps] == ["talk", "case-quiz.same", "case-quiz.sure", "case-quiz.count"]
    first, sure, count = steps[1:]
    assert first.title == "Case quiz: question 1 of 3"
    assert (first.mode, first.options, first.answer) == (
        "single",
        ("Right", "Wrong"),
        {"options": [0]},
    )
    assert (sure.options, sure.answer) == (("True", "False"), {"options": [0]})
    assert (count.mode, count.answer) == ("numeric", {"value": 3.5, "tolerance": 0})
    assert first.explanation == "Because." and first.prompt == "Pick the right one."
