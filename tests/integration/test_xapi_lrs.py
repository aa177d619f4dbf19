"""xAPI against a real LRS (ralph, tests/lrs_server.py): a learner completes a module through
the learning services, the sender delivers, and the statements are read back from the LRS;
with the LRS down, statements wait in the outbox and arrive when it returns."""

from __future__ import annotations

import threading
import time

import pytest

from carelab import auth, integration
from carelab.content.loader import load_yaml_text
from carelab.content.schema import Module
from carelab.integration.xapi import admin, outbox, sender
from carelab.integration.xapi.settings import Lrs
from carelab.learning import events, services
from carelab.store import xapi as store
from tests.lrs_server import PASSWORD, USERNAME, Ralph
from tests.unit.integration.xapi_spec import problems

SITE = "https://carelab.hospital.example"
ADL = "http://adlnet.gov/expapi/verbs/"
MODULE_YAML = """\
id: funnels
title: Funnel plots
summary: S
learning_objectives: [Read a funnel plot]
estimated_minutes: 20
version: "1.0"
pass_mark: 0.5
steps:
  - {id: read, kind: text, title: Read, body: Text.}
  - id: quiz
    kind: quiz
    title: Quiz
    questions:
      - id: one
        kind: single_choice
        prompt: Which limit is 99.8%?
        explanation: E
        options: [{text: Outer, correct: true}, {text: Inner}]
      - id: many
        kind: multiple_choice
        prompt: Which are funnel axes?
        explanation: E
        options: [{text: Volume, correct: true}, {text: Rate, correct: true}, {text: Age}]
      - {id: tf, kind: true_false, prompt: Rank tables are stable., explanation: E, answer: false}
      - {id: num, kind: numeric, prompt: Sigma of the outer limit?, explanation: E, answer: 3}
      - {id: word, kind: short_text, prompt: Name the plot., explanation: E, accepted: [funnel]}
      - id: order
        kind: ranking
        prompt: Order the steps.
        explanation: E
        items: [Collect, Plot, Interpret]
  - {id: think, kind: reflection, title: Think it over, prompt: Reflect.}
"""
ANSWERS = {"one": 0, "many": [0, 1], "tf": False, "num": "3", "word": "Funnel", "order": (0, 2, 1)}


def funnels() -> Module:
    return Module.model_validate(load_yaml_text(MODULE_YAML, "funnels").data)


@pytest.fixture
def configured(lrs: Ralph, db, monkeypatch):
    """CareLab pointed at the ralph LRS, its outbox listener installed (and removed after)."""
    monkeypatch.setenv("CARELAB_XAPI_ENDPOINT", lrs.endpoint)
    monkeypatch.setenv("CARELAB_XAPI_USERNAME", USERNAME)
    monkeypatch.setenv("CARELAB_XAPI_PASSWORD", PASSWORD)
    monkeypatch.setenv("CARELAB_PUBLIC_URL", SITE)
    integration.install()
    # install() imports the listener's module once per process: after an earlier test
    # removed the listener, register it again (registering twice is once).
    events.on_learning_event(outbox._listener)
    yield lrs
    events.remove_listener(outbox._listener)


@pytest.fixture
def learner(db):
    return auth.create_account(db, "lee@example.org", "correct horse battery", "Lee Learner")


def take_the_module(user: auth.User, answers: dict = ANSWERS) -> None:
    """Everything a learner does in the player: open, read, answer, reflect, complete."""
    mod = funnels()
    attempt = services.open_player(user, mod).attempt
    services.leave_step(attempt, "read", "quiz")
    quiz = mod.steps[1]
    for question in quiz.questions:
        services.answer(attempt, "quiz", question, answers[question.id])
    services.leave_step(attempt, "quiz", "think")
    services.save_reflection(attempt, mod.steps[2], {"what": "Patient in bed 4 made me think."})
    services.complete(user, attempt, mod, "http://carelab.test")


def by_verb(found: list[dict]) -> dict[str, list[dict]]:
    verbs: dict[str, list[dict]] = {}
    for statement in found:
        verbs.setdefault(statement["verb"]["id"], []).append(statement)
    return verbs


