"""A guesser learns nothing about which codes are live from the phone's own endpoints:
without a phone's token, a live code and a made-up one get the same answer.

In 0.4 `state`, `answer`, `wait` and `stream` said "There is no workshop with the code …"
for a made-up code and "This device is not in the workshop yet" for a live one, with no
limit at all: an oracle for live codes beside the limited join."""

from __future__ import annotations

import pytest

from tests.server.conftest import client, typo


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/room/api/state"),
        ("GET", "/room/api/wait"),
        ("GET", "/room/api/stream"),
        ("POST", "/room/api/answer"),
    ],
)
def test_a_live_code_and_a_made_up_one_look_the_same_without_a_token(room, method, path):
    with client(room.server, "127.0.0.31") as http:

        def ask(code: str):
            params = {"code": code, "p": "not-a-real-token-123456"}
            if method == "GET":
                return http.get(path, params={**params, "version": "0"})
            return http.post(path, json={**params, "step_index": 4, "value": 1})

        live, made_up = ask(room.code), ask(typo(room.code))
    assert (live.status_code, live.json()) == (made_up.status_code, made_up.json())
    assert live.status_code == 404
    assert live.json() == {
        "error": "This device is not in the workshop yet. Join again with the code."
    }
