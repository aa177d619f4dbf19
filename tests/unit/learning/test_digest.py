"""The weekly digest of due reviews, sent to a real SMTP server (aiosmtpd) on this machine."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime

import pytest

from carelab import auth
from carelab.learning import digest
from carelab.store import digests as digest_store
from carelab.store import reviews as review_store
from tests.smtp_server import refusing_port, smtp_server

DAY = 86_400.0
# Thursday 3 December 2026, 07:00 UTC.
NOW = datetime(2026, 12, 3, 7, tzinfo=UTC).timestamp()
TITLES = {"teamwork": "Teamwork & safety", "sepsis": "Sepsis <b>screening</b>"}


def settings(port, **changes):
    values = {
        "host": "127.0.0.1",
        "port": port,
        "user": "",
        "password": "",
        "starttls": False,
        "sender": "CareLab <carelab@hospital.example>",
        "public_url": "https://carelab.hospital.example",
    }
    return digest.MailSettings(**(values | changes))


def queue(db, user_id, module_id, question_id, due_at):
    review_store.add_if_absent(
        db,
        user_id,
        {
            "module_id": module_id,
            "step_id": "quiz",
            "question_id": question_id,
            "stage": 0,
            "confident_streak": 0,
            "due_at": due_at,
            "added_at": due_at - 2 * DAY,
        },
    )


@pytest.fixture
def ann(db):
    user = auth.create_account(db, "ann@example.org", "correct horse battery", "Ann Lee")
    queue(db, user.id, "teamwork", "q1", NOW - DAY)  # overdue
    queue(db, user.id, "teamwork", "q2", NOW - 2 * DAY)
    queue(db, user.id, "sepsis", "s1", NOW + 4 * DAY)  # Monday 7 December
    queue(db, user.id, "gone", "g1", NOW + 4 * DAY + 60)  # a module no longer in the catalogue
    queue(db, user.id, "sepsis", "s2", NOW + 9 * DAY)  # after this week: not in the digest
    return user


@pytest.fixture
def mail():
    with smtp_server() as (inbox, port):
        yield inbox, port


def plan(db):
    return digest.plan(db, TITLES, NOW, UTC)


def test_the_digest_lists_what_is_due_by_day_and_module_with_the_review_link(db, ann, mail):
    inbox, port = mail
    run = digest.send(db, plan(db), settings(port), NOW)
    assert (run.sent, run.failed, run.skipped) == (["ann@example.org"], [], [])
    assert inbox.envelopes == [("carelab@hospital.example", ["ann@example.org"])]
    received = inbox.messages[0]
    assert received["To"] == "ann@example.org"
    assert received["From"] == "CareLab <carelab@hospital.example>"
    assert received["Subject"] == "CareLab: 4 questions to review this week"
    assert received.get_content_type() == "text/plain"  # no HTML part: titles stay text
    text = received.get_content().replace("\r\n", "\n")
    assert "Hello Ann Lee," in text
    assert (
        "Due now\n"
        "  - Teamwork & safety: 2 questions\n"
        "Monday 7 December\n"
        "  - Sepsis <b>screening</b>: 1 question\n"
        "  - gone: 1 question\n"
    ) in text
    assert "s2" not in text and "Wednesday" not in text
    assert "Start a review: https://carelab.hospital.example/review\n" in text
    assert "My account:\nhttps://carelab.hospital.example/account\n" in text
    assert max(len(line) for line in text.splitlines()) <= 72
    assert digest_store.last_sent(db, ann.id) == NOW


def test_without_a_public_url_the_mail_names_the_pages(db, ann):
    text = digest.body(plan(db)[0], "")
    assert "Start a review: the Review page of CareLab" in text
    assert "on My account: the My account page of\nCareLab" in text


def test_a_second_run_within_seven_days_sends_nothing_and_a_week_later_sends_again(db, ann, mail):
    inbox, port = mail
    digest.send(db, plan(db), settings(port), NOW)
    assert digest.plan(db, TITLES, NOW + 6 * DAY, UTC) == []
    # Two runs that planned at the same time (a timer on each server): one mail.
    stale = digest.plan(db, TITLES, NOW + 7 * DAY + 1, UTC)
    first = digest.send(db, stale, settings(port), NOW + 7 * DAY + 1)
    second = digest.send(db, stale, settings(port), NOW + 7 * DAY + 2)
    assert (first.sent, second.sent, second.skipped) == (
        ["ann@example.org"],
        [],
        ["ann@example.org"],
    )
    assert len(inbox.messages) == 2


def test_an_opted_out_learner_gets_nothing(db, ann):
    digest.set_wants_digest(ann, False)
    assert not digest.wants_digest(ann)
    assert plan(db) == []
    digest.set_wants_digest(ann, True)
    assert digest.wants_digest(ann)
    assert [d.email for d in plan(db)] == ["ann@example.org"]


def test_a_refused_recipient_is_counted_and_left_for_the_next_run(db, ann, mail):
    inbox, port = mail
    bob = auth.create_account(db, "bob@example.org", "correct horse battery", "Bob")
    queue(db, bob.id, "teamwork", "q1", NOW)
    inbox.refuse.add("ann@example.org")
    run = digest.send(db, plan(db), settings(port), NOW)
    assert run.sent == ["bob@example.org"]
    assert run.failed == [("ann@example.org", "550 5.1.1 No such mailbox here")]
    assert digest_store.last_sent(db, ann.id) is None  # not recorded: tried again next run
    assert [d.email for d in plan(db)] == ["ann@example.org"]


def test_a_server_that_refuses_connections_is_one_clear_error_and_nothing_is_recorded(db, ann):
    with refusing_port() as port, pytest.raises(digest.MailServerError) as caught:
        digest.send(db, plan(db), settings(port), NOW)
    assert (
        str(caught.value) == f"Cannot reach the mail server 127.0.0.1:{port}: Connection refused."
    )
    assert digest_store.last_sent(db, ann.id) is None


def test_starttls_is_required_when_set_and_nothing_is_sent_in_the_clear(db, ann, mail):
    inbox, port = mail  # aiosmtpd without a TLS context does not offer STARTTLS
    with pytest.raises(digest.MailServerError) as caught:
        digest.send(db, plan(db), settings(port, starttls=True), NOW)
    assert str(caught.value) == (
        f"The mail server 127.0.0.1:{port} does not offer STARTTLS; nothing was sent over an "
        "unencrypted connection (set CARELAB_SMTP_STARTTLS=false only for a local relay)."
    )
    assert inbox.messages == []
    assert digest_store.last_sent(db, ann.id) is None


def test_a_server_without_sign_in_is_named_and_the_password_never_shown(db, ann, mail):
    inbox, port = mail  # aiosmtpd without an authenticator does not offer AUTH
    with pytest.raises(digest.MailServerError) as caught:
        digest.send(db, plan(db), settings(port, user="carelab", password="s3cret-pw"), NOW)
    assert "does not offer sign-in (SMTP AUTH)" in str(caught.value)
    assert "s3cret-pw" not in str(caught.value)
    assert inbox.messages == []
    assert digest_store.last_sent(db, ann.id) is None


def test_a_connection_lost_mid_run_fails_the_rest_without_recording_them(db, ann, mail):
    _, port = mail
    bob = auth.create_account(db, "bob@example.org", "correct horse battery", "Bob")
    queue(db, bob.id, "teamwork", "q1", NOW)

    tried = []

    class Dropping(smtplib.SMTP):
        def send_message(self, msg, *args, **kwargs):
            tried.append(msg["To"])
            self.close()  # the server went away
            return super().send_message(msg, *args, **kwargs)

    run = digest.send(db, plan(db), settings(port), NOW, connect=Dropping)
    assert run.sent == []
    assert tried == ["ann@example.org"]  # no use trying the rest on a closed connection
    assert [email for email, _ in run.failed] == ["ann@example.org", "bob@example.org"]
    assert digest_store.last_sent(db, ann.id) is None
    assert digest_store.last_sent(db, bob.id) is None


def test_settings_come_from_the_environment_and_empty_host_means_off(monkeypatch):
    monkeypatch.delenv("CARELAB_SMTP_HOST", raising=False)
    assert digest.mail_settings() is None and not digest.enabled()
    monkeypatch.setenv("CARELAB_SMTP_HOST", "smtp.hospital.example")
    monkeypatch.setenv("CARELAB_SMTP_USER", "carelab@hospital.example")
    monkeypatch.setenv("CARELAB_PUBLIC_URL", "https://carelab.hospital.example/")
    found = digest.mail_settings()
    assert (found.port, found.starttls, found.sender) == (587, True, "carelab@hospital.example")
    assert found.public_url == "https://carelab.hospital.example"
    monkeypatch.setenv("CARELAB_SMTP_USER", "")
    with pytest.raises(digest.MailServerError, match="Set CARELAB_MAIL_FROM"):
        digest.mail_settings()
