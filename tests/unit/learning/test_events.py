"""Learning events: what a learner did reaches the listeners (LMS, LRS) once, after it is saved."""

from __future__ import annotations

import pytest

from carelab.learning import events, progress, services
from carelab.learning.progress import ProgressError
from tests.unit.learning.test_case_progress import case
from tests.unit.learning.test_progress import learner, module

__all__ = ["learner"]
BASE = "http://carelab.test"


@pytest.fixture
def heard():
    """Every event emitted during the test, in order."""
    found: list[events.LearningEvent] = []
    events.on_learning_event(found.append)
    yield found
    events.remove_listener(found.append)


def test_a_module_from_launch_to_completion_tells_each_step_once(db, learner, heard):
    mod = module()
    attempt = services.open_player(learner, mod).attempt
    services.open_player(learner, mod)  # resumed: not a second launch
    assert [e.kind for e in heard] == ["launched"]
    assert (heard[0].activity_id, heard[0].activity_title, heard[0].attempt_id) == (
        "m",
        mod.title,
        attempt.id,
    )
    services.leave_step(attempt, "read", "quiz")
    services.answer(attempt, "quiz", mod.steps[1].questions[0], False)  # wrong first
    services.answer(attempt, "quiz", mod.steps[1].questions[0], True)
    services.answer(attempt, "quiz", mod.steps[1].questions[1], "10")
    services.save_reflection(attempt, mod.steps[2], {"what": "I learned X."})
    answered = [e for e in heard if e.kind == "answered"]
    assert [(e.question_id, e.correct, e.score_scaled) for e in answered] == [
        ("q1", False, 0.0),
        ("q1", True, 0.0),  # the first answer is the one scored
        ("q2", True, 1.0),
    ]
    assert answered[0].question_text == mod.steps[1].questions[0].prompt
    assert answered[0].response == "false" and answered[0].step_id == "quiz"
    assert [e.step_id for e in heard if e.kind == "reflected"] == ["think"]
    services.complete(learner, attempt, mod, BASE)
    services.complete(learner, attempt, mod, BASE)  # asked again: the same certificate
    (done,) = [e for e in heard if e.kind == "completed"]
    assert done.passed is True and done.score_scaled == pytest.approx(0.5)
    assert done.duration_seconds is not None and done.duration_seconds >= 0
    assert {e.user_id for e in heard} == {learner.id}


def test_finishing_below_the_pass_mark_tells_a_failure_and_issues_nothing(db, learner, heard):
    mod = module()
    attempt = progress.current_attempt(db, learner, mod)
    progress.finish_step(db, attempt, "read")
    services.answer(attempt, "quiz", mod.steps[1].questions[0], False)
    services.answer(attempt, "quiz", mod.steps[1].questions[1], "3")
    services.save_reflection(attempt, mod.steps[2], {"what": "Not much."})
    with pytest.raises(ProgressError, match="pass mark"):
        services.complete(learner, attempt, mod, BASE)
    assert [(e.kind, e.passed, e.score_scaled) for e in heard if e.kind != "answered"][-1] == (
        "failed",
        False,
        0.0,
    )
    assert not [e for e in heard if e.kind == "completed"]


def test_steps_left_undone_are_not_a_failure(db, learner, heard):
    mod = module()
    attempt = progress.current_attempt(db, learner, mod)
    with pytest.raises(ProgressError, match="remaining required steps"):
        services.complete(learner, attempt, mod, BASE)
    assert not [e for e in heard if e.kind in ("failed", "completed")]


def test_a_listener_that_fails_costs_the_learner_nothing(db, learner, heard):
    def broken(_event):
        raise RuntimeError("the LRS queue is broken")

    events.on_learning_event(broken)
    try:
        mod = module()
        attempt = services.open_player(learner, mod).attempt
        saved = services.answer(attempt, "quiz", mod.steps[1].questions[1], "10")
    finally:
        events.remove_listener(broken)
    assert saved.last_correct and services.answers(attempt)["q2"] == saved
    assert [e.kind for e in heard] == ["launched", "answered"]  # the others still heard


def test_a_case_quiz_tells_its_answers_and_its_completion(db, learner, heard):
    c = case()
    attempt = services.open_case_quiz(learner, c).attempt
    for question, value in zip(c.quiz, (0, True, "3.5"), strict=True):  # all right
        services.answer_case(attempt, c, question, value)
    kinds = [e.kind for e in heard]
    assert kinds == ["launched"] + ["answered"] * len(c.quiz) + ["completed"]
    assert heard[-1].activity_kind == "case" and heard[-1].score_scaled == pytest.approx(1.0)


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown learning event"):
        events.LearningEvent("opened", 1, "module", "m", "M", 1, 0.0)
