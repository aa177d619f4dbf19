"""A database file removed while the server runs: the room refuses answers with a 503 and
a sentence, logs why, and never acknowledges into the deleted file nor makes a new one.

0.4 kept acknowledging: its per-thread connections wrote into the deleted file, and a
missing file was silently made again, empty."""

from __future__ import annotations

from pathlib import Path

from carelab.store.errors import CANNOT_SAVE
from tests.server.conftest import client, open_room, start_server


def test_answers_after_the_file_is_removed_are_refused_not_acknowledged(tmp_path):
    server = start_server(tmp_path)
    try:
        room = open_room(server)
        path = Path(server.env["CARELAB_DB"])
        with client(server, "127.0.0.21") as http:
            joined = http.post("/room/api/join", json={"code": room.code}).json()
            answer = {"code": room.code, "p": joined["token"], "step_index": 4}
            # Several answers first, so that the server's threads all hold a connection.
            for value in range(1, 9):
                saved = http.post("/room/api/answer", json={**answer, "value": value})
                assert saved.status_code == 200, saved.text
            assert http.get("/healthz").json()["status"] == "ok"
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            # A load balancer asking /healthz now takes this server out of its rotation.
            health = http.get("/healthz")
            refused = [
                http.post("/room/api/answer", json={**answer, "value": 10 + n}) for n in range(40)
            ]
            state = http.get("/room/api/state", params={"code": room.code, "p": joined["token"]})
            stranger = http.post("/room/api/join", json={"code": room.code})
        assert {r.status_code for r in refused} == {503}
        assert {r.json()["error"] for r in refused} == {CANNOT_SAVE}
        assert refused[0].headers["retry-after"] == "2"
        assert state.status_code == 503 and stranger.status_code == 503
        assert health.status_code == 503 and str(path) not in health.text
        assert not path.exists(), "the server made a new, empty database mid-run"
        assert "was removed while CareLab was running" in server.log.read_text()
        # Start-up is where a new database may be made: the room works again after it.
        server.stop()
        server.start()
        assert path.exists()
        fresh = open_room(server)
        with client(server, "127.0.0.21") as http:
            again = http.post("/room/api/join", json={"code": fresh.code, "nickname": "x"})
        assert again.status_code == 201, again.text
        assert again.json()["code"] == fresh.code
    finally:
        server.stop()
