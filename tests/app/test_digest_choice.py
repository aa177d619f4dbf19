"""My account's choice of the weekly review digest: shown only when the site sends e-mail."""

from __future__ import annotations

from carelab.store import digests as digest_store
from tests.app.conftest import run_page_as

ACCOUNT = "carelab/ui/pages/account.py"
LABEL = "E-mail me a weekly summary of my reviews"


def test_without_smtp_there_is_no_e_mail_choice(learner, monkeypatch):
    monkeypatch.delenv("CARELAB_SMTP_HOST", raising=False)
    at = run_page_as(ACCOUNT, learner)
    assert not at.exception
    assert [c.label for c in at.checkbox] == []


def test_the_learner_unticks_and_ticks_the_digest_and_it_is_kept(db, learner, monkeypatch):
    monkeypatch.setenv("CARELAB_SMTP_HOST", "smtp.hospital.example")
    at = run_page_as(ACCOUNT, learner)
    box = at.checkbox(key="account.digest")
    assert (box.label, box.value) == (LABEL, True)  # on by default when the site sends it
    box.uncheck().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Saved: no more weekly summaries."]
    assert digest_store.opted_out(db, learner.id)
    at.checkbox(key="account.digest").check().run()
    assert [s.value for s in at.success] == ["Saved: you will get the weekly summary."]
    assert not digest_store.opted_out(db, learner.id)