def test_a_completed_module_is_read_back_from_the_lrs_with_actor_verbs_objects_results(
    configured, db, learner
):
    take_the_module(learner)
    report = sender.Sender(Lrs.from_config()).send_due()
    assert (report.sent, report.failed, report.error) == (10, 0, None)
    found = configured.statements()
    assert len(found) == 10
    for statement in found:
        assert problems({k: v for k, v in statement.items() if k != "version"}) == []
    (name,) = {s["actor"]["account"]["name"] for s in found}
    assert name == store.actor_name(db, learner.id, "unused", 0)
    assert {s["actor"]["account"]["homePage"] for s in found} == {SITE}
    assert "lee@example.org" not in str(found) and "bed 4" not in str(found)
    verbs = by_verb(found)
    assert {v: len(s) for v, s in verbs.items()} == {
        ADL + "launched": 1, ADL + "answered": 6, "http://id.tincanapi.com/verb/reflected": 1,
        ADL + "completed": 1, ADL + "passed": 1,
    }  # fmt: skip
    module_iri = f"{SITE}/xapi/activities/module/funnels"
    assert verbs[ADL + "launched"][0]["object"]["id"] == module_iri
    answered = {s["object"]["id"].rsplit("/", 1)[1]: s for s in verbs[ADL + "answered"]}
    assert {q: (s["object"]["definition"]["interactionType"], s["result"]["response"],
                s["result"]["success"]) for q, s in answered.items()} == {
        "one": ("choice", "0", True), "many": ("choice", "0[,]1", True),
        "tf": ("true-false", "false", True), "num": ("numeric", "3", True),
        "word": ("fill-in", "Funnel", True), "order": ("sequencing", "0[,]2[,]1", False),
    }  # fmt: skip
    assert answered["order"]["result"]["score"]["scaled"] < 1
    assert answered["one"]["context"]["contextActivities"]["parent"][0]["id"] == module_iri
    (passed,) = verbs[ADL + "passed"]
    assert passed["object"]["definition"]["name"] == {"en": "Funnel plots"}
    assert passed["result"]["completion"] is True and passed["result"]["success"] is True
    assert 0.5 < passed["result"]["score"]["scaled"] < 1
    assert passed["result"]["duration"].startswith("PT")
    assert len({s["context"]["registration"] for s in found}) == 1
    assert admin.status().outbox.sent == 10 and admin.status().outbox.queued == 0


def test_a_failed_module_reaches_the_lrs_as_failed(configured, db, learner):
    wrong = {"one": 1, "many": [2], "tf": True, "num": "9", "word": "bar", "order": (2, 1, 0)}
    with pytest.raises(services.ProgressError):
        take_the_module(learner, wrong)
    sender.Sender(Lrs.from_config()).send_due()
    (failed,) = by_verb(configured.statements())[ADL + "failed"]
    assert failed["result"]["success"] is False and failed["result"]["score"]["scaled"] < 0.5


def test_with_the_lrs_down_statements_wait_and_arrive_when_it_returns(configured, db, learner):
    configured.stop()
    started = time.monotonic()
    take_the_module(learner)
    assert time.monotonic() - started < 10  # the learner never waits on the LRS
    report = sender.Sender(Lrs.from_config()).send_due()
    assert (report.sent, report.failed) == (0, 10)
    assert "could not be reached" in report.error and PASSWORD not in report.error
    waiting = admin.status().outbox
    assert (waiting.queued, waiting.failing, waiting.sent) == (10, 10, 0)
    assert waiting.next_try_at > time.time() + 20  # backing off, not hammering
    # The LRS comes back; an admin presses 'Retry now'; the server's own sender delivers.
    configured.start()
    assert admin.retry_now() == 10
    stop = threading.Event()
    threads = integration.start_background(stop)
    try:
        deadline = time.monotonic() + 30
        while admin.status().outbox.queued and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
    assert "xapi-sender" in [t.name for t in threads]
    assert admin.status().outbox.sent == 10
    assert len(configured.statements()) == 10


def test_sending_again_is_harmless_and_an_id_the_lrs_has_counts_as_sent(configured, db, learner):
    services.open_player(learner, funnels())
    lrs = sender.Sender(Lrs.from_config())
    assert lrs.send_due().sent == 1
    (row,) = store.statements(db)
    # The same statement again (a server died before marking it sent): the LRS keeps one.
    db.execute("UPDATE xapi_statements SET sent_at = NULL WHERE id = ?", [row["id"]])
    assert lrs.send_due().sent == 1
    assert len(configured.statements()) == 1
    # A different statement under an id the LRS already has: 409, and no use resending it.
    changed = row["statement"].replace('"launched"', '"launched again"')
    db.execute(
        "UPDATE xapi_statements SET sent_at = NULL, statement = ? WHERE id = ?",
        [changed, row["id"]],
    )
    assert lrs.send_due().sent == 1
    assert "already had a statement with this id (409)" in store.statements(db)[0]["last_error"]


def test_wrong_credentials_are_a_clear_error_for_the_admin(configured, db, learner, monkeypatch):
    monkeypatch.setenv("CARELAB_XAPI_PASSWORD", "not-the-password")
    services.open_player(learner, funnels())
    report = sender.Sender(Lrs.from_config()).send_due()
    assert report.failed == 1 and "refused CareLab's credentials (401)" in report.error
    assert "not-the-password" not in report.error
    assert admin.status().outbox.last_error == report.error
