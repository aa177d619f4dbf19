"""The presenter screen's routes, beside the room's: its page, a view stream (SSE), actions.

GET  /room/present/{code}            the page (no secret in the URL: the token is in its #fragment)
GET  /room/present/{code}/open       for the signed-in facilitator: issue a fresh token and
                                     redirect to the page with it in the fragment (one click
                                     from Facilitate)
GET  /room/api/presenter/stream      `view` on connect and on every change, then `renew`
POST /room/api/presenter/action      {code, action}: next, previous, reveal, lock, answer

The token comes in the X-Presenter-Token header, so it is never in a URL, a server log or a
referrer. Every action is the facilitator's own (carelab.workshop.presenter).
"""

from __future__ import annotations

import asyncio
import functools
import html
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from carelab import auth
from carelab.errors import CareLabError, PermissionDenied
from carelab.room import presenter_page
from carelab.room.hub import Hub, in_db
from carelab.room.presenter_feed import Feeds
from carelab.room.routes import (
    HEARTBEAT_SECONDS,
    SSE_RETRY_MS,
    STREAM_SECONDS,
    Handler,
    Refused,
    api,
    json_body,
    sse,
)
from carelab.store import Connection
from carelab.workshop import presenter, workshops
from carelab.workshop.errors import InvalidCode, UnknownCode, WorkshopStateError
from carelab.workshop.presenter import PresenterRefused

TOKEN_HEADER = "x-presenter-token"  # noqa: S105 - a header name, not a secret
NOT_YOURS = "Only the facilitator who runs this workshop can do that."
NOT_SIGNED_IN = (
    "Sign in to CareLab as this workshop's facilitator, then open the presenter screen "
    "from the Facilitate page."
)


def _refusals(handler: Handler) -> Handler:
    """Turn a refused token or right (403) and a refused step change (409) into statuses."""

    @functools.wraps(handler)
    async def wrapped(*args: Any) -> Response:
        try:
            return await handler(*args)
        except (PresenterRefused, PermissionDenied) as exc:
            raise Refused(403, str(exc)) from None
        except WorkshopStateError as exc:
            raise Refused(409, str(exc)) from None

    return wrapped


def _origin(request: Request) -> str:
    # The scheme and host as the browser sent them (uvicorn applies trusted proxy headers).
    return f"{request.url.scheme}://{request.url.netloc}"


def _issue(db: Connection, cookie: str | None, code: str) -> str | None:
    user = auth.user_from_cookie(db, cookie)
    if user is None:
        return None
    try:
        workshop = workshops.workshop_for_code(db, code)
    except UnknownCode:
        # Said as for someone else's workshop: no telling which codes are live.
        raise PermissionDenied(NOT_YOURS) from None
    return presenter.presenter_link(db, user, workshop.id)


def _message_page(status: int, message: str) -> HTMLResponse:
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Presenter screen'
        f"</title></head><body><main><h1>Presenter screen</h1><p>{html.escape(message)}</p>"
        "</main></body></html>"
    )
    return HTMLResponse(body, status, headers=presenter_page.headers())


class Presenter:
    """The presenter screen's request handlers, sharing one set of feeds."""

    def __init__(self, hub: Hub | None = None, stream_seconds: float = STREAM_SECONDS) -> None:
        self.hub = hub
        self.stream_seconds = stream_seconds
        self.feeds = Feeds(stopping=lambda: bool(hub and hub.stopping))

    async def page(self, request: Request) -> Response:
        """GET /room/present/{code}: the screen; its script reads the token from the fragment."""
        try:
            code = workshops.normalise_join_code(request.path_params["code"])
        except InvalidCode as exc:
            return _message_page(404, str(exc))
        return HTMLResponse(
            presenter_page.render(code, _origin(request)), headers=presenter_page.headers()
        )

    async def open(self, request: Request) -> Response:
        """GET /room/present/{code}/open: a fresh token for the signed-in facilitator."""
        # A link on another site must not rotate the token (which closes the old screen).
        if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return _message_page(403, NOT_SIGNED_IN)
        try:
            code = workshops.normalise_join_code(request.path_params["code"])
            token = await in_db(_issue, request.cookies.get(auth.COOKIE_NAME), code)
        except (PermissionDenied, WorkshopStateError) as exc:
            return _message_page(403, str(exc))
        except UnknownCode as exc:  # InvalidCode too
            return _message_page(404, str(exc))
        except CareLabError as exc:  # the database is away or busy
            return _message_page(503, str(exc))
        if token is None:
            return _message_page(403, NOT_SIGNED_IN)
        target = f"{presenter.presenter_path(code)}#{token}"
        return RedirectResponse(
            target, 303, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
        )

    @api
    @_refusals
    async def stream(self, request: Request) -> Response:
        """GET /room/api/presenter/stream?code=: `view` now and on each change, then `renew`."""
        code = request.query_params.get("code", "")
        token = request.headers.get(TOKEN_HEADER, "")
        workshop_id, view = await in_db(presenter.presenter_start, code, token)
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        events = self._events(workshop_id, view)
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)

    async def _events(self, workshop_id: int, view: dict[str, Any]) -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        ends_at = loop.time() + self.stream_seconds
        async with self.feeds.following(workshop_id, view) as feed:
            yield f"retry: {SSE_RETRY_MS}\n\n"
            yield sse("view", view, feed.seq)
            seen = feed.seq
            while not view["ended"]:
                left = ends_at - loop.time()
                if left <= 0:
                    # The page reconnects at once, and its token is checked again.
                    yield sse("renew", {})
                    return
                changed = await feed.wait_past(seen, min(HEARTBEAT_SECONDS, left))
                if feed.stopping or (self.hub is not None and self.hub.stopping):
                    return  # the page reconnects after `retry`, to the restarted server
                if not changed:
                    yield ": keep-alive\n\n"
                    continue
                if feed.gone:
                    yield sse("gone", {"error": "This workshop no longer exists."})
                    return
                seen, view = feed.seq, feed.view
                yield sse("view", view, seen)

    @api
    @_refusals
    async def action(self, request: Request) -> Response:
        """POST /room/api/presenter/action {code, action}: do it; the new view."""
        body = await json_body(request)
        token = request.headers.get(TOKEN_HEADER, "")
        view = await in_db(presenter.presenter_act, body.get("code"), token, body.get("action"))
        return JSONResponse(view)


def routes(hub: Hub | None = None, stream_seconds: float = STREAM_SECONDS) -> list[Route]:
    """The presenter screen's routes (before the room's catch-all /room/api/ route)."""
    screen = Presenter(hub, stream_seconds)
    return [
        Route("/room/present/{code}", screen.page, methods=["GET"]),
        Route("/room/present/{code}/open", screen.open, methods=["GET"]),
        Route("/room/api/presenter/stream", screen.stream, methods=["GET"]),
        Route("/room/api/presenter/action", screen.action, methods=["POST"]),
    ]
