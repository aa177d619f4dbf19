"""The sign-in cookie routes: swap a one-time code for an HttpOnly cookie, and clear it.

A Streamlit page cannot set cookies, so after it has checked a password it posts a
one-time code here (in the form body, never the URL). These routes accept only POSTs
whose Origin, when the browser sends one, is this server, so another site cannot sign
a visitor in or out.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from carelab import auth, config
from carelab.store import db as store_db

SIGN_IN_PAGE = "/sign-in"


def same_origin(request: Request) -> bool:
    """Whether a POST comes from this site (or from a client that sends no Origin)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        # Browsers send Origin on cross-site POSTs; its absence means a same-site or
        # non-browser client. "null" comes from sandboxed frames: refuse those.
        return origin is None
    host = request.headers.get("x-forwarded-host") or request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def _secure(request: Request) -> bool:
    setting = config.get("CARELAB_COOKIE_SECURE").lower()
    if setting in {"true", "false"}:
        return setting == "true"
    # Not the X-Forwarded-Proto header itself: uvicorn has already made it the scheme when,
    # and only when, it came from a trusted proxy (CARELAB_TRUSTED_PROXIES).
    return request.url.scheme == "https"


def _safe_next(value: object) -> str:
    text = str(value or "/")
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return "/"
    return text


def _redeem(code: str) -> tuple[str, int] | None:
    with store_db.session() as db:
        return auth.redeem_handoff(db, code)


def _end(cookie: str | None) -> None:
    with store_db.session() as db:
        auth.end_session(db, cookie)


async def create_session(request: Request) -> Response:
    """POST /auth/session: exchange a one-time code for the sign-in cookie."""
    if not same_origin(request):
        return PlainTextResponse("Cross-site sign-in refused.", status_code=403)
    form = await request.form()
    code = str(form.get("code") or "")[:200]
    issued = await run_in_threadpool(_redeem, code) if code else None
    if issued is None:
        return RedirectResponse(f"{SIGN_IN_PAGE}?expired=1", status_code=303)
    cookie, max_age = issued
    response = RedirectResponse(_safe_next(form.get("next")), status_code=303)
    response.set_cookie(
        auth.COOKIE_NAME,
        cookie,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    return response


async def end_session(request: Request) -> Response:
    """POST /auth/signout: forget the session and clear the cookie."""
    if not same_origin(request):
        return PlainTextResponse("Cross-site sign-out refused.", status_code=403)
    await run_in_threadpool(_end, request.cookies.get(auth.COOKIE_NAME))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(auth.COOKIE_NAME, path="/", httponly=True, samesite="lax")
    return response


def routes() -> list[Route]:
    """Return the auth routes for st.App."""
    return [
        Route("/auth/session", create_session, methods=["POST"]),
        Route("/auth/signout", end_session, methods=["POST"]),
    ]
