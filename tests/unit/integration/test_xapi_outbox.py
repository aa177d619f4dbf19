"""The outbox listener on SQLite and PostgreSQL: what a learner's actions queue, and when not."""

from __future__ import annotations

import json

import pytest

from carelab import auth
from carelab.integration.xapi import admin, outbox
from carelab.learning import events, services
from carelab.store import xapi as store
from tests.unit.learning.test_progress import module

SITE = "https://carelab.hospital.example"


@pytest.fixture
def lrs_settings(monkeypatch):
    """xAPI switched on, pointing at an LRS address (nothing is sent in these tests)."""
    monkeypatch.setenv("CARELAB_XAPI_ENDPOINT", "https://lrs.example/xAPI/")
    monkeypatch.setenv("CARELAB_XAPI_USERNAME", "key")
    monkeypatch.setenv("CARELAB_XAPI_PASSWORD", "secret")
    monkeypatch.setenv("CARELAB_PUBLIC_URL", SITE + "/")


@pytest.fixture
def listening():
    """The outbox listener registered, as integration.install() does, and removed after."""
    events.on_learning_event(outbox._listener)
    yield
    events.remove_listener(outbox._listener)


@pytest.fixture
def learner(db):
    return auth.create_account(db, "lee@example.org", "correct horse battery", "Lee Learner")


def queued(db) -> list[dict]:
    return [json.loads(row["statement"]) for row in store.statements(db, sent=False)]


def test_with_no_lrs_configured_nothing_is_queued(db, learner, listening, monkeypatch):
    monkeypatch.delenv("CARELAB_XAPI_ENDPOINT", raising=False)
    mod = module()
    attempt = services.open_player(learner, mod).attempt
    services.answer(attempt, "quiz", mod.steps[1].questions[0], True)
    assert store.statements(db) == []
    assert admin.status().enabled is False


def test_a_learners_actions_queue_statements_in_order_under_one_opaque_name(
    db, learner, listening, lrs_settings
):
    mod = module()
    attempt = services.open_player(learner, mod).attempt
    services.answer(attempt, "quiz", mod.steps[1].questions[0], True)
    services.answer(attempt, "quiz", mod.steps[1].questions[1], "7")
    services.save_reflection(attempt, mod.steps[2], {"what": "Private thoughts about bed 4."})
    found = queued(db)
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in found]
    assert verbs == ["launched", "answered", "answered", "reflected"]
    names = {s["actor"]["account"]["name"] for s in found}
    assert len(names) == 1 and "lee" not in next(iter(names)).lower()
    assert {s["actor"]["account"]["homePage"] for s in found} == {SITE}
    assert [s["result"]["success"] for s in found[1:3]] == [True, False]
    assert "bed 4" not in json.dumps(found)
    assert admin.status().outbox.queued == 4


def test_without_the_sites_address_nothing_is_queued_and_the_admin_is_told(
    db, learner, listening, lrs_settings, monkeypatch
):
    monkeypatch.delenv("CARELAB_PUBLIC_URL")
    mod = module()
    services.open_player(learner, mod)
    assert store.statements(db) == []
    assert "CARELAB_PUBLIC_URL is not set" in admin.status().problem


def test_a_failing_outbox_never_costs_the_learner_their_answer(
    db, learner, listening, lrs_settings, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("the outbox table is gone")

    monkeypatch.setattr(store, "enqueue", broken)
    mod = module()
    attempt = services.open_player(learner, mod).attempt
    saved = services.answer(attempt, "quiz", mod.steps[1].questions[0], True)
    assert saved.last_correct is True
    assert services.answers(attempt)["q1"].last_correct is True
    assert store.statements(db) == []


def test_deleting_the_account_drops_the_statements_not_yet_sent(
    db, learner, listening, lrs_settings
):
    services.open_player(learner, module())
    assert len(queued(db)) == 1
    db.execute("DELETE FROM users WHERE id = ?", [learner.id])
    assert queued(db) == []
