"""A database that cannot take a write (full disk, read-only, removed mid-run) gives the
user one sentence, never a traceback or Streamlit's own error screen, and keeps what they
typed in the box."""

from __future__ import annotations

import pytest

from carelab.store import db as store_db
from carelab.store.errors import CANNOT_SAVE
from tests.app.test_learning_pages import MODULE, alerts, attempt_id, open_player, question_box


@pytest.fixture
def practice(content_root):
    (content_root / "modules" / "practice.yaml").write_text(MODULE, encoding="utf-8")


def _read_only_from_now_on(monkeypatch) -> None:
    """Every connection opened after this refuses writes, as a read-only mount would."""
    opened = store_db.connect

    def read_only(*args, **kwargs):
        db = opened(*args, **kwargs)
        db.execute("PRAGMA query_only = 1")
        return db

    monkeypatch.setattr(store_db, "connect", read_only)


def test_an_answer_the_database_refuses_says_it_was_not_saved(
    app, learner, practice, db, monkeypatch
):
    at = open_player(app, learner, step="checks")
    aid = attempt_id(db, learner)
    _read_only_from_now_on(monkeypatch)
    key = f"player.{aid}.how-many"
    at.text_input(key=key).input("42.5")
    at.button(key=f"FormSubmitter:{key}.form-Check my answer").click().run()
    assert not at.exception
    assert alerts(question_box(at, "how-many"), "error") == [CANNOT_SAVE]
    assert at.text_input(key=key).value == "42.5"  # what they typed is still there
    assert db.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 0


def test_a_database_removed_mid_run_gives_a_sentence_on_every_page(app, learner, db_path):
    at = app(user=learner)
    assert not at.exception
    for suffix in ("", "-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [CANNOT_SAVE]
    assert not db_path.exists(), "a page made a new, empty database mid-run"
