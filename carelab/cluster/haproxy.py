"""HAProxy in front of several CareLab servers: sticky for Streamlit, round-robin for the room.

Streamlit keeps each browser tab's session (and its websocket) in one server's memory, so
HAProxy pins a browser to a server with a cookie it sets itself (`CARELAB_SERVER`). When
that server is down the browser's next request, and Streamlit's reconnecting websocket, go
to a live one (`option redispatch`); the new server starts a fresh Streamlit session, and
the sign-in cookie (signed with a key in the database) signs the browser in again. The
phones' room (`/room`) keeps nothing in a server's memory, so its requests go round-robin.
Every server is checked on `/healthz` (database reachable, migrations current) each second.
"""

from __future__ import annotations

import resource
import shutil
from dataclasses import dataclass

AFFINITY_COOKIE = "CARELAB_SERVER"


@dataclass(frozen=True)
class Backend:
    """One CareLab server as HAProxy sees it: a name and where it listens."""

    name: str
    host: str
    port: int


def program() -> str:
    """The path of Debian's `haproxy`."""
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
    if found is None:
        raise RuntimeError("haproxy not found: apt-get install haproxy")
    return found


def max_connections() -> int:
    """The most connections HAProxy can hold here: two descriptors each, under the hard limit."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        return 50_000
    return max(256, min(50_000, (hard - 200) // 2))


def config_text(
    backends: list[Backend], bind: str, port: int, stats_port: int | None = None
) -> str:
    """An haproxy.cfg for `backends` behind `bind:port` (and a stats page on 127.0.0.1)."""
    checks = "check inter 1s fall 2 rise 2"
    app_servers = "\n".join(
        f"    server {b.name} {b.host}:{b.port} {checks} cookie {b.name}" for b in backends
    )
    room_servers = "\n".join(f"    server {b.name} {b.host}:{b.port} {checks}" for b in backends)
    stats = (
        f"""
listen stats
    bind 127.0.0.1:{stats_port}
    stats enable
    stats uri /
    stats refresh 2s
"""
        if stats_port
        else ""
    )
    return f"""# Written by carelab.cluster: CareLab servers behind HAProxy (docs/deployment.md).
global
    maxconn {max_connections()}

defaults
    mode http
    option forwardfor
    option redispatch
    retries 3
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout tunnel 1h
    timeout client-fin 5s

frontend carelab
    bind {bind}:{port}
    acl is_room path /room
    acl is_room path_beg /room/
    use_backend room if is_room
    default_backend app

# Streamlit: sticky, by a cookie HAProxy sets; to another server when that one is down.
backend app
    balance roundrobin
    cookie {AFFINITY_COOKIE} insert indirect nocache httponly attr SameSite=Lax
    option httpchk GET /healthz
    http-check expect status 200
{app_servers}

# The phones' room: nothing lives in a server's memory, so plain round-robin.
backend room
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
{room_servers}
{stats}"""
