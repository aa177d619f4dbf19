"""The pages' services: whole operations that return dataclasses, each write all or nothing."""

from __future__ import annotations

import pytest

from carelab.learning import case_progress, progress, services
from carelab.learning.case_progress import CaseRecord, CaseStatus
from carelab.learning.certificate import CertificateData, CertificateError
from carelab.learning.progress import ProgressError, Status
from carelab.learning.records import Attempt, Certificate, SavedAnswer
from carelab.learning.reflective_log import ReflectionEntry
from carelab.store import learning as store
from tests.unit.learning.test_case_progress import case
from tests.unit.learning.test_progress import finish_everything, learner, module

__all__ = ["learner"]  # the fixture, shared with test_progress
BASE = "http://carelab.test"


class Boom(Exception):
    """A failure in the middle of a write."""


def fail(*args, **kwargs):
    raise Boom


def test_the_player_gets_its_attempt_and_standing_as_dataclasses(db, learner):
    mod = module()
    player = services.open_player(learner, mod)
    assert isinstance(player.attempt, Attempt) and isinstance(player.status, Status)
    assert (player.attempt.module_id, player.attempt.number, player.older) == ("m", 1, None)
    assert services.open_player(learner, mod).attempt == player.attempt  # resumed, not new
    saved = services.answer(player.attempt, "quiz", mod.steps[1].questions[1], "9,5")
    assert isinstance(saved, SavedAnswer)
    assert (saved.question_id, saved.score, saved.tries, saved.last_correct) == ("q2", 1.0, 1, True)
    assert services.answers(player.attempt) == {"q2": saved}
    services.leave_step(player.attempt, "read", "quiz")
    again = services.open_player(learner, mod)
    assert again.attempt.current_step == "quiz" and "read" in again.status.done


def test_completing_through_the_services_gives_the_certificate_everywhere(db, learner):
    mod = module()
    attempt = finish_everything(db, learner, mod)
    before = services.completion(attempt, mod, None, BASE)
    assert before.certificate is None and before.status.passed
    issued = services.complete(learner, attempt, mod, BASE)
    assert isinstance(issued, CertificateData)
    assert services.completion(attempt, mod, None, BASE).certificate == issued
    mine = services.my_learning(learner, {}, BASE)
    assert mine.certificates == (issued,)
    assert [a.complete for a in mine.attempts] == [True]
    found = services.verify(issued.code.lower().replace("-", " "))
    assert found.code == issued.code and isinstance(found.certificate, Certificate)
    assert found.certificate.learner_name == learner.display_name
    assert services.verify("CL-2222-2222-2222-2222").certificate is None
    with pytest.raises(CertificateError, match=r"The code is unknown\. That is not a CareLab"):
        services.verify("hello")


def test_reflections_come_back_as_log_entries_with_the_modules_title(db, learner):
    mod = module()
    attempt = progress.current_attempt(db, learner, mod)
    services.save_reflection(attempt, mod.steps[2], {"what": "I learned X."})
    assert services.reflection(attempt, "think").what == "I learned X."
    (entry,) = services.reflection_entries(learner, {"m": "A module"})
    assert isinstance(entry, ReflectionEntry)
    assert (entry.module_title, entry.step_title, entry.what) == (
        "A module",
        "Think",
        "I learned X.",
    )
    assert services.reflection_entries(learner, {}, "other") == []


def test_a_case_page_quiz_through_the_services(db, learner):
    c = case()
    quiz = services.open_case_quiz(learner, c)
    assert quiz.attempt.kind == "case" and quiz.answers == {}
    for question, value in zip(c.quiz, (0, True, "3.5"), strict=True):
        assert isinstance(services.answer_case(quiz.attempt, c, question, value), SavedAnswer)
    status = services.case_status(quiz.attempt, c)
    assert isinstance(status, CaseStatus) and status.complete and status.completed_score == 1.0
    (record,) = services.my_learning(learner, {c.id: c}, BASE).cases
    assert isinstance(record, CaseRecord) and record.answered == 3
    assert services.new_case_attempt(learner, c).number == 2


# --- every multi-statement write is all or nothing ---------------------------------------


def test_a_failed_certificate_leaves_the_attempt_open(db, learner, monkeypatch):
    mod = module()
    attempt = finish_everything(db, learner, mod)
    monkeypatch.setattr(store, "insert_certificate", fail)
    with pytest.raises(Boom):
        progress.complete(db, learner, attempt, mod, BASE)
    assert not store.attempt(db, attempt.id).complete
    assert store.certificate_for_attempt(db, attempt.id) is None
    monkeypatch.undo()
    assert progress.complete(db, learner, attempt, mod, BASE).code  # and it can complete later


def test_a_reflection_is_not_kept_when_its_step_cannot_be_marked_done(db, learner, monkeypatch):
    mod = module()
    attempt = progress.current_attempt(db, learner, mod)
    monkeypatch.setattr(store, "mark_step_done", fail)
    with pytest.raises(Boom):
        progress.save_reflection(db, attempt, mod.steps[2], {"what": "I learned X."})
    assert progress.reflections(db, attempt) == {}


def test_leaving_a_step_that_cannot_move_does_not_mark_it_done(db, learner, monkeypatch):
    attempt = progress.current_attempt(db, learner, module())
    monkeypatch.setattr(store, "set_current_step", fail)
    with pytest.raises(Boom):
        progress.leave_step(db, attempt, "read", "quiz")
    assert store.done_steps(db, attempt.id) == set()


def test_a_last_case_answer_is_not_kept_when_the_case_cannot_complete(db, learner, monkeypatch):
    c = case()
    attempt = case_progress.current_case_attempt(db, learner, c)
    for question, value in zip(c.quiz[:2], (0, True), strict=True):
        case_progress.record_case_answer(db, attempt, c, question, value)
    monkeypatch.setattr(store, "complete_attempt", fail)
    with pytest.raises(Boom):
        case_progress.record_case_answer(db, attempt, c, c.quiz[2], "3.5")
    assert sorted(progress.answers(db, attempt)) == ["same", "sure"]
    assert not store.attempt(db, attempt.id).complete


def test_an_answer_to_an_attempt_completed_elsewhere_is_refused(db, learner):
    mod = module()
    attempt = finish_everything(db, learner, mod)
    services.complete(learner, attempt, mod, BASE)
    with pytest.raises(ProgressError, match="This attempt is complete"):
        services.answer(attempt, "quiz", mod.steps[1].questions[0], False)
    assert services.answers(attempt)["q1"].tries == 1
