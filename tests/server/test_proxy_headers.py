"""Behind a reverse proxy: the forwarded address counts, but only when the proxy is trusted.

The server is started with CARELAB_TRUSTED_PROXIES=127.0.0.2 (conftest.PROXY). A request
from there stands for the phone its X-Forwarded-For names; from anywhere else, even this
machine's 127.0.0.1, the header is ignored.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from carelab import auth
from carelab.store import db as store_db
from tests.server.conftest import PROXY, client, typo

LIMIT = 100  # wrong codes per address in ten minutes


def test_wrong_codes_from_one_forwarded_address_do_not_throttle_another(room):
    wrong = {"code": typo(room.code)}
    with client(room.server, PROXY) as proxy:

        def join(body: dict, forwarded_for: str) -> int:
            headers = {"X-Forwarded-For": forwarded_for}
            return proxy.post("/room/api/join", json=body, headers=headers).status_code

        assert [join(wrong, "203.0.113.7") for _ in range(LIMIT)] == [404] * LIMIT
        assert join(wrong, "203.0.113.7") == 429
        # A client that sends its own X-Forwarded-For reaches us as "forged, real" (nginx
        # appends the address it saw): the real one still counts.
        assert join(wrong, "198.51.100.99, 203.0.113.7") == 429
        # Another phone behind the same proxy is not affected.
        assert join(wrong, "203.0.113.8") == 404
        assert join(wrong, "2001:db8:5::1") == 404
        assert join({"code": room.code}, "203.0.113.7") == 201


def test_an_untrusted_peer_cannot_pick_its_address_with_the_header(room):
    # 127.0.0.1 is this machine, which uvicorn believes by default; the setting names
    # only PROXY, so here the header is ignored and every wrong code counts against 127.0.0.1.
    with client(room.server, "127.0.0.1") as http:
        statuses = []
        for _ in range(LIMIT + 1):
            forged = f"198.51.100.{secrets.randbelow(250) + 1}"
            headers = {"X-Forwarded-For": forged}
            sent = http.post("/room/api/join", json={"code": typo(room.code)}, headers=headers)
            statuses.append(sent.status_code)
    assert statuses == [404] * LIMIT + [429]


def test_a_trusted_proxy_passes_https_on_so_the_sign_in_cookie_is_secure(server):
    with store_db.session(Path(server.env["CARELAB_DB"])) as db:
        email = f"nurse-{secrets.token_hex(5)}@example.org"
        user = auth.create_account(db, email, secrets.token_urlsafe(18), "Nia")
        codes = [auth.issue_handoff(db, user) for _ in range(2)]
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    with client(server, PROXY) as proxy:
        over_https = proxy.post("/auth/session", data={"code": codes[0]}, headers=headers)
    with client(server, PROXY) as proxy:
        over_http = proxy.post("/auth/session", data={"code": codes[1]})
    assert over_https.status_code == over_http.status_code == 303
    assert "secure" in over_https.headers["set-cookie"].lower()
    assert "secure" not in over_http.headers["set-cookie"].lower()
