"""Attempts, saved answers and reflections, versions, completion, certificates, deletion."""

from __future__ import annotations

import threading

import pytest

from carelab import auth
from carelab.content import timing
from carelab.content.loader import load_yaml_text
from carelab.content.schema import Module
from carelab.learning import active_time, progress
from carelab.learning.errors import TextTooLong
from carelab.learning.grading import InvalidAnswer
from carelab.store import db as store_db
from carelab.store import learning as store

MODULE_YAML = """\
id: m
title: A module
summary: S
learning_objectives: [Do a thing, Do another]
estimated_minutes: 30
version: "{version}"
pass_mark: 0.5
sources:
  - {{id: s, citation: Someone 2020.}}
steps:
  - {{id: read, kind: text, title: Read, body: Text.}}
  - id: quiz
    kind: quiz
    title: Quiz
    questions:
      - {{id: q1, kind: true_false, prompt: P, explanation: E, answer: true, source: s}}
      - {{id: q2, kind: numeric, prompt: P, explanation: E, answer: 10, tolerance: 1}}
  - {{id: think, kind: reflection, title: Think, prompt: Reflect.}}
  - {{id: extra, kind: text, title: Extra, body: More., required: false}}
"""


def module(version="1.0") -> Module:
    return Module.model_validate(load_yaml_text(MODULE_YAML.format(version=version), "m").data)


@pytest.fixture
def learner(db):
    auth.create_account(db, "admin@example.org", "correct horse battery", "The admin")
    return auth.create_account(db, "lee@example.org", "correct horse battery", "Łukasz Żółć")


def finish_everything(db, learner, mod, answers=(True, "10")):
    attempt = progress.current_attempt(db, learner, mod)
    progress.finish_step(db, attempt, "read")
    progress.record_answer(db, attempt, "quiz", mod.steps[1].questions[0], answers[0])
    progress.record_answer(db, attempt, "quiz", mod.steps[1].questions[1], answers[1])
    progress.save_reflection(db, attempt, mod.steps[2], {"what": "I learned X."})
    return attempt


def test_resume_returns_the_same_attempt_and_its_saved_answers(db, learner):
    mod = module()
    first = progress.current_attempt(db, learner, mod)
    progress.record_answer(db, first, "quiz", mod.steps[1].questions[0], False)
    progress.move_to(db, first, "quiz")
    again = progress.current_attempt(db, learner, mod)
    assert again.id == first.id and again.current_step == "quiz"
    assert progress.answers(db, again)["q1"].last_response == "false"


def test_first_answer_is_scored_later_tries_are_recorded(db, learner):
    mod = module()
    attempt = progress.current_attempt(db, learner, mod)
    question = mod.steps[1].questions[0]
    assert not progress.record_answer(db, attempt, "quiz", question, False).correct
    assert progress.record_answer(db, attempt, "quiz", question, True).correct
    row = progress.answers(db, attempt)["q1"]
    assert (row.score, row.tries, row.last_correct) == (0.0, 2, 1)


def test_a_double_click_records_the_answer_once(db, learner):
    mod = module()
    attempt = progress.current_attempt(db, learner, mod)
    for _ in range(2):
        progress.record_answer(db, attempt, "quiz", mod.steps[1].questions[0], True)
    assert progress.answers(db, attempt)["q1"].tries == 1


def test_a_numeric_answer_that_is_not_a_number_is_refused_and_nothing_saved(db, learner):
    mod = module()
    attempt = progress.current_attempt(db, learner, mod)
    with pytest.raises(InvalidAnswer, match="'ten' is not a number"):
        progress.record_answer(db, attempt, "quiz", mod.steps[1].questions[1], "ten")
    assert progress.answers(db, attempt) == {}


SHORT_YAML = """\
id: s
title: Short
summary: S
learning_objectives: [Name it]
estimated_minutes: 5
version: "1"
steps:
  - id: quiz
    kind: quiz
    title: Quiz
    questions:
      - {id: word, kind: short_text, prompt: P, explanation: E, accepted: [handover]}
"""


def test_a_short_answer_longer_than_280_characters_is_refused_and_nothing_saved(db, learner):
    mod = Module.model_validate(load_yaml_text(SHORT_YAML, "s").data)
    attempt = progress.current_attempt(db, learner, mod)
    question = mod.steps[0].questions[0]
    with pytest.raises(TextTooLong) as refused:
        progress.record_answer(db, attempt, "quiz", question, "handover " * 40)
    assert str(refused.value) == (
        "Your answer can be at most 280 characters; it has 360. "
        "Shorten it and check it again: your text is still in the box."
    )
    assert (refused.value.limit, refused.value.fields) == (280, (("Your answer", 360),))
    assert progress.answers(db, attempt) == {}
    # At the limit exactly, the answer is marked and saved.
    assert not progress.record_answer(db, attempt, "quiz", question, "x" * 280).correct
    assert progress.answers(db, attempt)["word"].last_response == '"' + "x" * 280 + '"'


def test_a_numeric_answer_of_thousands_of_digits_is_refused_before_parsing(db, learner):
    mod = module()
    attempt = progress.current_attempt(db, learner, mod)
    with pytest.raises(TextTooLong, match="at most 40 characters; it has 4,000"):
        progress.record_answer(db, attempt, "quiz", mod.steps[1].questions[1], "9" * 4000)
    assert progress.answers(db, attempt) == {}


