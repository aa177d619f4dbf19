"""LTI 1.3 end to end: a real platform (lti1p3platform, tests/lti/platform.py) and a real
CareLab server (`streamlit run server.py`), talking HTTP on local ports.

An instructor picks a module through Deep Linking (the platform checks CareLab's signed
response against CareLab's JWKS and makes a line item); a learner launches it and lands
signed in; completing the module sends the score to the platform through AGS (the platform
checks CareLab's token request and access token). Tampered, replayed, expired and
foreign launches are refused with a plain page and a 4xx status.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from carelab import auth, integration
from carelab.content.catalog import load_catalog
from carelab.learning import services
from carelab.store import db as store_db
from carelab.web.lti_routes import STATE_COOKIE
from tests.lti.platform import INSTRUCTOR, LEARNER, LmsPlatform, form_fields
from tests.lti.served import lms_and_carelab
from tests.serving import ServerProcess


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LmsPlatform, ServerProcess]]:
    """A CareLab server with the platform registered, and the platform, both running."""
    with lms_and_carelab(tmp_path_factory.mktemp("lti")) as both:
        yield both


def launch(client: httpx.Client, login_url: str) -> httpx.Response:
    """Follow a launch as a browser would: CareLab's login, the platform's auth, the POST."""
    page = client.get(login_url)
    assert page.status_code == 200, page.text[:300]
    action, fields = form_fields(page.text)
    return client.post(action, data=fields)


def deep_link(lms: LmsPlatform, server: ServerProcess, choice: str) -> dict:
    """An instructor adds CareLab content to the course; return the platform's new link."""
    with httpx.Client(follow_redirects=True) as client:
        picker = launch(client, lms.login_url("teacher-1", [INSTRUCTOR], deep_link=True))
        assert picker.status_code == 200 and "Choose CareLab content" in picker.text
        assert 'value="module:lti-m"' in picker.text
        _, fields = form_fields(picker.text)
        back = client.post(f"{server.url}/lti/deep-link", data={**fields, "choice": choice})
        action, signed = form_fields(back.text)
        assert action == f"{lms.url}/deep-link-return"
        added = client.post(action, data=signed)  # the platform verifies CareLab's signature
        assert added.status_code == 200, added.text
    return lms.content_items[-1]


def test_deep_link_launch_complete_and_the_score_reaches_the_platform(served, monkeypatch):
    lms, server = served
    item = deep_link(lms, server, "module:lti-m")
    assert item["type"] == "ltiResourceLink" and item["title"] == "Handover basics"
    assert item["custom"] == {"carelab_kind": "module", "carelab_id": "lti-m"}
    line_item = lms.line_items[item["_link"]["line_item"]]
    assert (line_item["scoreMaximum"], line_item["resourceId"]) == (100, "module:lti-m")

    with httpx.Client(follow_redirects=True) as browser:
        landed = launch(browser, lms.launch_for(item["_link"], "student-7", [LEARNER]))
        assert landed.status_code == 200, landed.text
        assert "Welcome, Ada Lovelace" in landed.text and 'href="/module?id=lti-m"' in landed.text
        cookie = browser.cookies.get(auth.COOKIE_NAME)
    monkeypatch.setenv("CARELAB_DB", server.env["CARELAB_DB"])
    with store_db.session() as db:
        user = auth.user_from_cookie(db, cookie)
    assert user is not None and user.display_name == "Ada Lovelace"
    assert user.roles == frozenset({"learner"})

    # The learner completes the module (the core services the module page calls); this
    # process's listener queues the score, and the server's background sender delivers it.
    integration.install()
    module = load_catalog(Path(server.env["CARELAB_CONTENT_DIR"])).module("lti-m")
    attempt = services.open_player(user, module).attempt
    services.leave_step(attempt, "read", "quiz")
    services.answer(attempt, "quiz", module.steps[1].questions[0], True)
    services.answer(attempt, "quiz", module.steps[1].questions[1], "10")
    services.save_reflection(attempt, module.steps[2], {"what": "Read back the plan."})
    services.complete(user, attempt, module, server.url)
    deadline = time.monotonic() + 30
    while not lms.scores and time.monotonic() < deadline:
        time.sleep(0.3)
    (score,) = lms.scores
    assert score["line_item"] == item["_link"]["line_item"] and score["userId"] == "student-7"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (100.0, 100)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")


def test_an_instructor_launch_signs_in_a_facilitator_who_may_run_the_case_workshop(served):
    lms, server = served
    with httpx.Client(follow_redirects=True) as browser:
        custom = {"carelab_kind": "module", "carelab_id": "lti-m"}
        landed = launch(browser, lms.login_url("teacher-2", [INSTRUCTOR], custom=custom))
        cookie = browser.cookies.get(auth.COOKIE_NAME)
    assert landed.status_code == 200
    with store_db.session(Path(server.env["CARELAB_DB"])) as db:
        user = auth.user_from_cookie(db, cookie)
    assert user is not None and "facilitator" in user.roles and "admin" not in user.roles


def _tamper(token: str) -> str:
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"{head}.{forged}.{signature}"


def _refused(response: httpx.Response, status: int, words: str) -> None:
    assert response.status_code == status, response.text[:400]
    assert "CareLab could not open this activity" in response.text and words in response.text
    assert "Traceback" not in response.text


def test_tampered_replayed_expired_and_foreign_launches_are_refused(served):
    lms, server = served
    custom = {"carelab_kind": "module", "carelab_id": "lti-m"}
    with httpx.Client(follow_redirects=True) as browser:
        page = browser.get(lms.login_url("student-9", [LEARNER], custom=custom))
        action, fields = form_fields(page.text)
        forged = browser.post(action, data={**fields, "id_token": _tamper(fields["id_token"])})
        _refused(forged, 401, "altered or forged")

        page = browser.get(lms.login_url("student-9", [LEARNER], custom=custom))
        action, fields = form_fields(page.text)
        assert browser.post(action, data=fields).status_code == 200
        # Replayed whole, with the state cookie the launch had (CareLab cleared it after use).
        browser.cookies.set(STATE_COOKIE, fields["state"], domain="127.0.0.1", path="/lti/")
        _refused(browser.post(action, data=fields), 403, "already used")

        lms.id_token_seconds = -300
        try:
            page = browser.get(lms.login_url("student-9", [LEARNER], custom=custom))
        finally:
            lms.id_token_seconds = 300
        action, fields = form_fields(page.text)
        _refused(browser.post(action, data=fields), 401, "expired")

        page = browser.get(lms.login_url("student-9", [LEARNER], custom=custom))
        action, fields = form_fields(page.text)
    with httpx.Client() as stranger:  # another browser: no state cookie
        _refused(stranger.post(action, data=fields), 403, "did not start this launch")
        unknown = stranger.get(
            f"{server.url}/lti/login", params={"iss": "https://lms.evil.example", "login_hint": "x"}
        )
        _refused(unknown, 403, "does not know the platform")
