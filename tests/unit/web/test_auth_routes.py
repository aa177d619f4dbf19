"""The cookie routes: swap a one-time code for an HttpOnly cookie, refuse cross-site posts."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from carelab import auth
from carelab.web.auth_routes import routes


@pytest.fixture
def client(db_path):
    return TestClient(Starlette(routes=routes()), base_url="http://testserver")


def signed_up(db):
    return auth.create_account(db, "ada@example.org", "correct horse battery", "Ada")


def test_code_becomes_an_httponly_cookie_and_redirects(client, db):
    code = auth.issue_handoff(db, signed_up(db))
    response = client.post("/auth/session", data={"code": code}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    header = response.headers["set-cookie"]
    assert header.startswith("carelab_session=")
    assert "HttpOnly" in header and "SameSite=lax" in header and "Max-Age=1209600" in header
    assert "Secure" not in header  # plain http
    cookie = response.cookies["carelab_session"]
    assert auth.user_from_cookie(db, cookie).email == "ada@example.org"


def test_a_used_or_unknown_code_goes_back_to_sign_in(client, db):
    code = auth.issue_handoff(db, signed_up(db))
    client.post("/auth/session", data={"code": code}, follow_redirects=False)
    again = client.post("/auth/session", data={"code": code}, follow_redirects=False)
    assert again.headers["location"] == "/sign-in?expired=1"
    assert "set-cookie" not in again.headers


def test_cross_site_posts_are_refused(client, db):
    code = auth.issue_handoff(db, signed_up(db))
    response = client.post(
        "/auth/session", data={"code": code}, headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 403
    # The code was not spent by the refused request.
    ok = client.post(
        "/auth/session",
        data={"code": code},
        headers={"origin": "http://testserver"},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_next_must_stay_on_this_site(client, db):
    user = signed_up(db)
    for target, expected in [
        ("/case?id=x", "/case?id=x"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
    ]:
        code = auth.issue_handoff(db, user)
        response = client.post(
            "/auth/session", data={"code": code, "next": target}, follow_redirects=False
        )
        assert response.headers["location"] == expected


def test_secure_flag_over_https(db_path, db):
    # Behind a trusted proxy, uvicorn turns its X-Forwarded-Proto into the request's scheme
    # (CARELAB_TRUSTED_PROXIES; tested against a real server in tests/server).
    https = TestClient(Starlette(routes=routes()), base_url="https://testserver")
    code = auth.issue_handoff(db, signed_up(db))
    response = https.post("/auth/session", data={"code": code}, follow_redirects=False)
    assert "Secure" in response.headers["set-cookie"]


def test_an_untrusted_clients_forwarded_proto_is_ignored(client, db):
    # 0.4 believed the header from anyone, so a plain-HTTP client could ask for a Secure
    # cookie its own browser would then never send back.
    code = auth.issue_handoff(db, signed_up(db))
    response = client.post(
        "/auth/session",
        data={"code": code},
        headers={"x-forwarded-proto": "https"},
        follow_redirects=False,
    )
    assert "Secure" not in response.headers["set-cookie"]


def test_sign_out_ends_the_session_and_clears_the_cookie(client, db):
    cookie, _ = auth.start_session(db, signed_up(db).id)
    client.cookies.set("carelab_session", cookie)
    response = client.post("/auth/signout", follow_redirects=False)
    assert response.status_code == 303
    assert 'carelab_session=""' in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert auth.user_from_cookie(db, cookie) is None


def test_get_is_not_allowed(client):
    assert client.get("/auth/signout").status_code == 405
