"""The few HTML pages LTI needs, built on the server: a refusal, the signed-in landing, the
Deep Linking picker and the form that returns the choice to the LMS.

Every value is escaped with html.escape; the one style block and the one script are named
by hash in the Content-Security-Policy, so nothing else runs. The pages may be framed by
the LMS (an iframe is how most LMSs show a tool), so they set no X-Frame-Options.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from urllib.parse import urlsplit

from carelab.integration.lti.deep_linking import Choice

CSS = (
    "*{box-sizing:border-box}body{margin:0;font:17px/1.45 system-ui,sans-serif;color:#1b1b1b;"
    "background:#f5f6f8}main{max-width:40rem;margin:0 auto;padding:1rem 1rem 3rem}"
    ".brand{margin:0;font-weight:700;color:#0b5cab}h1{font-size:1.35rem;margin:.2rem 0 .6rem}"
    "p,h1,legend,label{overflow-wrap:anywhere}fieldset{border:0;margin:1rem 0 0;padding:0}"
    "legend{font-weight:700;margin-bottom:.3rem}.choice{display:flex;gap:.6rem;"
    "align-items:center;margin:.35rem 0;padding:.6rem;border:2px solid #6b7280;"
    "border-radius:.5rem;background:#fff}.choice input{width:1.2rem;height:1.2rem;flex:none}"
    "button,.button{display:inline-block;margin:1rem .5rem 0 0;min-height:2.8rem;"
    "padding:.6rem 1rem;border:2px solid #0b5cab;border-radius:.5rem;background:#0b5cab;"
    "color:#fff;font:inherit;font-weight:700;text-decoration:none;cursor:pointer}"
    ".second{background:#fff;color:#0b5cab}:focus-visible{outline:3px solid #c2410c;"
    "outline-offset:2px}.why{background:#fff;border-left:4px solid #a11d1d;padding:.6rem .8rem}"
    ".muted{color:#4a4f57;font-size:.95rem}.inline{display:inline}"
)
# On the signed-in page: straight on to the activity when CareLab is the whole window; in
# a frame, the person chooses (the browser may refuse CareLab's cookie there).
LANDING_JS = (
    "if(window.top===window.self){var a=document.getElementById('go');"
    "if(a){window.location.replace(a.getAttribute('href'));}}"
)
RETURN_JS = "document.getElementById('back').submit();"
# LTI Dynamic Registration: tell the LMS's page (opener, or the parent frame) to close
# CareLab's window. The message carries nothing secret, so any origin may read it.
CLOSE_JS = "(window.opener||window.parent).postMessage({subject:'org.imsglobal.lti.close'},'*');"


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def csp(script: str | None = None, form_action: str = "'self'") -> str:
    """The pages' Content-Security-Policy: their style, at most one script, forms to one place."""
    scripts = _hash(script) if script else "'none'"
    return (
        f"default-src 'none'; style-src {_hash(CSS)}; script-src {scripts}; "
        f"form-action {form_action}; base-uri 'none'"
    )


def headers(script: str | None = None, form_action: str = "'self'") -> dict[str, str]:
    """Security headers for an LTI page (no caching: pages carry one-time codes)."""
    return {
        "Content-Security-Policy": csp(script, form_action),
        "Cache-Control": "no-store",
        # Not no-referrer: with it, browsers send "Origin: null" on the pages' own form
        # POSTs (Fetch spec), and CareLab's same-origin check then refuses them.
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
    }


def _page(title: str, body: str, script: str | None = None) -> str:
    tail = f"<script>{script}</script>" if script else ""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)} · CareLab</title><style>{CSS}</style></head>"
        f'<body><main><p class="brand">CareLab</p>{body}</main>{tail}</body></html>'
    )


def refused(message: str) -> str:
    """The page for a launch CareLab refused: what happened, in plain words, and what to do."""
    return _page(
        "Launch refused",
        "<h1>CareLab could not open this activity</h1>"
        f'<p class="why" role="alert">{escape(message)}</p>'
        '<p class="muted">Nothing was changed. If this keeps happening, tell your course '
        "administrator what this page says.</p>",
    )