def test_reflections_are_bounded_and_kept(db, learner):
    mod = module()
    attempt = progress.current_attempt(db, learner, mod)
    step = mod.steps[2]
    with pytest.raises(progress.ProgressError, match="Write at least one part"):
        progress.save_reflection(db, attempt, step, {"what": "  "})
    with pytest.raises(TextTooLong) as refused:
        progress.save_reflection(db, attempt, step, {"what": "x" * 5001, "so_what": "Fine."})
    assert str(refused.value) == (
        "“What?” can be at most 5,000 characters; it has 5,001. "
        "Shorten it and save again: your text is still in the box."
    )
    assert progress.reflections(db, attempt) == {}
    with pytest.raises(TextTooLong) as refused:
        progress.save_reflection(db, attempt, step, {"so_what": "y" * 6000, "now_what": "z" * 5002})
    assert str(refused.value).startswith(
        "“So what?” and “Now what?” can each be at most 5,000 characters; they have 6,000 and "
        "5,002. Shorten them"
    )
    assert refused.value.fields == (("“So what?”", 6000), ("“Now what?”", 5002))
    # The limit is on what is kept: spaces around the text do not count.
    progress.save_reflection(db, attempt, step, {"what": " " * 10 + "x" * 5000 + "\n"})
    progress.save_reflection(db, attempt, step, {"what": "A", "so_what": "B", "now_what": "C"})
    saved = progress.reflections(db, attempt)["think"]
    assert (saved.what, saved.so_what, saved.now_what) == ("A", "B", "C")


def test_patient_identifiers_are_spotted():
    assert progress.identifier_warnings("NHS 943 476 5919, seen 03/04/2024") == [
        "an NHS number", "a full date",
    ]  # fmt: skip
    assert progress.identifier_warnings("I learned to ask about goals.") == []


def test_completion_needs_required_steps_and_the_pass_mark(db, learner):
    mod = module()
    attempt = progress.current_attempt(db, learner, mod)
    with pytest.raises(progress.ProgressError, match="Finish the 3 remaining required steps"):
        progress.complete(db, learner, attempt, mod, "http://x")
    attempt = finish_everything(db, learner, mod, answers=(False, "3"))
    with pytest.raises(progress.ProgressError, match="Your score is 0%; the pass mark is 50%"):
        progress.complete(db, learner, attempt, mod, "http://x")


def test_completing_issues_one_certificate_with_the_time_on_task(db, learner):
    mod = module()
    attempt = finish_everything(db, learner, mod)
    status = progress.status(db, attempt, mod)
    assert status.required_done and status.passed and status.score == 1.0
    # Three actions 4 and 5 minutes apart: 9 minutes on task.
    for minute in (0, 4, 9):
        active_time.record_action(db, attempt, now=1_000_000 + 60 * minute)
    cert = progress.complete(db, learner, attempt, mod, "http://carelab.test")
    assert cert.attested_minutes == 9 and cert.learner_name == "Łukasz Żółć"
    assert cert.estimated_minutes == timing.module_minutes(mod, {})
    assert cert.verify_url == f"http://carelab.test/?verify={cert.code}"
    assert progress.complete(db, learner, attempt, mod, "http://x").code == cert.code
    assert store.certificate(db, cert.code).module_version == "1.0"


def test_a_new_version_starts_a_new_attempt_and_keeps_the_old_answers(db, learner):
    old = module("1.0")
    first = progress.current_attempt(db, learner, old)
    progress.record_answer(db, first, "quiz", old.steps[1].questions[0], True)
    new = module("1.1")
    second = progress.current_attempt(db, learner, new)
    assert second.id != first.id and second.module_version == "1.1"
    assert progress.answers(db, second) == {}
    assert progress.answers(db, first)["q1"].last_response == "true"
    assert progress.older_version_attempt(db, learner, new).id == first.id


def test_a_new_attempt_keeps_earlier_attempts_recorded(db, learner):
    mod = module()
    first = finish_everything(db, learner, mod)
    progress.complete(db, learner, first, mod, "http://x")
    second = progress.new_attempt(db, learner, mod)
    assert second.number == 2 and progress.answers(db, second) == {}
    assert [a.number for a in store.attempts_of(db, learner.id)] == [2, 1]
    with pytest.raises(progress.ProgressError, match="This attempt is complete"):
        progress.record_answer(db, first, "quiz", mod.steps[1].questions[0], True)


def test_deleting_an_account_keeps_certificates_verifiable_without_the_name(db, learner):
    mod = module()
    attempt = finish_everything(db, learner, mod)
    cert = progress.complete(db, learner, attempt, mod, "http://x")
    auth.delete_account(db, learner, "correct horse battery")
    row = store.certificate(db, cert.code)
    assert row.learner_name is None and row.user_id is None
    assert store.attempts_of(db, learner.id) == []


def test_my_data_export_holds_everything_but_the_password(db, learner):
    finish_everything(db, learner, module())
    data = store.user_data(db, learner.id)
    assert data["account"]["email"] == "lee@example.org"
    assert "password_hash" not in data["account"]
    assert len(data["answers"]) == 2 and len(data["reflections"]) == 1


def test_answers_from_many_threads_are_each_stored_once(db_path, learner):
    """20 browser tabs answering 2 questions at once: no lock errors, no lost or extra rows."""
    mod = module()
    with store_db.session(db_path) as db:
        attempt = progress.current_attempt(db, learner, mod)
    errors = []

    def tab():
        try:
            with store_db.session(db_path) as db:
                for question in mod.steps[1].questions:
                    progress.record_answer(
                        db, attempt, "quiz", question, "10" if question.kind == "numeric" else True
                    )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=tab) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store_db.session(db_path) as db:
        rows = progress.answers(db, attempt)
    assert sorted(rows) == ["q1", "q2"] and all(r.tries == 1 for r in rows.values())
