"""LTI 1.3 routes: /lti/login (OIDC login initiation), /lti/launch (the id_token), /lti/jwks
(CareLab's public keys), /lti/deep-link (the instructor's choice, returned to the LMS),
/lti/register/{code} (LTI Dynamic Registration, with an administrator's one-time link).

A refused launch gets a plain page saying why (carelab/web/lti_pages.py) with a 4xx status,
never a traceback. Cookies: the login's state cookie and the sign-in cookie are
SameSite=None; Secure when CareLab is served over HTTPS (a launch is a cross-site POST from
the LMS, and the tool usually sits in the LMS's iframe); over plain HTTP they are
SameSite=Lax, which works when CareLab opens in its own window. See docs/integration.md.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from carelab import auth, config
from carelab.content.catalog import Catalog, Signature, content_signature, load_catalog
from carelab.errors import CareLabError
from carelab.integration.lti import deep_linking, dynamic, keys, launch
from carelab.integration.lti.claims import Launch, carelab_roles
from carelab.integration.lti.deep_linking import Choice
from carelab.integration.lti.errors import LaunchRefused
from carelab.store import db as store_db
from carelab.web import lti_pages
from carelab.web.auth_routes import _secure, same_origin

STATE_COOKIE = "carelab_lti_state"
MAX_FIELD = 20_000  # an id_token is a few KB; anything far larger is not one


def base_url(request: Request) -> str:
    """CareLab's public address: CARELAB_PUBLIC_URL, or the address this request came to."""
    configured = config.get("CARELAB_PUBLIC_URL").rstrip("/")
    return configured or f"{request.url.scheme}://{request.url.netloc}"


def _cookie_args(request: Request) -> dict[str, Any]:
    secure = _secure(request)
    return {"httponly": True, "secure": secure, "samesite": "none" if secure else "lax"}


def _refusal(message: str, status: int) -> HTMLResponse:
    return HTMLResponse(lti_pages.refused(message), status, headers=lti_pages.headers())


@functools.lru_cache(maxsize=2)
def _catalog(root: str, _signature: Signature) -> Catalog:
    return load_catalog(Path(root))


def catalog() -> Catalog:
    """The content catalog, reloaded when a content file changes."""
    root = config.content_dir()
    return _catalog(str(root), content_signature(root))


def choices(found: Catalog) -> list[Choice]:
    """What an instructor may link to: modules, cases, and cases with a workshop plan."""
    items = [Choice("module", m.id, m.title) for m in found.modules.values()]
    items += [Choice("case", c.id, c.title) for c in found.cases.values()]
    items += [
        Choice("workshop", c.id, f"Workshop: {c.title}")
        for c in found.cases.values()
        if c.workshop_plan
    ]
    return items


def _form_value(form: Any, name: str) -> str:
    return str(form.get(name) or "")[:MAX_FIELD]


# --- login ----------------------------------------------------------------------------------


def _begin(params: dict[str, str], redirect_uri: str) -> tuple[str, str]:
    with store_db.session() as db:
        return launch.begin_login(db, params, redirect_uri)


async def login(request: Request) -> Response:
    """GET or POST /lti/login: check the platform, remember state and nonce, go to its auth."""
    params = {k: v[:MAX_FIELD] for k, v in request.query_params.items()}
    if request.method == "POST":
        form = await request.form()
        params.update({k: _form_value(form, k) for k in form})
    try:
        url, state = await run_in_threadpool(_begin, params, f"{base_url(request)}/lti/launch")
    except LaunchRefused as exc:
        return _refusal(str(exc), exc.status)
    except CareLabError as exc:
        return _refusal(str(exc), 503)
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        STATE_COOKIE, state, max_age=launch.LOGIN_SECONDS, path="/lti/", **_cookie_args(request)
    )
    return response


# --- launch ---------------------------------------------------------------------------------


def _landing_for(target: tuple[str, str], launched: Launch, found: Catalog) -> tuple[str, str]:
    """(title, CareLab URL) of what a launch opens; LaunchRefused if it is not there."""
    kind, item = target
    if kind == "module" and item in found.modules:
        return found.modules[item].title, f"/module?id={item}"
    if kind in ("case", "workshop") and item in found.cases:
        title = found.cases[item].title
        if kind == "workshop" and "facilitator" in carelab_roles(list(launched.roles)):
            return f"Run a workshop on {title}", "/facilitate"
        return title, f"/case?id={item}"
    raise LaunchRefused(
        f"The {kind} '{item[:100]}' this course links to is not in CareLab (it may have "
        "been renamed or removed). Tell the course's instructor.",
        status=404,
    )


def _launch(id_token: str, state: str, cookie: str | None) -> tuple[str, Any]:
    """Check a launch and act on it: ('picker', html) or ('landing', (html, cookie, age))."""
    with store_db.session() as db:
        launched = launch.verify_launch(db, id_token, state, cookie)
        found = catalog()
        if launched.message_type == "LtiDeepLinkingRequest":
            token = deep_linking.open_request(db, launched)
            return "picker", lti_pages.picker(token, choices(found))
        target = launched.target()
        if target is None:
            raise LaunchRefused(
                "The course's link does not say which CareLab module, case or workshop to "
                "open. The instructor can add it again with 'Choose content' (Deep Linking).",
            )
        title, next_url = _landing_for(target, launched, found)
        user_id = launch.account_for(db, launched)
        launch.record_launch(db, launched, user_id, target)
        cookie_value, max_age = auth.start_session(db, user_id)
        handoff = auth.issue_handoff(db, auth.get_user(db, user_id))
        page = lti_pages.landing(launched.name, title, next_url, handoff)
        return "landing", (page, cookie_value, max_age)


