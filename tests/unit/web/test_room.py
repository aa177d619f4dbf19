"""The room endpoint over HTTP: join, state, answers, errors, the long poll and the step stream."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.testclient import TestClient

from carelab.room import hub as hub_module
from carelab.room import page
from carelab.room import routes as room
from carelab.store import workshops as store
from carelab.workshop import events, participants, workshops
from tests.unit.workshop.conftest import content_steps, make_user

# Steps of content_steps(): 0 text, 1 single (Red, Green, Blue), 2 multiple, 3 scale,
# 4 numeric (%), 5 open, 6 quiz single (A, B; B right), 7 quiz numeric, 8 discussion.
SINGLE, OPEN, NUMERIC = 1, 5, 4
JSON_TYPE = {"content-type": "application/json"}


@pytest.fixture
def hub():
    return hub_module.Hub(poll_seconds=0.05)


@pytest.fixture
def client(db_path, hub):
    return TestClient(Starlette(routes=room.routes(hub)), base_url="http://testserver")


@pytest.fixture
def facilitator(db):
    return make_user(db, "fac@example.org", "facilitator")


@pytest.fixture
def workshop(db, facilitator):
    return workshops.create_workshop(db, facilitator, "Ward round", "module", "m", content_steps())


def go(db, facilitator, workshop, index, open_answering=True):
    return workshops.go_to_step(db, facilitator, workshop.id, index, open_answering=open_answering)


def joined(client, workshop, nickname=""):
    response = client.post("/room/api/join", json={"code": workshop.code, "nickname": nickname})
    assert response.status_code == 201, response.text
    return response.json()["token"]


def answer(client, workshop, token, step_index, value):
    body = {"code": workshop.code, "p": token, "step_index": step_index, "value": value}
    return client.post("/room/api/answer", json=body)


def state(client, workshop, token):
    return client.get("/room/api/state", params={"code": workshop.code, "p": token})


# --- joining ---------------------------------------------------------------------------


@pytest.mark.parametrize("nickname", ["Ann", "", None])
def test_join_with_or_without_a_nickname(client, workshop, nickname):
    typed = f" {workshop.code[:3].lower()}-{workshop.code[3:]} "
    response = client.post("/room/api/join", json={"code": typed, "nickname": nickname})
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["code"] == workshop.code and len(body["token"]) >= 24
    me = state(client, workshop, body["token"]).json()["participant"]
    assert me == {"number": 1, "nickname": nickname or ""}


def test_an_over_long_nickname_gets_a_message(client, workshop):
    response = client.post("/room/api/join", json={"code": workshop.code, "nickname": "y" * 31})
    assert response.status_code == 422
    assert response.json() == {
        "error": "Choose a nickname of at most 30 characters (this one has 31)."
    }


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ZZZZZZ", "There is no workshop with the code ZZZZZZ. Check the code on the screen "
         "and try again."),
        ("hello", "That is not a workshop code: codes have 6 letters and digits, like K7M3QX."),
        (None, "That is not a workshop code: codes have 6 letters and digits, like K7M3QX."),
    ],
)  # fmt: skip
def test_a_wrong_code_is_404_with_a_message(client, code, message):
    response = client.post("/room/api/join", json={"code": code})
    assert response.status_code == 404
    assert response.json() == {"error": message}


def test_repeated_wrong_codes_are_throttled_but_the_right_code_still_joins(client, workshop):
    for _ in range(participants.MAX_WRONG_CODES):
        assert client.post("/room/api/join", json={"code": "ZZZZZZ"}).status_code == 404
    response = client.post("/room/api/join", json={"code": "ZZZZZZ"})
    assert response.status_code == 429
    body = response.json()
    assert 590 <= body["retry_after"] <= 601
    assert response.headers["retry-after"] == str(body["retry_after"])
    assert body["error"].startswith("Too many wrong codes have come from your network.")
    assert "device" not in body["error"]
    assert client.post("/room/api/join", json={"code": workshop.code}).status_code == 201


def test_a_full_workshop_is_409_with_a_message(client, workshop, monkeypatch):
    monkeypatch.setenv("CARELAB_MAX_PARTICIPANTS", "1")
    token = joined(client, workshop)
    full = client.post("/room/api/join", json={"code": workshop.code})
    assert full.status_code == 409
    assert full.json() == {
        "error": "This workshop is full: it has room for 1 phones. Tell the facilitator."
    }
    assert state(client, workshop, token).status_code == 200


def test_an_ended_workshop_refuses_joining_and_answers_but_still_shows_its_state(
    client, db, facilitator, workshop
):
    token = joined(client, workshop)
    go(db, facilitator, workshop, SINGLE)
    workshops.end_workshop(db, facilitator, workshop.id)
    message = "This workshop has ended, so it takes no more answers. Thank you!"
    join = client.post("/room/api/join", json={"code": workshop.code})
    assert (join.status_code, join.json()) == (410, {"error": message})
    sent = answer(client, workshop, token, SINGLE, 0)
    assert (sent.status_code, sent.json()) == (410, {"error": message})
    assert state(client, workshop, token).json()["ended"] is True
    assert store.responses(db, workshop.id) == []


# --- state and answers -----------------------------------------------------------------


def test_state_is_what_the_phone_shows(client, db, facilitator, workshop):
    token = joined(client, workshop, "Bo")
    go(db, facilitator, workshop, SINGLE)
    response = state(client, workshop, token)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["title"] == "Ward round"
    assert (body["step_index"], body["step_count"]) == (SINGLE, 9)
    assert body["step"]["options"] == ["Red", "Green", "Blue"]
    assert body["answering_open"] is True and body["my_answer"] is None


def test_answer_then_re_answer_keeps_one_row(client, db, facilitator, workshop):
    token = joined(client, workshop)
    go(db, facilitator, workshop, SINGLE)
    first = answer(client, workshop, token, SINGLE, 0)
    assert first.status_code == 200
    assert first.json() == {"received": True, "step_index": SINGLE, "answer": 0}
    assert answer(client, workshop, token, SINGLE, 2).json()["answer"] == 2
    rows = store.responses(db, workshop.id, SINGLE)
    assert [json.loads(r["answer"]) for r in rows] == [2]
    assert state(client, workshop, token).json()["my_answer"] == 2


def test_a_double_submit_stores_one_row(client, db, facilitator, workshop):
    token = joined(client, workshop)
    go(db, facilitator, workshop, SINGLE)
    with ThreadPoolExecutor(2) as pool:
        sent = list(pool.map(lambda _: answer(client, workshop, token, SINGLE, 1), range(2)))
    assert [r.status_code for r in sent] == [200, 200]
    assert len(store.responses(db, workshop.id, SINGLE)) == 1


def test_a_locked_step_is_423(client, db, facilitator, workshop):
    token = joined(client, workshop)
    go(db, facilitator, workshop, SINGLE)
    workshops.lock_answering(db, facilitator, workshop.id)
    response = answer(client, workshop, token, SINGLE, 0)
    assert (response.status_code, response.json()) == (
        423,
        {"error": "Answering is closed for this step."},
    )


def test_a_step_that_is_not_current_is_409_with_the_current_step(client, db, facilitator, workshop):
    token = joined(client, workshop)
    go(db, facilitator, workshop, OPEN)
    response = answer(client, workshop, token, SINGLE, 0)
    assert response.status_code == 409
    assert response.json() == {
        "error": "That question is no longer on screen: the workshop is on step 6 now.",
        "current_step": OPEN,
    }


@pytest.mark.parametrize(
    ("step", "value", "message"),
    [
        (NUMERIC, "twelve", "Enter a number, such as 12 or 12.5."),
        (NUMERIC, "1e400", "Enter a number, such as 12 or 12.5."),
        (OPEN, "x" * 281, "Keep your answer to 280 characters; this one has 281."),
        (OPEN, "   ", "Write an answer before sending it."),
        (SINGLE, 7, "Choose one of the options."),
        (SINGLE, True, "Choose one of the options."),
    ],
)
def test_invalid_answers_are_422_with_what_to_fix(
    client, db, facilitator, workshop, step, value, message
):
    token = joined(client, workshop)
    go(db, facilitator, workshop, step)
    response = answer(client, workshop, token, step, value)
    assert (response.status_code, response.json()) == (422, {"error": message})
    assert store.responses(db, workshop.id) == []


def test_an_unknown_participant_is_404(client, db, facilitator, workshop):
    go(db, facilitator, workshop, SINGLE)
    message = "This device is not in the workshop yet. Join again with the code."
    for response in (
        answer(client, workshop, "not-a-token", SINGLE, 0),
        state(client, workshop, "not-a-token"),
        client.get("/room/api/wait", params={"code": workshop.code, "p": ""}),
        client.get("/room/api/stream", params={"code": workshop.code, "p": "x" * 500}),
    ):
        assert (response.status_code, response.json()) == (404, {"error": message})


def test_bad_requests_are_refused_as_json(client, workshop):
    cross_site = client.post(
        "/room/api/join", json={"code": workshop.code}, headers={"origin": "https://evil.example"}
    )
    assert cross_site.status_code == 403 and "another site" in cross_site.json()["error"]
    as_form = client.post("/room/api/join", data={"code": workshop.code})
    assert as_form.status_code == 415
    not_an_object = client.post("/room/api/join", content=b"[1]", headers=JSON_TYPE)
    assert not_an_object.status_code == 400
    huge = client.post("/room/api/join", content=b" " * 20_000, headers=JSON_TYPE)
    assert huge.status_code == 413
    said_huge = {**JSON_TYPE, "content-length": "2000000"}
    assert client.post("/room/api/join", content=b"{}", headers=said_huge).status_code == 413
    same_site = client.post(
        "/room/api/join", json={"code": workshop.code}, headers={"origin": "http://testserver"}
    )
    assert same_site.status_code == 201


@pytest.mark.parametrize(
    "raw",
    [b"[" * 8000, b"{" * 8000, b"not json", b'{"code": NaN}', b'{"code": Infinity}', b"\xff"],
)
def test_bodies_that_are_not_a_json_object_are_400_with_a_message(client, raw):
    response = client.post("/room/api/join", content=raw, headers=JSON_TYPE)
    assert response.status_code == 400
    assert response.json() == {"error": "Send the request as a JSON object."}


@pytest.mark.parametrize(
    ("digits", "message"),
    [
        ("9" * 19, "Enter a number between -1,000,000,000,000 and 1,000,000,000,000."),
        ("9" * 4000, "Enter a number, such as 12 or 12.5."),
        ("-" + "9" * 4000, "Enter a number, such as 12 or 12.5."),
    ],
)
def test_a_number_with_thousands_of_digits_is_422_not_a_crash(
    client, db, facilitator, workshop, digits, message
):
    token = joined(client, workshop)
    go(db, facilitator, workshop, NUMERIC)
    ids = f'"code": "{workshop.code}", "p": "{token}", "step_index": {NUMERIC}'
    raw = f'{{{ids}, "value": {digits}}}'
    response = client.post("/room/api/answer", content=raw, headers=JSON_TYPE)
    assert (response.status_code, response.json()) == (422, {"error": message})


# --- no facilitator actions ------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["next", "previous", "reveal", "reveal_answer", "lock", "open", "end", "export", "timer",
     "hide", "step/3", "../api/next"],
)  # fmt: skip
def test_a_forged_facilitator_action_changes_nothing(client, db, facilitator, workshop, path):
    token = joined(client, workshop)
    go(db, facilitator, workshop, SINGLE)
    before = workshops.get_workshop(db, workshop.id)
    body = {"code": workshop.code, "p": token, "step_index": 2, "action": path}
    for method in ("GET", "POST", "PUT", "DELETE"):
        response = client.request(method, f"/room/api/{path}", json=body)
        assert response.status_code in (404, 405), (method, path)
        assert "text/csv" not in response.headers.get("content-type", "")
    # Extra fields on a real endpoint are ignored too.
    assert answer(client, workshop, token, SINGLE, 0).status_code == 200
    assert workshops.get_workshop(db, workshop.id) == before


# --- text stays data -------------------------------------------------------------------


def test_html_in_a_nickname_or_an_open_answer_comes_back_as_json_data(
    client, db, facilitator, workshop
):
    nasty = "<script>alert(1)</script>"
    token = joined(client, workshop, nasty)
    go(db, facilitator, workshop, OPEN)
    text = '<img src=x onerror="alert(2)"> & done'
    sent = answer(client, workshop, token, OPEN, text)
    assert sent.headers["content-type"] == "application/json"
    assert sent.json()["answer"] == text
    shown = state(client, workshop, token)
    assert shown.headers["content-type"] == "application/json"
    assert shown.json()["participant"]["nickname"] == nasty
    assert shown.json()["my_answer"] == text


def test_the_page_script_never_inserts_html():
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in page.JS, sink
    assert "textContent" in page.JS


# --- the page --------------------------------------------------------------------------


def test_the_join_page_is_small_self_contained_and_prefilled(client, workshop):
    response = client.get(f"/room/{workshop.code.lower()}")
    assert response.status_code == 200
    text = response.text
    # What a phone downloads: the server gzips it (Streamlit's middleware). About 6 KB
    # before issue 15; questions from the floor, ranking, quiz scores and self-paced steps
    # took it to about 9 KB, still one round trip on a slow ward Wi-Fi.
    assert len(gzip.compress(response.content)) < 10 * 1024
    # Uncompressed, after issue 15's questions from the floor (about 5 KB of script),
    # ranking, quiz scores and self-paced steps: about 27 KB.
    assert len(response.content) < 30 * 1024
    assert f'id="code" class="field" value="{workshop.code}"' in text
    assert 'data-mode="join"' in text and 'maxlength="30"' in text
    assert "Up to 30 characters" in text
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", text)
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_the_policy_hashes_exactly_the_inline_script_and_style(client, workshop):
    # The blocks come from static/room.js and room.css; the policy must name what is served,
    # and nothing may let any other inline script or style run.
    response = client.get(f"/room/{workshop.code}?p=abc")
    policy = response.headers["content-security-policy"]
    for tag, directive in (("script", "script-src"), ("style", "style-src")):
        blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", response.text, re.DOTALL)
        assert len(blocks) == 1, tag
        digest = base64.b64encode(hashlib.sha256(blocks[0].encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}';" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_participant_page_and_a_bad_code_in_the_path(client, workshop):
    assert 'data-mode="room"' in client.get(f"/room/{workshop.code}?p=abc").text
    bad = client.get("/room/%22%3E%3Cscript%3Ealert(1)", params={"p": "tok"})
    assert bad.status_code == 200
    assert "alert(1)" not in bad.text and 'data-code=""' in bad.text
    assert 'data-mode="join"' in bad.text
    assert 'data-mode="join"' in client.get("/room").text


# --- following the facilitator ---------------------------------------------------------


def test_the_long_poll_answers_at_once_when_behind(client, db, facilitator, workshop):
    token = joined(client, workshop)
    params = {"code": workshop.code, "p": token, "version": 0}
    started = time.monotonic()
    response = client.get("/room/api/wait", params=params)
    assert response.status_code == 200 and response.json()["version"] >= 1
    assert time.monotonic() - started < 1
    assert response.headers["cache-control"] == "no-store"


def test_the_long_poll_returns_promptly_after_a_facilitator_action(
    client, db, facilitator, workshop, hub
):
    token = joined(client, workshop)
    version = state(client, workshop, token).json()["version"]
    params = {"code": workshop.code, "p": token, "version": version}
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(client.get, "/room/api/wait", params=params)
        wait_until(lambda: hub.active() == 1)
        assert not waiting.done()
        moved = time.monotonic()
        go(db, facilitator, workshop, SINGLE)
        response = waiting.result(timeout=5)
    assert time.monotonic() - moved < 2
    assert response.json()["step_index"] == SINGLE
    assert response.json()["version"] > version
    wait_until(lambda: hub.active() == 0)


def wait_until(condition, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def read_event(lines) -> tuple[str, dict]:
    """The next `event:`/`data:` pair of a server-sent event stream, skipping comments."""
    event = None
    for line in lines:
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event:
            return event, json.loads(line.removeprefix("data: "))
    raise AssertionError("the stream ended")


def test_the_stream_sends_a_state_event_after_each_facilitator_action(
    client, db, facilitator, workshop, hub
):
    token = joined(client, workshop)
    params = {"code": workshop.code, "p": token}
    with (
        ThreadPoolExecutor(1) as pool,
        client.stream("GET", "/room/api/stream", params=params) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-store"
        lines = response.iter_lines()
        event, first = pool.submit(read_event, lines).result(timeout=5)
        assert (event, first["step_index"]) == ("state", 0)
        go(db, facilitator, workshop, SINGLE)
        event, second = pool.submit(read_event, lines).result(timeout=3)
        assert (event, second["step_index"], second["answering_open"]) == ("state", SINGLE, True)
        workshops.lock_answering(db, facilitator, workshop.id)
        _, third = pool.submit(read_event, lines).result(timeout=3)
        assert third["answering_open"] is False and third["version"] > second["version"]
        workshops.end_workshop(db, facilitator, workshop.id)
        _, last = pool.submit(read_event, lines).result(timeout=3)
        assert last["ended"] is True
        # An ended workshop changes no more: the stream closes after saying so.
        assert [line for line in lines if line] == []
    wait_until(lambda: hub.active() == 0)


def test_one_poller_serves_every_phone_of_a_workshop(client, db, facilitator, workshop, hub):
    tokens = [joined(client, workshop) for _ in range(3)]
    version = state(client, workshop, tokens[0]).json()["version"]
    # Inside `with`, the client runs every request on one event loop, as a server does.
    with client, ThreadPoolExecutor(3) as pool:
        waits = [
            pool.submit(
                client.get,
                "/room/api/wait",
                params={"code": workshop.code, "p": token, "version": version},
            )
            for token in tokens
        ]
        time.sleep(0.3)
        assert hub.active() == 1 and not any(w.done() for w in waits)
        go(db, facilitator, workshop, OPEN)
        results = [w.result(timeout=5).json() for w in waits]
        assert [r["step_index"] for r in results] == [OPEN] * 3
        wait_until(lambda: hub.active() == 0)


def test_a_stream_ends_with_renew_so_the_server_can_restart(db_path, workshop, hub):
    app = Starlette(routes=room.routes(hub, stream_seconds=0.3))
    client = TestClient(app, base_url="http://testserver")
    token = joined(client, workshop)
    params = {"code": workshop.code, "p": token}
    with (
        ThreadPoolExecutor(1) as pool,
        client.stream("GET", "/room/api/stream", params=params) as response,
    ):
        lines = response.iter_lines()
        assert pool.submit(read_event, lines).result(timeout=5)[0] == "state"
        assert pool.submit(read_event, lines).result(timeout=3) == ("renew", {})
        assert [line for line in lines if line] == []


def test_the_device_id_a_phone_chooses_does_not_dodge_the_limit(client, workshop):
    for i in range(participants.MAX_WRONG_CODES):
        body = {"code": "ZZZZZZ", "device": f"{i:032d}"}
        assert client.post("/room/api/join", json=body).status_code == 404
    fresh = {"code": "ZZZZZZ", "device": "f" * 32}
    assert client.post("/room/api/join", json=fresh).status_code == 429
    # The page still sends its id; a right code joins with it.
    right = client.post("/room/api/join", json={"code": workshop.code, "device": "f" * 32})
    assert right.status_code == 201


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.7", "ip:203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "ip:2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "ip:2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "ip:203.0.113.7"),
        ("testclient", "ip:testclient"),
    ],
)
def test_wrong_codes_count_per_address_and_per_ipv6_block(host, key):
    request = Request({"type": "http", "client": (host, 5000), "headers": []})
    assert room.client_key(request) == key


def test_a_facilitator_in_this_process_wakes_the_poller_at_once(db_path, db, facilitator, workshop):
    slow = hub_module.Hub(poll_seconds=120)  # left to itself, it would not poll in this test
    undo = events.on_change(slow.nudge)
    client = TestClient(Starlette(routes=room.routes(slow)), base_url="http://testserver")
    try:
        token = joined(client, workshop)
        params = {"code": workshop.code, "p": token}
        with (
            ThreadPoolExecutor(1) as pool,
            client.stream("GET", "/room/api/stream", params=params) as response,
        ):
            lines = response.iter_lines()
            assert pool.submit(read_event, lines).result(timeout=5)[1]["step_index"] == 0
            go(db, facilitator, workshop, SINGLE)  # calls events.changed after the commit
            event, state = pool.submit(read_event, lines).result(timeout=10)
            assert (event, state["step_index"]) == ("state", SINGLE)
            workshops.end_workshop(db, facilitator, workshop.id)
            assert pool.submit(read_event, lines).result(timeout=10)[1]["ended"] is True
    finally:
        undo()


def test_a_failing_change_listener_does_not_stop_the_facilitator(db, facilitator, workshop):
    heard: list[int] = []

    def broken(workshop_id: int) -> None:
        raise RuntimeError("listener bug")

    undo_broken, undo_heard = events.on_change(broken), events.on_change(heard.append)
    try:
        moved = go(db, facilitator, workshop, SINGLE)
    finally:
        undo_broken()
        undo_heard()
    assert moved.current_step == SINGLE and heard == [workshop.id]
