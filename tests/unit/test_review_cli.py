"""`carelab review digest`: off without SMTP, a dry run, a real send, a server that is down."""

from __future__ import annotations

import time

import pytest

from carelab import auth
from carelab.cli import main
from carelab.store import db as store_db
from carelab.store import digests as digest_store
from carelab.store import reviews as review_store
from tests.smtp_server import refusing_port, smtp_server


@pytest.fixture
def ann(db_path, content_root):
    with store_db.session(db_path) as db:
        user = auth.create_account(db, "ann@example.org", "correct horse battery", "Ann")
        review_store.add_if_absent(
            db,
            user.id,
            {
                "module_id": "teamwork",
                "step_id": "quiz",
                "question_id": "q1",
                "stage": 0,
                "confident_streak": 0,
                "due_at": time.time() - 60,
                "added_at": time.time() - 2 * 86_400,
            },
        )
    return user


@pytest.fixture
def smtp(monkeypatch):
    with smtp_server() as (inbox, port):
        monkeypatch.setenv("CARELAB_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CARELAB_SMTP_PORT", str(port))
        monkeypatch.setenv("CARELAB_SMTP_STARTTLS", "false")
        monkeypatch.setenv("CARELAB_MAIL_FROM", "carelab@hospital.example")
        monkeypatch.setenv("CARELAB_PUBLIC_URL", "https://carelab.hospital.example")
        yield inbox


def last_sent(db_path, user):
    with store_db.session(db_path) as db:
        return digest_store.last_sent(db, user.id)


def test_without_smtp_nothing_is_sent_and_it_says_so(db_path, ann, capsys, monkeypatch):
    monkeypatch.delenv("CARELAB_SMTP_HOST", raising=False)
    assert main(["review", "digest"]) == 0
    assert capsys.readouterr().out == "SMTP is not configured: no digest sent\n"
    assert last_sent(db_path, ann) is None


def test_a_dry_run_prints_who_would_get_what_and_sends_nothing(db_path, ann, smtp, capsys):
    assert main(["review", "digest", "--dry-run"]) == 0
    assert capsys.readouterr().out == (
        "would send to ann@example.org: CareLab: 1 question to review this week\n"
        "  Due now: teamwork 1\n"
        "dry run: 1 digest, none sent\n"
    )
    assert smtp.messages == []
    assert last_sent(db_path, ann) is None


def test_a_run_sends_once_a_week(db_path, ann, smtp, capsys):
    assert main(["review", "digest"]) == 0
    assert capsys.readouterr().out == "sent 1 digest, 0 failed\n"
    assert [m["To"] for m in smtp.messages] == ["ann@example.org"]
    assert "https://carelab.hospital.example/review" in smtp.messages[0].get_content()
    assert main(["review", "digest"]) == 0  # run again the same week
    assert capsys.readouterr().out == "sent 0 digests, 0 failed\n"
    assert len(smtp.messages) == 1


def test_a_refused_mail_is_named_and_the_exit_code_says_so(db_path, ann, smtp, capsys):
    smtp.refuse.add("ann@example.org")
    assert main(["review", "digest"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "not sent to ann@example.org: 550 5.1.1 No such mailbox here\n"
    assert captured.out == "sent 0 digests, 1 failed\n"
    assert last_sent(db_path, ann) is None


def test_a_mail_server_that_is_down_is_one_sentence_and_nothing_is_recorded(
    db_path, ann, capsys, monkeypatch
):
    with refusing_port() as port:
        monkeypatch.setenv("CARELAB_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CARELAB_SMTP_PORT", str(port))
        monkeypatch.setenv("CARELAB_MAIL_FROM", "carelab@hospital.example")
        assert main(["review", "digest"]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        f"error: Cannot reach the mail server 127.0.0.1:{port}: Connection refused.\n"
    )
    assert captured.out == ""
    assert last_sent(db_path, ann) is None
