"""Time on task: the gaps between a learner's actions in the player, each capped, per attempt,
and the certificate that attests it instead of the estimate."""

from __future__ import annotations

import pytest

from carelab import auth
from carelab.content import timing
from carelab.content.loader import load_yaml_text
from carelab.content.schema import Module
from carelab.learning import active_time, progress
from carelab.store import db as store_db
from carelab.store import learning as store
from tests.unit.learning.test_progress import MODULE_YAML, finish_everything

START = 1_000_000.0
MINUTE = 60.0


def module() -> Module:
    text = MODULE_YAML.format(version="1.0")
    return Module.model_validate(load_yaml_text(text, "m.yaml").data)


@pytest.fixture
def learner(db):
    auth.create_account(db, "admin@example.org", "correct horse battery", "The admin")
    return auth.create_account(db, "lee@example.org", "correct horse battery", "Lee")


def act(db, attempt, *minutes: float) -> None:
    for minute in minutes:
        active_time.record_action(db, attempt, now=START + minute * MINUTE)


def test_time_between_actions_adds_up_and_a_long_pause_counts_15_minutes(db, learner):
    attempt = progress.current_attempt(db, learner, module())
    act(db, attempt, 0)
    assert active_time.active_seconds(db, attempt) == 0  # the first action starts the clock
    act(db, attempt, 3, 7.5)
    assert active_time.active_seconds(db, attempt) == 7.5 * MINUTE
    act(db, attempt, 7.5 + 60 * 14)  # the tab was left open overnight
    assert active_time.active_seconds(db, attempt) == (7.5 + 15) * MINUTE
    act(db, attempt, 7.5 + 60 * 14 + 2)
    assert active_time.active_minutes(db, attempt) == 25  # 24.5 rounds half up


def test_a_clock_that_goes_back_adds_nothing_and_does_not_move_the_mark_back(db, learner):
    attempt = progress.current_attempt(db, learner, module())
    act(db, attempt, 10, 5, 12)
    assert active_time.active_seconds(db, attempt) == 2 * MINUTE


def test_each_attempt_keeps_its_own_time_and_a_completed_one_gathers_no_more(db, learner):
    mod = module()
    first = finish_everything(db, learner, mod)
    act(db, first, 0, 9)
    progress.complete(db, learner, first, mod, "http://x")
    act(db, first, 12)
    assert active_time.active_minutes(db, first) == 9
    second = progress.new_attempt(db, learner, mod)
    act(db, second, 20, 21)
    assert active_time.active_minutes(db, second) == 1
    assert active_time.active_minutes(db, first) == 9


def test_the_certificate_attests_the_time_on_task_up_to_one_and_a_half_the_estimate(db, learner):
    mod = module()
    estimated = timing.module_minutes(mod, {})
    slow = finish_everything(db, learner, mod)
    act(db, slow, *range(0, 15 * 20, 15))  # 19 gaps of 15 minutes: 285 minutes
    cert = progress.complete(db, learner, slow, mod, "http://x")
    assert (cert.estimated_minutes, cert.attested_minutes) == (estimated, -(-3 * estimated // 2))
    assert cert.time_basis == "measured"

    progress.new_attempt(db, learner, mod)
    quick = finish_everything(db, learner, mod)
    act(db, quick, 0, 4)
    assert progress.complete(db, learner, quick, mod, "http://x").attested_minutes == 4


def test_upgrading_marks_earlier_certificates_claimed_and_new_ones_measured(tmp_path, monkeypatch):
    path = tmp_path / "upgrade.db"
    monkeypatch.setenv("CARELAB_DB", str(path))
    everything = store_db.migrations._migrations
    before = [m for m in everything if m.name != "0006_active_time"]
    monkeypatch.setattr(store_db.migrations, "_migrations", before)
    store_db.prepare(path)
    mod = module()
    with store_db.session(path) as db:
        user = auth.create_account(db, "old@example.org", "correct horse battery", "Old")
        old = progress.current_attempt(db, user, mod)
        db.execute(
            "INSERT INTO certificates (code, attempt_id, user_id, learner_name, module_id, "
            "module_title, module_version, objectives, estimated_minutes, attested_minutes, "
            "score, completed_at) VALUES ('CL-2222-2222-2222-2222', ?, ?, 'Old', 'm', "
            "'A module', '1.0', '[\"Do a thing\"]', 30, 20, 1.0, ?)",
            [old.id, user.id, START],
        )
    monkeypatch.setattr(store_db.migrations, "_migrations", everything)
    assert store_db.prepare(path) == ["0006_active_time"]
    with store_db.session(path) as db:
        earlier = progress.certificate_data(
            store.certificate(db, "CL-2222-2222-2222-2222"), "http://x"
        )
        assert (earlier.time_basis, earlier.attested_minutes) == ("claimed", 20)
        progress.new_attempt(db, user, mod)
        attempt = finish_everything(db, user, mod)
        new = progress.complete(db, user, attempt, mod, "http://x")
        assert store.certificate(db, new.code).time_basis == "measured"
