"""The presenter page as served: self-contained, its blocks hashed, no HTML from data."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from carelab.room import presenter_page
from carelab.room import routes as room


@pytest.fixture
def client(db_path):
    return TestClient(Starlette(routes=room.routes()), base_url="http://testserver")


def test_the_presenter_script_never_inserts_html():
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in presenter_page.JS, sink
    assert "textContent" in presenter_page.JS


def test_the_page_hashes_its_blocks_and_draws_the_join_qr_inline(client):
    response = client.get("/room/present/k7m-3qx")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    for tag, directive in (("script", "script-src"), ("style", "style-src")):
        blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", response.text, re.DOTALL)
        assert len(blocks) == 1, tag
        digest = base64.b64encode(hashlib.sha256(blocks[0].encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}';" in policy
    assert "unsafe-inline" not in policy
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", response.text)
    # The code as canonical, the short link and the QR's name all point at the join page.
    assert 'data-code="K7M3QX"' in response.text
    assert "testserver/room/K7M3QX" in response.text
    assert "<title>QR code: scan it with a phone camera to open http://testserver/room/K7M3QX" in (
        response.text
    )
    assert response.headers["referrer-policy"] == "no-referrer"


def test_a_bad_code_in_the_path_gets_a_message_not_a_page(client):
    bad = client.get("/room/present/%22%3E%3Cscript%3E")
    assert bad.status_code == 404
    assert "<script>" not in bad.text
    assert "That is not a workshop code" in bad.text
