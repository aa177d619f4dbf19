"""Each check on an LTI launch, one at a time: a launch that breaks it is refused, saying why.

The platform's key set is put in CareLab's cache (as if fetched just now), so these tests
sign id_tokens with their own RSA key and need no network; tests/server/test_lti_platform.py
runs the same checks against the real lti1p3platform library.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from carelab import auth
from carelab.integration.lti import claims as c
from carelab.integration.lti import launch, registration
from carelab.integration.lti.errors import LaunchRefused
from carelab.store import lti as store

ISSUER = "https://lms.example.org"
CLIENT = "client-1"
KID = "platform-key-1"


@pytest.fixture
def platform_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def platform(db, platform_key):
    made = registration.add_platform(
        db, ISSUER, CLIENT, ["dep-1"], f"{ISSUER}/jwks", f"{ISSUER}/auth", f"{ISSUER}/token"
    )
    public = json.loads(RSAAlgorithm.to_jwk(platform_key.public_key()))
    store.save_platform_keys(db, made.id, {"keys": [{**public, "kid": KID}]}, time.time())
    return made


def login(db, **params):
    url, state = launch.begin_login(
        db, {"iss": ISSUER, "login_hint": "u1", "client_id": CLIENT, **params},
        "https://carelab.example/lti/launch",
    )  # fmt: skip
    return state, parse_qs(urlsplit(url).query)


def token(key, nonce, kid=KID, **changes):
    now = int(time.time())
    claims = {
        "iss": ISSUER, "aud": CLIENT, "sub": "user-1", "iat": now, "exp": now + 300,
        "nonce": nonce, "name": "Grace Hopper",
        c.MESSAGE_TYPE: c.RESOURCE_LINK_REQUEST, c.VERSION: "1.3.0", c.DEPLOYMENT_ID: "dep-1",
        c.ROLES: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        c.CUSTOM: {"carelab_kind": "module", "carelab_id": "m"},
    }  # fmt: skip
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def refused(db, id_token, state, cookie=None, now=None):
    with pytest.raises(LaunchRefused) as caught:
        launch.verify_launch(db, id_token, state, state if cookie is None else cookie, now)
    return str(caught.value), caught.value.status


def test_the_login_sends_the_browser_to_the_platform_with_state_and_nonce(db, platform):
    state, query = login(db, lti_message_hint="hint-9")
    assert query["state"] == [state] and query["client_id"] == [CLIENT]
    assert query["redirect_uri"] == ["https://carelab.example/lti/launch"]
    assert (query["response_mode"], query["prompt"], query["scope"]) == (
        ["form_post"], ["none"], ["openid"])  # fmt: skip
    assert query["lti_message_hint"] == ["hint-9"] and len(query["nonce"][0]) >= 32


def test_a_good_launch_is_accepted_and_says_who_and_what(db, platform, platform_key):
    state, query = login(db)
    found = launch.verify_launch(db, token(platform_key, query["nonce"][0]), state, state)
    assert (found.issuer, found.sub, found.deployment_id, found.name) == (
        ISSUER, "user-1", "dep-1", "Grace Hopper")  # fmt: skip
    assert found.target() == ("module", "m")


@pytest.mark.parametrize(
    ("login_params", "message"),
    [
        ({"iss": "https://other.example"}, "does not know the platform 'https://other.example'"),
        ({"client_id": "nope"}, "with client ID 'nope'"),
        ({"lti_deployment_id": "dep-9"}, "The deployment 'dep-9' is not registered"),
        ({"login_hint": ""}, "lacked 'iss' or 'login_hint'"),
    ],
)
def test_a_login_from_an_unknown_platform_or_deployment_is_refused(db, platform, login_params,
                                                                   message):  # fmt: skip
    with pytest.raises(LaunchRefused, match=message):
        login(db, **login_params)


@pytest.mark.parametrize(
    ("changes", "message", "status"),
    [
        ({"iss": "https://evil.example"}, "issuer is not the platform", 401),
        ({"aud": "another-tool"}, "meant for another tool", 401),
        ({"aud": [CLIENT, "x"], "azp": "x"}, "authorised party (azp) is not CareLab", 401),
        ({"aud": [CLIENT, "x"]}, "authorised party (azp) is not CareLab", 401),
        ({"exp": int(time.time()) - 120}, "The launch has expired", 401),
        ({"iat": int(time.time()) + 600}, "issued in the future", 401),
        ({"nonce": "not-the-login-nonce"}, "nonce is not the one CareLab sent", 403),
        ({c.DEPLOYMENT_ID: "dep-2"}, "The deployment 'dep-2' is not registered", 403),
        ({c.VERSION: "1.1"}, "LTI 1.3 launches (version 1.3.0) only", 400),
        ({c.MESSAGE_TYPE: "LtiSubmissionReviewRequest"}, "cannot handle the LTI message", 400),
        ({"sub": None}, "lacks a required claim: 'sub'", 400),
    ],
)
def test_each_broken_claim_is_refused_in_plain_words(db, platform, platform_key, changes,
                                                     message, status):  # fmt: skip
    state, query = login(db)
    changes = dict(changes)  # the parameters are shared by the SQLite and PostgreSQL runs
    nonce = changes.pop("nonce", query["nonce"][0])
    text, code = refused(db, token(platform_key, nonce, **changes), state)
    assert message in text and code == status


def test_clock_skew_within_a_minute_is_allowed(db, platform, platform_key):
    state, query = login(db)
    now = int(time.time())
    late = token(platform_key, query["nonce"][0], exp=now - 30, iat=now - 330)
    assert launch.verify_launch(db, late, state, state).sub == "user-1"


def test_a_token_signed_by_another_key_or_altered_is_refused(db, platform, platform_key):
    state, query = login(db)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    text, code = refused(db, token(other, query["nonce"][0]), state)
    assert "altered or forged" in text and code == 401
    state, query = login(db)
    head, _, signature = token(platform_key, query["nonce"][0]).split(".")
    _, body, _ = token(platform_key, query["nonce"][0], sub="admin").split(".")
    assert "altered or forged" in refused(db, f"{head}.{body}.{signature}", state)[0]


def test_unknown_key_ids_and_unsigned_tokens_are_refused(db, platform, platform_key):
    state, query = login(db)
    text, _ = refused(db, token(platform_key, query["nonce"][0], kid="made-up"), state)
    assert "key the platform does not publish (key id 'made-up')" in text
    state, query = login(db)
    unsigned = jwt.encode({"iss": ISSUER}, "", algorithm="none")
    assert "must be signed with RS256" in refused(db, unsigned, state)[0]
    state, _ = login(db)
    assert "not a valid signed token" in refused(db, "not.a.jwt", state)[0]


def test_state_is_bound_to_the_browser_used_once_and_expires(db, platform, platform_key):
    state, query = login(db)
    good = token(platform_key, query["nonce"][0])
    text, code = refused(db, good, state, cookie="another-browsers-state")
    assert "did not start this launch" in text and code == 403
    state, query = login(db)
    good = token(platform_key, query["nonce"][0])
    launch.verify_launch(db, good, state, state)
    assert "already used or has expired" in refused(db, good, state)[0]  # replayed
    state, query = login(db)
    late = time.time() + launch.LOGIN_SECONDS + 1
    assert "already used or has expired" in refused(
        db, token(platform_key, query["nonce"][0]), state, now=late)[0]  # fmt: skip


def test_a_nonce_is_used_once_even_with_a_fresh_state(db, platform, platform_key):
    state, query = login(db)
    nonce = query["nonce"][0]
    launch.verify_launch(db, token(platform_key, nonce), state, state)
    # A second login row carrying the same nonce (as a platform replaying it would need).
    fresh = launch._hash("fresh")
    store.insert_state(db, fresh, nonce, platform.id, time.time() + 60, time.time())
    text, code = refused(db, token(platform_key, nonce), "fresh")
    assert "already used" in text and code == 403


@pytest.mark.parametrize(
    ("roles", "granted"),
    [
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"], set()),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"], {"facilitator"}),
        (["Instructor"], {"facilitator"}),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"],
         {"facilitator"}),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper"],
         {"facilitator", "author"}),
        (["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"], {"facilitator"}),
    ],
)  # fmt: skip
def test_lis_roles_map_to_carelab_roles_never_admin(roles, granted):
    assert c.carelab_roles(roles) == granted


def test_the_account_is_linked_by_issuer_and_sub_not_by_email(db, platform, platform_key):
    auth.create_account(db, "grace@example.org", "correct horse battery", "Real Grace")
    state, query = login(db)
    found = launch.verify_launch(
        db, token(platform_key, query["nonce"][0], email="grace@example.org",
                  **{c.ROLES: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]}),
        state, state,
    )  # fmt: skip
    user_id = launch.account_for(db, found)
    user = auth.get_user(db, user_id)
    assert user.email.endswith("@lti.invalid") and user.display_name == "Grace Hopper"
    assert user.roles == {"learner", "facilitator"}
    assert launch.account_for(db, found) == user_id  # the second launch: the same account
    with pytest.raises(auth.AuthError):  # no password signs this account in
        auth.sign_in(db, user.email, launch.NO_PASSWORD, address="127.0.0.1")
