"""The presenter screen's one page: plain HTML with its CSS and JavaScript inline.

Like the phone page (carelab/room/page.py): the parts are files in static/ (present.html,
present.css, present.js), inlined at serve time under a Content-Security-Policy that names
the script and the style by hash. The join QR code is drawn here, on the server, as inline
SVG (segno), so the page loads nothing else. The page's URL carries no secret: the
presenter token travels in its fragment, which browsers never send, and the script keeps
it in the tab's sessionStorage and sends it in a header.
"""

from __future__ import annotations

import html
from functools import lru_cache

import segno

from carelab.room import page
from carelab.room.page import _compact, _hash, _static

TEMPLATE = _static("present.html")
CSS = _compact(_static("present.css"))
JS = _compact(_static("present.js"))

CSP = (
    f"default-src 'none'; script-src {_hash(JS)}; style-src {_hash(CSS)}; "
    "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


@lru_cache(maxsize=256)
def qr_svg(url: str) -> str:
    """The join link's QR code as inline SVG, with a text alternative (its <title>)."""
    title = f"QR code: scan it with a phone camera to open {url}"
    svg = segno.make(url, error="m").svg_inline(scale=1, border=2, title=title, omitsize=True)
    # role=img so the title is read as the picture's name.
    return svg.replace("<svg ", '<svg role="img" focusable="false" ', 1)


def render(code: str, origin: str) -> str:
    """The presenter page of workshop `code`, its join link on `origin` (scheme://host)."""
    url = f"{origin}/room/{code}"
    short = url.split("://", 1)[-1]
    return (
        TEMPLATE.replace("%CODE%", html.escape(code))
        .replace("%SHORT%", html.escape(short))
        .replace("%QR%", qr_svg(url))
        .replace("%CSS%", CSS)
        .replace("%JS%", JS)
    )


def headers() -> dict[str, str]:
    """The page's security headers: the room page's, with this page's CSP."""
    return page.headers(CSP)
