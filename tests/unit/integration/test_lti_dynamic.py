"""LTI Dynamic Registration's rules, without a network: who may register (one-time links),
and which platform configurations CareLab refuses. Runs on SQLite and PostgreSQL.
tests/server/test_lti_dynamic_registration.py runs a whole registration against a platform."""

from __future__ import annotations

import time

import pytest

from carelab.integration.lti import dynamic, registration
from carelab.integration.lti.errors import LaunchRefused, RegistrationError
from carelab.store import lti_links

BASE = "https://carelab.example.org"
CONFIG_URL = "https://moodle.example.org/mod/lti/openid-configuration.php"


def config(**changes):
    found = {
        "issuer": "https://moodle.example.org",
        "authorization_endpoint": "https://moodle.example.org/mod/lti/auth.php",
        "token_endpoint": "https://moodle.example.org/mod/lti/token.php",
        "jwks_uri": "https://moodle.example.org/mod/lti/certs.php",
        "registration_endpoint": "https://moodle.example.org/mod/lti/openid-registration.php",
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    }
    found.update(changes)
    return {k: v for k, v in found.items() if v is not None}


def code_of(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def test_a_link_is_kept_only_as_a_hash_and_expires(db):
    url = dynamic.make_link(db, BASE + "/", None, hours=2, now=1000.0)
    assert url.startswith(f"{BASE}/lti/register/") and len(code_of(url)) >= 32
    row = lti_links.state(db, dynamic.code_hash(code_of(url)))
    assert row is not None and row["expires_at"] == 1000.0 + 2 * 3600
    assert lti_links.state(db, code_of(url)) is None  # the code itself is nowhere
    with pytest.raises(LaunchRefused, match="has expired") as refused:
        dynamic.register(db, code_of(url), CONFIG_URL, "t", BASE, now=1000.0 + 2 * 3600 + 1)
    assert refused.value.status == 410


@pytest.mark.parametrize("hours", [0, -1, dynamic.MAX_LINK_HOURS + 1])
def test_a_link_lasts_a_sensible_time(db, hours):
    with pytest.raises(RegistrationError, match="Hours: between 0 and"):
        dynamic.make_link(db, BASE, None, hours=hours)


def test_a_link_registers_once_even_when_two_lmss_race(db):
    code = code_of(dynamic.make_link(db, BASE, None))
    hashed, now = dynamic.code_hash(code), time.time()
    assert lti_links.claim(db, hashed, now, 60)
    assert not lti_links.claim(db, hashed, now, 60)  # the other LMS, meanwhile
    with pytest.raises(LaunchRefused, match="under way") as busy:
        dynamic.register(db, code, CONFIG_URL, "t", BASE, now=now)
    assert busy.value.status == 409
    lti_links.release(db, hashed)  # the first one failed: the link is free again
    assert lti_links.claim(db, hashed, now, 60)
    made = registration.add_platform(db, "https://moodle.example.org", "c", ["d"],
                                     *list(config().values())[1:4])  # fmt: skip
    lti_links.mark_used(db, hashed, made.id, now)
    assert not lti_links.claim(db, hashed, now + 120, 60)
    with pytest.raises(LaunchRefused, match="already used"):
        dynamic.register(db, code, CONFIG_URL, "t", BASE, now=now + 120)


def test_unknown_links_and_bad_configuration_urls_are_refused_before_any_request(db):
    with pytest.raises(LaunchRefused, match="not one CareLab made") as unknown:
        dynamic.register(db, "guessed", CONFIG_URL, "t", BASE)
    assert unknown.value.status == 403
    code = code_of(dynamic.make_link(db, BASE, None))
    for bad in ("", "ftp://moodle.example.org/x", "http://moodle.example.org/config"):
        with pytest.raises(LaunchRefused) as refused:
            dynamic.register(db, code, bad, "t", BASE)
        assert refused.value.status == 400
    assert lti_links.claim(db, dynamic.code_hash(code), time.time(), 60)  # still unused


def test_cancelling_ends_every_unused_link(db):
    for _ in range(2):
        dynamic.make_link(db, BASE, None)
    now = time.time()
    assert lti_links.open_count(db, now) == 2
    assert lti_links.revoke_open(db, now) == 2
    assert lti_links.open_count(db, now + 1) == 0


def test_a_usable_configuration_has_no_problems():
    assert dynamic.check_configuration(CONFIG_URL, config()) == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"issuer": "https://lms.elsewhere.example"}, "issuer: https://lms.elsewhere.example "
         "is not on the domain of the configuration URL"),
        ({"jwks_uri": None}, "jwks_uri: missing"),
        ({"registration_endpoint": 7}, "registration_endpoint: missing"),
        ({"token_endpoint": "http://moodle.example.org/token"}, "token_endpoint: must use https"),
        ({"token_endpoint_auth_methods_supported": ["client_secret_basic"]}, "private_key_jwt"),
    ],
)  # fmt: skip
def test_configurations_carelab_cannot_use_say_why(changes, problem):
    problems = dynamic.check_configuration(CONFIG_URL, config(**changes))
    assert any(problem in p for p in problems), problems


def test_carelabs_registration_names_its_urls_scopes_and_messages():
    doc = dynamic.tool_registration("https://carelab.example.org:8443/")
    tool = doc[dynamic.TOOL_CONFIGURATION]
    assert tool["domain"] == "carelab.example.org:8443"
    assert doc["redirect_uris"] == ["https://carelab.example.org:8443/lti/launch"]
    assert doc["initiate_login_uri"] == "https://carelab.example.org:8443/lti/login"
    assert doc["jwks_uri"] == "https://carelab.example.org:8443/lti/jwks"
    assert doc["scope"] == "https://purl.imsglobal.org/spec/lti-ags/scope/score"
    assert [m["type"] for m in tool["messages"]] == [
        "LtiResourceLinkRequest", "LtiDeepLinkingRequest"
    ]  # fmt: skip
