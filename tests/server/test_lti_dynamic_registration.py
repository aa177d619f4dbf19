"""LTI Dynamic Registration end to end: a real CareLab server, and a platform (lti1p3platform
for launches, tests/lti/registrar.py for the registration side) on local ports.

An administrator makes a one-time link with `carelab lti registration-link`; the LMS opens
it with its OpenID configuration URL and registration token; CareLab registers itself and
keeps what the LMS answered, and a launch from that LMS then signs a learner in. Without an
administrator's link, with a used link, or with a platform whose issuer is on another
domain, nothing is registered.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from carelab.integration.lti import registration
from carelab.store import db as store_db
from carelab.web import lti_pages
from tests.lti.platform import LEARNER, LmsPlatform
from tests.lti.registrar import TOOL_CONFIGURATION, Registrar
from tests.lti.served import lms_and_carelab
from tests.server.test_lti_platform import launch
from tests.serving import ServerProcess

CUSTOM = {"carelab_kind": "module", "carelab_id": "lti-m"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LmsPlatform, ServerProcess]]:
    """A CareLab server with no platform registered, and an LMS that can register it."""
    with lms_and_carelab(tmp_path_factory.mktemp("lti-dyn"), register=False) as (lms, server):
        lms.registrar = Registrar(lms)
        yield lms, server


def make_link(server: ServerProcess, *args: str) -> str:
    """`carelab lti registration-link`, as an administrator runs it; return the URL."""
    done = subprocess.run(
        [sys.executable, "-m", "carelab", "lti", "registration-link", "--base", server.url, *args],
        capture_output=True, text=True, env=server.env, check=True,
    )  # fmt: skip
    url = done.stdout.strip().splitlines()[-1]
    assert url.startswith(f"{server.url}/lti/register/"), done.stdout
    return url


def platforms(server: ServerProcess) -> list[registration.Platform]:
    with store_db.session(Path(server.env["CARELAB_DB"])) as db:
        return registration.list_platforms(db)


def refused(response: httpx.Response, status: int, words: str) -> None:
    assert response.status_code == status, response.text[:400]
    assert "CareLab could not register this LMS" in response.text and words in response.text
    assert "Traceback" not in response.text


def test_an_admin_link_registers_the_lms_and_its_launches_work(served):
    lms, server = served
    link = make_link(server)
    with httpx.Client() as client:
        page = client.get(lms.registrar.start_url(link))
        assert page.status_code == 200, page.text[:400]
        assert "CareLab is registered with your LMS" in page.text and lms.url in page.text
        # The page tells the LMS to close it, and its CSP lets exactly that script run.
        assert lti_pages.CLOSE_JS in page.text
        assert lti_pages._hash(lti_pages.CLOSE_JS) in page.headers["Content-Security-Policy"]

        (sent,) = lms.registrar.received
        assert sent["initiate_login_uri"] == f"{server.url}/lti/login"
        assert sent["redirect_uris"] == [f"{server.url}/lti/launch"]
        assert sent["jwks_uri"] == f"{server.url}/lti/jwks"
        assert sent["scope"] == "https://purl.imsglobal.org/spec/lti-ags/scope/score"
        tool = sent[TOOL_CONFIGURATION]
        assert tool["domain"] == server.url.removeprefix("http://")
        assert tool["target_link_uri"] == f"{server.url}/lti/launch"
        assert {"sub", "name"} <= set(tool["claims"]) and "email" not in tool["claims"]
        assert {m["type"] for m in tool["messages"]} == {
            "LtiResourceLinkRequest", "LtiDeepLinkingRequest"
        }  # fmt: skip

        (kept,) = platforms(server)
        assert (kept.issuer, kept.client_id, kept.deployment_ids) == (
            lms.url, lms.client_id, (lms.deployment_id,)
        )  # fmt: skip
        assert (kept.jwks_url, kept.auth_url, kept.token_url) == (
            f"{lms.url}/jwks", f"{lms.url}/auth", f"{lms.url}/token"
        )  # fmt: skip

        # The link worked once: the same link again (with a fresh token) is refused.
        refused(client.get(lms.registrar.start_url(link)), 410, "already used")

    with httpx.Client(follow_redirects=True) as browser:
        landed = launch(browser, lms.login_url("student-d", [LEARNER], custom=CUSTOM))
    assert landed.status_code == 200, landed.text[:400]
    assert "Welcome, Ada Lovelace" in landed.text


def test_without_an_admin_link_nothing_is_registered(served):
    lms, server = served
    before = len(platforms(server))
    with httpx.Client() as client:
        refused(client.get(lms.registrar.start_url(f"{server.url}/lti/register")), 403,
                "needs a one-time link from a CareLab administrator")  # fmt: skip
        made_up = f"{server.url}/lti/register/not-a-code-carelab-made"
        refused(client.get(lms.registrar.start_url(made_up)), 403, "not one CareLab made")
    assert len(platforms(server)) == before


def test_a_failed_registration_keeps_nothing_and_leaves_the_link_usable(served):
    _, server = served
    link = make_link(server, "--hours", "1")
    with LmsPlatform(server.url) as other:  # a second LMS: its own issuer (port)
        registrar = other.registrar = Registrar(other)
        registrar.issuer = "https://lms.evil.example"
        with httpx.Client() as client:
            page = client.get(registrar.start_url(link))
            refused(page, 502, "is not on the domain of the configuration URL")
            registrar.issuer = other.url
            wrong = registrar.start_url(link).replace(registrar.token, "wrong-token")
            refused(client.get(wrong), 502, "answered 401")
            assert registrar.received == []
            assert all(p.issuer != other.url for p in platforms(server))
            # The failures did not use up the administrator's link.
            page = client.get(registrar.start_url(link))
        assert page.status_code == 200, page.text[:400]
        assert [p.client_id for p in platforms(server) if p.issuer == other.url] == [
            other.client_id
        ]