async def launch_route(request: Request) -> Response:
    """POST /lti/launch: the platform's id_token; sign in and open the target, or the picker."""
    form = await request.form()
    try:
        kind, result = await run_in_threadpool(
            _launch,
            _form_value(form, "id_token"),
            _form_value(form, "state"),
            request.cookies.get(STATE_COOKIE),
        )
    except LaunchRefused as exc:
        response: Response = _refusal(str(exc), exc.status)
        response.delete_cookie(STATE_COOKIE, path="/lti/")
        return response
    except CareLabError as exc:
        return _refusal(str(exc), 503)
    if kind == "picker":
        response = HTMLResponse(result, headers=lti_pages.headers())
    else:
        page, cookie_value, max_age = result
        response = HTMLResponse(page, headers=lti_pages.headers(lti_pages.LANDING_JS))
        response.set_cookie(
            auth.COOKIE_NAME, cookie_value, max_age=max_age, path="/", **_cookie_args(request)
        )
    response.delete_cookie(STATE_COOKIE, path="/lti/")
    return response


# --- JWKS and Deep Linking ------------------------------------------------------------------


def _jwks() -> dict[str, Any]:
    with store_db.session() as db:
        return keys.jwks(db)


async def jwks(_request: Request) -> Response:
    """GET /lti/jwks: CareLab's public signing keys (current and recently retired)."""
    try:
        document = await run_in_threadpool(_jwks)
    except CareLabError as exc:
        return JSONResponse({"error": str(exc)}, status_code=503)
    return JSONResponse(document, headers={"Cache-Control": "public, max-age=300"})


def _respond(token: str, picked: str, base: str) -> tuple[str, str, str] | str:
    """Sign the instructor's choice: (return URL, JWT, title), or the picker again with why."""
    found = catalog()
    by_key = {f"{c.kind}:{c.id}": c for c in choices(found)}
    with store_db.session() as db:
        if picked not in by_key:
            if not deep_linking.is_open(db, token):
                raise LaunchRefused("This choice page has expired. Start again from the LMS.", 410)
            return lti_pages.picker(token, choices(found), "Choose one item, then Add to course.")
        choice = by_key[picked]
        return_url, signed = deep_linking.respond(db, token, choice, base)
        return return_url, signed, choice.title


async def deep_link(request: Request) -> Response:
    """POST /lti/deep-link: the picker's choice, returned to the LMS as a signed response."""
    if not same_origin(request):
        return _refusal("The choice must come from CareLab's own page.", 403)
    form = await request.form()
    try:
        result = await run_in_threadpool(
            _respond, _form_value(form, "token"), _form_value(form, "choice"), base_url(request)
        )
    except LaunchRefused as exc:
        return _refusal(str(exc), exc.status)
    except CareLabError as exc:
        return _refusal(str(exc), 503)
    if isinstance(result, str):
        return HTMLResponse(result, status_code=400, headers=lti_pages.headers())
    return_url, signed, title = result
    return HTMLResponse(
        lti_pages.return_to_platform(return_url, signed, title),
        headers=lti_pages.headers(lti_pages.RETURN_JS, lti_pages.origin_of(return_url)),
    )


# --- Dynamic Registration -------------------------------------------------------------------


def _register(code: str, config_url: str, token: str, base: str) -> dynamic.Registered:
    with store_db.session() as db:
        return dynamic.register(db, code, config_url, token, base)


async def register(request: Request) -> Response:
    """GET /lti/register/{code}: the LMS registers CareLab (one-time admin link required)."""
    code = str(request.path_params.get("code") or "")[:200]
    if not code:
        message = (
            "Registering an LMS needs a one-time link from a CareLab administrator "
            "(on the admin page, or with the command carelab lti registration-link)."
        )
        return HTMLResponse(lti_pages.registration_refused(message), 403,
                            headers=lti_pages.headers())  # fmt: skip
    query = request.query_params
    try:
        made = await run_in_threadpool(
            _register, code, query.get("openid_configuration", "")[:2000],
            query.get("registration_token", "")[:MAX_FIELD], base_url(request),
        )  # fmt: skip
    except LaunchRefused as exc:
        page, status = lti_pages.registration_refused(str(exc)), exc.status
        return HTMLResponse(page, status, headers=lti_pages.headers())
    except CareLabError as exc:
        page = lti_pages.registration_refused(str(exc))
        return HTMLResponse(page, 503, headers=lti_pages.headers())
    p = made.platform
    page = lti_pages.registered(p.issuer, made.product, p.client_id)
    return HTMLResponse(page, headers=lti_pages.headers(lti_pages.CLOSE_JS))


def routes() -> list[Route]:
    """Return the LTI routes for st.App."""
    return [
        Route("/lti/login", login, methods=["GET", "POST"]),
        Route("/lti/launch", launch_route, methods=["POST"]),
        Route("/lti/jwks", jwks, methods=["GET"]),
        Route("/lti/deep-link", deep_link, methods=["POST"]),
        Route("/lti/register", register, methods=["GET"]),
        Route("/lti/register/{code}", register, methods=["GET"]),
    ]
