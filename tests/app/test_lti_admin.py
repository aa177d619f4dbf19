"""The admin page's LTI section: the URLs for the LMS, adding and removing platforms with
every problem named, and scores that failed to send, with a retry."""

from __future__ import annotations

import time

from carelab.integration.lti import dynamic, registration
from carelab.store import lti as store
from carelab.store import lti_grades, lti_links

ADMIN = "carelab/ui/pages/admin.py"
GOOD = {
    "issuer": "https://moodle.example.org", "client_id": "abc", "deployment_ids": "1, 2",
    "jwks_url": "https://moodle.example.org/mod/lti/certs.php",
    "auth_url": "https://moodle.example.org/mod/lti/auth.php",
    "token_url": "https://moodle.example.org/mod/lti/token.php",
}  # fmt: skip


def _fill(at, values):
    for key, value in values.items():
        at.text_input(key=f"lti.add.{key}").input(value)
    next(b for b in at.main.button if b.label == "Add platform").click()
    return at.run()


def test_admin_sees_the_tool_urls_and_adds_a_platform_after_fixing_it(app, admin, db,
                                                                     monkeypatch):  # fmt: skip
    monkeypatch.setenv("CARELAB_PUBLIC_URL", "https://carelab.example.org")
    at = app(user=admin, page=ADMIN)
    assert not at.exception
    assert at.text_input(key="lti.url.Login initiation URL (OIDC)").value == (
        "https://carelab.example.org/lti/login"
    )
    assert at.text_input(key="lti.url.Public key set URL (JWKS)").value.endswith("/lti/jwks")
    assert "No LMS is registered yet" in at.info[0].value
    at = _fill(at, {**GOOD, "issuer": "moodle.example.org", "client_id": ""})
    assert at.error[0].value.splitlines() == [
        "The platform was not added:",
        "",
        "- Issuer: must be a full address starting with https:// "
        "\\(got 'moodle\\.example\\.org'\\)\\.",
        "- Client ID: required\\.",
    ]
    assert registration.list_platforms(db) == []
    at = _fill(at, GOOD)
    (made,) = registration.list_platforms(db)
    assert made.deployment_ids == ("1", "2")
    table = next(d.value for d in at.dataframe if "Issuer" in d.value.columns)
    assert table["Issuer"].tolist() == ["https://moodle.example.org"]
    next(b for b in at.main.button if b.label == "Remove platform").click()
    at.run()
    assert registration.list_platforms(db) == []


def test_a_failing_score_is_shown_with_its_error_and_can_be_retried(app, admin, db):
    made = registration.add_platform(db, GOOD["issuer"], "abc", ["1"], GOOD["jwks_url"],
                                     GOOD["auth_url"], GOOD["token_url"])  # fmt: skip
    lti_grades.enqueue(db, {
        "platform_id": made.id, "lineitem_url": "https://moodle.example.org/li/1", "sub": "s",
        "user_id": admin.id, "activity_id": "teamwork", "attempt_id": 1, "score_given": 80.0,
        "score_maximum": 100, "completed_at": 1.0, "next_try_at": 1.0, "created_at": 1.0,
    })  # fmt: skip
    (row,) = lti_grades.grades(db)
    lti_grades.mark_failed(db, row["id"], "https://moodle.example.org/token answered 401", 9e9)
    at = app(user=admin, page=ADMIN)
    assert "Sent: 0 · Waiting: 0 · Failing: 1" in [m.value for m in at.markdown]
    failing = next(d.value for d in at.dataframe if "Last error" in d.value.columns)
    assert failing["Last error"].tolist() == ["https://moodle.example.org/token answered 401"]
    assert failing["Module"].tolist() == ["teamwork"]
    next(b for b in at.main.button if b.label == "Retry failed scores now").click()
    at.run()
    assert lti_grades.grades(db)[0]["next_try_at"] < 9e9
    assert store.platform(db, made.id) is not None


def test_admin_makes_a_one_time_registration_link_and_can_cancel_it(app, admin, db,
                                                                    monkeypatch):  # fmt: skip
    monkeypatch.setenv("CARELAB_PUBLIC_URL", "https://carelab.example.org")
    at = app(user=admin, page=ADMIN)
    next(b for b in at.main.button if b.label == "Make a registration link").click()
    at.run()
    assert not at.exception
    (shown,) = [c.value for c in at.code if "/lti/register/" in c.value]
    assert shown.startswith("https://carelab.example.org/lti/register/")
    row = lti_links.state(db, dynamic.code_hash(shown.rsplit("/", 1)[-1]))
    assert row is not None and row["used_at"] is None
    assert "Unused registration links: 1." in [c.value for c in at.caption]
    at.run()  # shown once: gone on the next run
    assert not [c for c in at.code if "/lti/register/" in c.value]
    next(b for b in at.main.button if b.label == "Cancel unused registration links").click()
    at.run()
    assert lti_links.open_count(db, time.time()) == 0
    assert not [c for c in at.caption if c.value.startswith("Unused registration links")]
