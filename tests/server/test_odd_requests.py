"""Odd and hostile bodies get a 4xx with a sentence in JSON from the real server, never a 500."""

from __future__ import annotations

import pytest

from tests.server.conftest import NUMERIC, client

SOURCE = "127.0.0.14"  # wrong codes sent here count against this address only
PHONE = "127.0.0.18"  # only right codes come from here
JSON_TYPE = {"content-type": "application/json"}
NOT_AN_OBJECT = "Send the request as a JSON object."


def token_for(room) -> str:
    """A phone joined to `room` (from an address that never sent a wrong code)."""
    with client(room.server, PHONE) as http:
        return http.post("/room/api/join", json={"code": room.code}).json()["token"]


def answer_body(room, token: str, value: str) -> bytes:
    """An answer to the open numeric step, with `value` as raw JSON text."""
    ids = f'"code": "{room.code}", "p": "{token}", "step_index": {NUMERIC}'
    return f'{{{ids}, "value": {value}}}'.encode()


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("9" * 4000, 422, "Enter a number, such as 12 or 12.5."),
        ("-" + "9" * 4000, 422, "Enter a number, such as 12 or 12.5."),
        ("1" + "0" * 30, 422, "Enter a number between -1,000,000,000,000 and 1,000,000,000,000."),
        ("1e999", 422, "Enter a number, such as 12 or 12.5."),
        ("NaN", 400, NOT_AN_OBJECT),
    ],
)
def test_huge_and_odd_numbers_are_refused_with_a_message(room, body, status, message):
    token = token_for(room)
    with client(room.server, SOURCE) as http:
        raw = answer_body(room, token, body)
        sent = http.post("/room/api/answer", content=raw, headers=JSON_TYPE)
    assert (sent.status_code, sent.json()) == (status, {"error": message})


@pytest.mark.parametrize(
    ("raw", "status", "message"),
    [
        (b"[" * 8000, 400, NOT_AN_OBJECT),
        (b'{"code":' * 1500, 400, NOT_AN_OBJECT),
        (b"this is not JSON", 400, NOT_AN_OBJECT),
        (b"\xff\xfe{}", 400, NOT_AN_OBJECT),
        (b"", 400, NOT_AN_OBJECT),
        (b"{" + b" " * (2 * 1024 * 1024) + b"}", 413, "That request is too large."),
    ],
)
@pytest.mark.parametrize("path", ["/room/api/join", "/room/api/answer"])
def test_bodies_that_are_not_a_small_json_object_are_refused(server, path, raw, status, message):
    with client(server, SOURCE) as http:
        sent = http.post(path, content=raw, headers=JSON_TYPE)
    assert (sent.status_code, sent.json()) == (status, {"error": message})


HUGE = "A" * 15_000  # under the 16 KB body limit, so the checks behind it see it


NOT_A_CODE = "That is not a workshop code: codes have 6 letters and digits, like K7M3QX."
NOT_TEXT = "Write your nickname as text, or leave it empty."
TOO_LONG = "Choose a nickname of at most 30 characters (this one has 15000)."


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"code": ["K7M3QX"]}, 404, NOT_A_CODE),
        ({"code": None}, 404, NOT_A_CODE),
        ({"code": {"code": "K7M3QX"}}, 404, NOT_A_CODE),
        ({"code": 123456}, 404, NOT_A_CODE),
        ({"code": HUGE}, 404, NOT_A_CODE),
        ({"nickname": ["Ann"]}, 422, NOT_TEXT),
        ({"nickname": 12}, 422, NOT_TEXT),
        ({"nickname": HUGE}, 422, TOO_LONG),
    ],
)
def test_join_with_wrong_types_gets_a_message(room, fields, status, message):
    with client(room.server, SOURCE) as http:
        sent = http.post("/room/api/join", json={"code": room.code, **fields})
    with client(room.server, PHONE) as http:
        # The device id the page sends is ignored, however odd.
        odd_device = http.post("/room/api/join", json={"code": room.code, "device": HUGE})
    assert (sent.status_code, sent.json()) == (status, {"error": message})
    assert odd_device.status_code == 201


@pytest.mark.parametrize(
    "fields",
    [
        {"p": ["x"]},
        {"p": None},
        {"p": HUGE},
        {"code": None},
        {"step_index": "4"},
        {"step_index": None},
        {"step_index": [NUMERIC]},
        {"step_index": 1e308},
        {"step_index": 10**30},
        {"value": {"a": 1}},
        {"value": None},
        {"value": [1] * 2000},
        {"value": "9" * 10_000},
        {"value": HUGE},
    ],
)
def test_answer_with_wrong_types_gets_a_message(room, fields):
    token = token_for(room)
    with client(room.server, SOURCE) as http:
        body = {"code": room.code, "p": token, "step_index": NUMERIC, "value": 12, **fields}
        sent = http.post("/room/api/answer", json=body)
    assert 400 <= sent.status_code < 500, sent.text
    assert isinstance(sent.json()["error"], str) and sent.json()["error"].endswith(".")
