"""The phone's one page: plain HTML with its CSS and JavaScript inline, a few KB in all.

The three parts are files in static/ (room.html, room.css, room.js), read once at import.
They are inlined at serve time, so a phone on hospital Wi-Fi makes one request, and they
ship with the Python package; a Content-Security-Policy that names the two blocks by hash
still lets no other script or style run. The script inserts every author- and
participant-supplied string with textContent, never as HTML (a test greps for it).
"""

from __future__ import annotations

import base64
import hashlib
import html
from importlib import resources

from carelab.workshop.floor import MAX_QUESTION
from carelab.workshop.participants import MAX_NICKNAME
from carelab.workshop.steps import MAX_OPEN_ANSWER

_STATIC = resources.files("carelab.room") / "static"


def _static(name: str) -> str:
    return (_STATIC / name).read_text(encoding="utf-8")


TEMPLATE = _static("room.html")


def _compact(source: str) -> str:
    # Indentation and whole-line comments help the reader of room.js and room.css; a phone on a
    # slow network is better off without them. Newlines stay, so the script's meaning does.
    lines = (line.strip() for line in source.strip().splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//"))


CSS = _compact(_static("room.css"))
JS = _compact(_static("room.js"))


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# No other script, style, frame, font or image may load; fetches go only to this server.
CSP = (
    f"default-src 'none'; script-src {_hash(JS)}; style-src {_hash(CSS)}; "
    "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def render(code: str, joined: bool) -> str:
    """The page: a join form (code prefilled), or the participant page when joined."""
    # Fill the template slots before inserting the script and style, which must stay verbatim.
    return (
        TEMPLATE.replace("%CODE%", html.escape(code))
        .replace("%MODE%", "room" if joined else "join")
        .replace("%HEADING%", "Workshop" if joined else "Join a workshop")
        .replace("%MAXTEXT%", str(MAX_OPEN_ANSWER))
        .replace("%MAXNICK%", str(MAX_NICKNAME))
        .replace("%MAXQUESTION%", str(MAX_QUESTION))
        .replace("%CSS%", CSS)
        .replace("%JS%", JS)
    )


def headers(csp: str = CSP) -> dict[str, str]:
    """A room page's security headers (this page's CSP unless given); no-store, no referrer."""
    # No caching, because a page's URL or fragment carries a token; no framing, no sniffing.
    return {
        "Content-Security-Policy": csp,
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }
