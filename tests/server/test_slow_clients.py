"""Slow clients are cut off by the real server, and a long poll is not.

uvicorn has no deadline for a request's head or body, so a client that sends a byte every
second held a connection (and a file descriptor) for as long as it liked. CareLab closes
one that is silent or trickles for about 10 s (carelab/web/connections.py); these clients
get up to CUT_OFF_SECONDS, a generous bound for a loaded machine.
"""

from __future__ import annotations

import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

from tests.server.conftest import client

CUT_OFF_SECONDS = 45.0


def _connect(url: str) -> socket.socket:
    parsed = urlparse(url)
    sock = socket.create_connection((parsed.hostname, parsed.port), timeout=CUT_OFF_SECONDS)
    sock.settimeout(CUT_OFF_SECONDS)
    return sock


def _closed_by_server(sock: socket.socket) -> bool:
    """Wait (up to CUT_OFF_SECONDS) for the server to close; True if it did."""
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def silent(url: str) -> bool:
    """Connect and send nothing."""
    with _connect(url) as sock:
        return _closed_by_server(sock)


def trickle(url: str, head: bytes, then: bytes) -> bool:
    """Send `head` at once, then `then` one byte a second until the server closes."""
    with _connect(url) as sock:
        sock.sendall(head)
        gone = threading.Event()

        def drip() -> None:
            for byte in then:
                if gone.is_set():
                    return
                try:
                    sock.send(bytes([byte]))
                except OSError:
                    return
                gone.wait(1.0)

        dripper = threading.Thread(target=drip)
        dripper.start()
        try:
            return _closed_by_server(sock)
        finally:
            gone.set()
            dripper.join()


def test_silent_and_trickling_clients_are_closed_but_a_long_poll_is_kept(room):
    url = room.server.url
    header_lines = b"GET /room HTTP/1.1\r\nHost: carelab\r\nX-Padding: " + b"a" * 200 + b"\r\n\r\n"
    body_head = (
        b"POST /room/api/join HTTP/1.1\r\nHost: carelab\r\n"
        b"Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n"
    )
    with client(room.server, "127.0.0.17") as http:
        token = http.post("/room/api/join", json={"code": room.code}).json()["token"]
        version = http.get("/room/api/state", params={"code": room.code, "p": token}).json()
        with ThreadPoolExecutor(4) as pool:
            cut = {
                "silent": pool.submit(silent, url),
                "slow head": pool.submit(trickle, url, b"", header_lines),
                "slow body": pool.submit(trickle, url, body_head, b" " * 4000),
            }
            # Nothing changes in the room, so the long poll waits its full 25 s, more than
            # the 10 s a client gets to send a request: the app's time is not the client's.
            params = {"code": room.code, "p": token, "version": version["version"]}
            poll = pool.submit(http.get, "/room/api/wait", params=params)
            closed = {name: future.result() for name, future in cut.items()}
            waited = poll.result()
    assert closed == {"silent": True, "slow head": True, "slow body": True}
    assert waited.status_code == 200 and waited.json()["participant"]["number"] == 1
