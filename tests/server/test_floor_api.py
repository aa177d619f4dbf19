"""Questions from the floor over HTTP on a real server: ask, list, upvote once, limits."""

from __future__ import annotations

from pathlib import Path

from carelab import auth
from carelab.store import db as store_db
from carelab.workshop import workshops
from tests.server.conftest import client

QUESTION = "How do we explain the funnel plot to the board?"


def _turn_on(room, **settings) -> None:
    with store_db.session(Path(room.server.env["CARELAB_DB"])) as db:
        workshop = workshops.get_workshop(db, room.id)
        user = auth.get_user(db, workshop.facilitator_id)
        workshops.change_settings(db, user, room.id, **settings)


def _join(http, room) -> str:
    joined = http.post("/room/api/join", json={"code": room.code})
    assert joined.status_code == 201, joined.text
    return joined.json()["token"]


def test_phones_ask_see_and_upvote_once(room):
    _turn_on(room, floor_questions=True)
    with client(room.server, "127.0.0.41") as http:
        asker, voter = _join(http, room), _join(http, room)
        state = http.get(f"/room/api/state?code={room.code}&p={voter}").json()
        assert state["floor"]["on"] is True
        asked = http.post(
            "/room/api/floor/ask", json={"code": room.code, "p": asker, "text": QUESTION}
        )
        assert asked.status_code == 201, asked.text
        qid = asked.json()["questions"][0]["id"]
        body = {"code": room.code, "p": voter, "question_id": qid, "up": True}
        votes = [http.post("/room/api/floor/vote", json=body) for _ in range(2)]
        assert [v.status_code for v in votes] == [200, 200]
        listed = http.get(f"/room/api/floor?code={room.code}&p={voter}").json()
        (seen,) = listed["questions"]
        assert seen == {"id": qid, "text": QUESTION, "votes": 1, "status": "open",
                        "mine": False, "voted": True}  # fmt: skip
        same = http.get(f"/room/api/floor?code={room.code}&p={voter}&since={listed['version']}")
        assert same.json() == {"on": True, "version": listed["version"], "unchanged": True}
        assert same.headers["cache-control"] == "no-store"


def test_bad_questions_and_floods_get_a_clear_status(room):
    with client(room.server, "127.0.0.42") as http:
        token = _join(http, room)
        ask = {"code": room.code, "p": token, "text": "Allowed?"}
        off = http.post("/room/api/floor/ask", json=ask)
        assert (off.status_code, off.json()["error"]) == (
            409, "The facilitator has not opened questions from the floor.",
        )  # fmt: skip
        _turn_on(room, floor_questions=True)
        long = http.post("/room/api/floor/ask", json={**ask, "text": "x" * 300})
        assert (long.status_code, long.json()["error"]) == (
            422, "Keep your question to 280 characters (this one has 300).",
        )  # fmt: skip
        sent = [http.post("/room/api/floor/ask", json=ask).status_code for _ in range(4)]
        assert sent == [201, 201, 201, 429]
        flood = http.post("/room/api/floor/ask", json=ask)
        assert int(flood.headers["retry-after"]) == flood.json()["retry_after"] > 0
        gone = {"code": room.code, "p": token, "question_id": 10**9, "up": True}
        wrong = http.post("/room/api/floor/vote", json=gone)
        assert wrong.status_code == 404
        stranger = http.get(f"/room/api/floor?code={room.code}&p=not-a-phone")
        assert stranger.status_code == 404
        cross = http.post(
            "/room/api/floor/ask", json=ask, headers={"Origin": "https://evil.example"}
        )
        assert cross.status_code == 403