def landing(name: str, title: str, next_url: str, handoff: str) -> str:
    """The signed-in page: continue here, or open CareLab in a new window (signed in there)."""
    body = (
        f"<h1>Welcome, {escape(name)}</h1>"
        f"<p>You are signed in to CareLab from your course. Next: <strong>{escape(title)}"
        "</strong>.</p>"
        f'<a id="go" class="button" href="{escape(next_url)}">Continue</a>'
        '<form method="post" action="/auth/session" target="_blank" class="inline">'
        f'<input type="hidden" name="code" value="{escape(handoff)}">'
        f'<input type="hidden" name="next" value="{escape(next_url)}">'
        '<button class="second" type="submit">Open in a new window</button></form>'
        '<p class="muted">Inside a course page some browsers block CareLab\'s sign-in cookie; '
        "if Continue shows the sign-in page, use Open in a new window.</p>"
    )
    return _page(title, body, LANDING_JS)


_KIND_LEGENDS = {
    "module": "Modules (with a grade column in the LMS)",
    "case": "Case studies",
    "workshop": "Live workshop plans (for facilitators)",
}


def picker(token: str, choices: list[Choice], problem: str | None = None) -> str:
    """The Deep Linking picker: one radio group per kind of content, and a submit button."""
    groups = []
    for kind, legend in _KIND_LEGENDS.items():
        options = [c for c in choices if c.kind == kind]
        if not options:
            continue
        items = "".join(
            f'<label class="choice"><input type="radio" name="choice" required '
            f'value="{escape(f"{c.kind}:{c.id}")}">{escape(c.title)}</label>'
            for c in options
        )
        groups.append(f"<fieldset><legend>{escape(legend)}</legend>{items}</fieldset>")
    alert = f'<p class="why" role="alert">{escape(problem)}</p>' if problem else ""
    empty = "<p>There is no content in CareLab yet.</p>" if not groups else ""
    body = (
        "<h1>Choose CareLab content for your course</h1>"
        f'{alert}{empty}<form method="post" action="/lti/deep-link">'
        f'<input type="hidden" name="token" value="{escape(token)}">{"".join(groups)}'
        '<button type="submit">Add to course</button></form>'
    )
    return _page("Choose content", body)


def return_to_platform(return_url: str, response_jwt: str, title: str) -> str:
    """The form that posts the signed choice back to the LMS (at once, or by its button)."""
    body = (
        f"<h1>Adding “{escape(title)}” to your course</h1>"
        f'<form id="back" method="post" action="{escape(return_url)}">'
        f'<input type="hidden" name="JWT" value="{escape(response_jwt)}">'
        '<button type="submit">Return to the course</button></form>'
    )
    return _page("Returning to your course", body, RETURN_JS)


def registered(issuer: str, product: str, client_id: str) -> str:
    """After a dynamic registration: what was registered; the LMS is told to close the window."""
    made = f" ({escape(product)})" if product else ""
    body = (
        "<h1>CareLab is registered with your LMS</h1>"
        f'<p role="status">Platform <strong>{escape(issuer)}</strong>{made}, client ID '
        f"<strong>{escape(client_id)}</strong>. Launches from it are accepted from now on.</p>"
        '<p class="muted">Your LMS closes this window; if it stays open, close it and '
        "finish the tool's set-up in the LMS (Moodle: activate the tool under Manage tools).</p>"
    )
    return _page("Registered", body, CLOSE_JS)


def registration_refused(message: str) -> str:
    """The page for a dynamic registration CareLab could not finish, saying why."""
    return _page(
        "Registration refused",
        "<h1>CareLab could not register this LMS</h1>"
        f'<p class="why" role="alert">{escape(message)}</p>'
        '<p class="muted">Nothing was registered. A CareLab administrator can make a new '
        "registration link on the admin page or with <code>carelab lti registration-link"
        "</code>, or register the LMS by hand (docs/integration.md).</p>",
    )


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, for a form-action source."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
