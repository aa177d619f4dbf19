"""The room's HTTP API: join, state, answer, a step stream (SSE) and a long poll, as JSON.

Streams and long polls wait on the shared pollers in carelab.room.hub. All input is
checked by carelab.workshop; this module only maps its named errors to HTTP statuses. No
facilitator action is reachable from here, whatever a phone posts.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, NoReturn, TypeVar

from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from carelab.errors import CareLabError, NotFound
from carelab.room import page
from carelab.room.hub import Hub, State, in_db
from carelab.room.pacing import DatabaseSlots, JoinPacer, TooManyWaiting
from carelab.store import Connection
from carelab.store.errors import DatabaseBusy, DatabaseUnavailable

# The same Origin rule as the sign-in routes, so both refuse cross-site posts alike.
from carelab.web.auth_routes import same_origin
from carelab.workshop import participants, self_paced, workshops
from carelab.workshop.errors import (
    AnsweringClosed,
    InvalidAnswer,
    InvalidCode,
    InvalidNickname,
    JoinThrottled,
    NotCurrentStep,
    UnknownCode,
    UnknownParticipant,
    WorkshopEnded,
    WorkshopFull,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
Handler = Callable[..., Awaitable[Response]]

HEARTBEAT_SECONDS = 15.0
LONG_POLL_SECONDS = 25.0
# uvicorn waits for open responses before it stops (Streamlit sets no graceful-shutdown
# timeout), so an endless stream would hold a restart forever. A stream therefore ends
# after this long with a `renew` event, and the phone reconnects at once. (On Ctrl+C or
# SIGTERM, stop_on_exit_signals ends them all at once; this cap is the fallback.)
STREAM_SECONDS = 25.0
MAX_BODY_BYTES = 16 * 1024
# Integers longer than this are read as floats, as a browser's JSON.parse would: Python
# would build a 4,000-digit int, and float() of it raises OverflowError deep in checking.
MAX_INT_DIGITS = 18
SSE_RETRY_MS = 2000
STOPPING = "The server is restarting. This page reconnects by itself."
BUSY_NETWORK = "Many people are joining from your network at once. Try again in a few seconds."

# First match wins: InvalidCode is an UnknownCode, and every workshop error a CareLabError.
STATUSES: tuple[tuple[type[CareLabError], int], ...] = (
    (JoinThrottled, 429),
    (InvalidNickname, 422),
    (InvalidAnswer, 422),
    (WorkshopEnded, 410),
    (WorkshopFull, 409),
    (UnknownCode, 404),
    (UnknownParticipant, 404),
    (NotFound, 404),
    (NotCurrentStep, 409),
    (AnsweringClosed, 423),
    # The database is gone, read-only, full or held too long (logged by the store).
    (DatabaseUnavailable, 503),
    (DatabaseBusy, 503),
)


class Refused(Exception):
    """A request the room turns away before the core sees it (wrong type, too big, cross-site)."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


def error_response(exc: CareLabError) -> JSONResponse:
    """One named error as JSON: a sentence to show, plus what the phone needs to recover."""
    status = next((code for kind, code in STATUSES if isinstance(exc, kind)), 400)
    body: dict[str, Any] = {"error": str(exc)}
    headers = {}
    if isinstance(exc, JoinThrottled):
        body["retry_after"] = exc.retry_after_seconds
        headers["Retry-After"] = str(exc.retry_after_seconds)
    if status == 503:
        headers["Retry-After"] = "2"
    if isinstance(exc, NotCurrentStep):
        body["current_step"] = exc.current_step
    return JSONResponse(body, status, headers)


def api(handler: Handler) -> Handler:
    """Render every error of `handler` as JSON in one place and keep replies out of caches."""

    @functools.wraps(handler)
    async def wrapped(*args: Any) -> Response:
        try:
            response = await handler(*args)
        except CareLabError as exc:
            response = error_response(exc)
        except Refused as exc:
            response = JSONResponse({"error": exc.message}, exc.status)
        except ClientDisconnect:
            # The phone left mid-request (a reload, a lost signal): nobody to tell.
            return Response(status_code=400)
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapped


def _int_or_float(digits: str) -> int | float:
    return int(digits) if len(digits.lstrip("-")) <= MAX_INT_DIGITS else float(digits)


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: JSON.stringify never sends them


def parse_json_object(data: bytes) -> dict[str, Any]:
    """`data` as a JSON object, or Refused(400): bad JSON, NaN, too deeply nested, not an object."""
    try:
        parsed = json.loads(data, parse_int=_int_or_float, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
        parsed = None
    if not isinstance(parsed, dict):
        raise Refused(400, "Send the request as a JSON object.")
    return parsed


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; refuses cross-site posts, other types and large bodies."""
    if not same_origin(request):
        raise Refused(403, "This request came from another site, so it was refused.")
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/json":
        # Only JSON: a plain HTML form on another site cannot send it without CORS.
        raise Refused(415, "Send the request as JSON.")
    too_large = Refused(413, "That request is too large.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and (len(declared) > 9 or int(declared) > MAX_BODY_BYTES):
        raise too_large  # at once: uvicorn drops the rest of the body as it comes
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY_BYTES:
            raise too_large
    return parse_json_object(data)


def client_key(request: Request) -> str:
    """Who a wrong code counts against: the client's address after trusted proxy headers.

    An IPv6 client counts by its /64, the block one home or phone gets, which it could
    otherwise walk through to dodge the limit.
    """
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"ip:{host or 'unknown'}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is None:
            return f"ip:{ipaddress.ip_network((address, 64), strict=False)}"
        address = address.ipv4_mapped
    return f"ip:{address}"


async def _disconnected(request: Request) -> None:
    # A GET has no body to read, so this only returns once the client has gone.
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def unless_gone(request: Request, work: Awaitable[T]) -> T | None:
    """Await `work`, or give up (None) when the client disconnects first."""
    # uvicorn lets a handler run on after its client has gone, and waits for it before it
    # stops: a long poll left to run out would hold a restart for its full 25 s.
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_disconnected(request))
    await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
    for pending in (task, gone):
        pending.cancel()
    return task.result() if task.done() and not task.cancelled() else None


def _ids(request: Request) -> tuple[str, str]:
    return request.query_params.get("code", ""), request.query_params.get("p", "")


def _watched_state(db: Connection, code: str, token: str) -> tuple[int, State]:
    # The workshop id is not in the participant state, but the shared poller is keyed by it.
    state = participants.state_for_participant(db, code, token)
    return workshops.workshop_for_code(db, code).id, state


def _rejoined_state(db: Connection, code: str, token: str) -> State:
    participants.rejoin(db, code, token)  # notes that the phone is still here
    return participants.state_for_participant(db, code, token)


def sse(event: str, data: dict[str, Any], event_id: int | None = None) -> str:
    """One server-sent event; JSON never holds a raw newline, so `data` is one line."""
    head = f"event: {event}\n" + (f"id: {event_id}\n" if event_id is not None else "")
    return f"{head}data: {json.dumps(data, separators=(',', ':'))}\n\n"


class Room:
    """The room's request handlers, sharing one Hub of pollers."""

    def __init__(self, hub: Hub | None = None, stream_seconds: float = STREAM_SECONDS) -> None:
        self.hub = hub or Hub()
        self.stream_seconds = stream_seconds
        # Over-limit addresses book their lookups in the database: one pace for every process.
        self.pacer = JoinPacer(slots=DatabaseSlots(in_db))

    async def page(self, request: Request) -> Response:
        """GET /room[/{code}]: the join form, or with ?p=<token> the participant page."""
        typed = request.path_params.get("code") or request.query_params.get("code", "")
        try:
            code = workshops.normalise_join_code(typed) if typed else ""
        except InvalidCode:
            code = ""
        joined = bool(code and request.query_params.get("p"))
        return HTMLResponse(page.render(code, joined), headers=page.headers())

    @api
    async def join(self, request: Request) -> Response:
        """POST /room/api/join {code, nickname}: 201 {code, token}."""
        body = await json_body(request)
        # Wrong codes count against the address, never a right one. The page also sends a
        # random `device` id, which is ignored: a phone can change it at will.
        address = client_key(request)
        try:
            async with self.pacer.turn(address):
                joined = await in_db(
                    participants.join, body.get("code"), body.get("nickname"), address
                )
        except JoinThrottled as over:
            self.pacer.over_limit(address, over.retry_after_seconds)
            raise
        except TooManyWaiting:
            raise Refused(429, BUSY_NETWORK) from None
        code = workshops.normalise_join_code(body["code"])  # it joined, so the code is valid
        return JSONResponse({"code": code, "token": joined.token}, 201)

    @api
    async def state(self, request: Request) -> Response:
        """GET /room/api/state?code=&p=: everything this phone shows now."""
        return JSONResponse(await in_db(_rejoined_state, *_ids(request)))

    @api
    async def answer(self, request: Request) -> Response:
        """POST /room/api/answer {code, p, step_index, value}: 200 once the answer is committed."""
        body = await json_body(request)
        receipt = await in_db(
            participants.answer,
            body.get("code"),
            body.get("p"),
            body.get("step_index"),
            body.get("value"),
        )
        return JSONResponse(
            {"received": True, "step_index": receipt.step_index, "answer": receipt.answer}
        )

    @api
    async def move(self, request: Request) -> Response:
        """POST /room/api/move {code, p, step_index}: a self-paced phone's new step, its state."""
        body = await json_body(request)
        return JSONResponse(
            await in_db(self_paced.move, body.get("code"), body.get("p"), body.get("step_index"))
        )

    @api
    async def wait(self, request: Request) -> Response:
        """GET /room/api/wait?code=&p=&version=N: the state once it is not N, or after ~25 s."""
        code, token = _ids(request)
        try:
            known = int(request.query_params.get("version", ""))
        except ValueError:
            known = -1
        workshop_id, state = await in_db(_watched_state, code, token)
        if state["version"] != known:
            return JSONResponse(state)
        async with self.hub.watching(workshop_id, token, state) as watch:
            changed = await unless_gone(request, watch.wait_past(known, LONG_POLL_SECONDS))
            if changed is None:
                return Response(status_code=204)  # nobody is listening any more
            if watch.stopping:
                # The phone backs off and asks again: by then the server has restarted.
                return JSONResponse({"error": STOPPING}, 503, {"Retry-After": "2"})
            if changed:
                state = await watch.state_of(token)
        return JSONResponse(state)

    @api
    async def stream(self, request: Request) -> Response:
        """GET /room/api/stream?code=&p=: `state` on connect and every change, then `renew`."""
        code, token = _ids(request)
        workshop_id, state = await in_db(_watched_state, code, token)
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        events = self._events(workshop_id, token, state)
        return StreamingResponse(events, media_type="text/event-stream", headers=headers)

    async def _events(self, workshop_id: int, token: str, state: State) -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        ends_at = loop.time() + self.stream_seconds
        async with self.hub.watching(workshop_id, token, state) as watch:
            yield f"retry: {SSE_RETRY_MS}\n\n"
            yield sse("state", state, state["version"])
            sent = state["version"]
            while not state["ended"]:
                left = ends_at - loop.time()
                if left <= 0:
                    yield sse("renew", {})
                    return
                changed = await watch.wait_past(sent, min(HEARTBEAT_SECONDS, left))
                if watch.stopping:
                    # End without `renew`: the browser reconnects by itself after `retry`,
                    # to the restarted server, instead of at once to this stopping one.
                    return
                if not changed:
                    yield ": keep-alive\n\n"
                    continue
                try:
                    state = await watch.state_of(token)
                except CareLabError as exc:
                    # The workshop or this phone is gone: say why, then end the stream.
                    yield sse("gone", {"error": str(exc)})
                    return
                sent = max(sent, state["version"])
                yield sse("state", state, state["version"])

    @api
    async def unknown(self, request: Request) -> Response:
        """Any other /room/api/ path: there is no such action (no facilitator ones either)."""
        raise Refused(404, "There is no such room action.")


def routes(hub: Hub | None = None, stream_seconds: float = STREAM_SECONDS) -> list[Route]:
    """Return the room's routes for st.App (or a bare Starlette app in tests)."""
    from carelab.room import presenter_routes  # it builds on this module's helpers
    from carelab.room.floor_routes import routes as floor_routes  # it imports this module

    room = Room(hub, stream_seconds)
    return [
        *presenter_routes.routes(room.hub, stream_seconds),
        Route("/room", room.page, methods=["GET"]),
        Route("/room/api/join", room.join, methods=["POST"]),
        Route("/room/api/state", room.state, methods=["GET"]),
        Route("/room/api/answer", room.answer, methods=["POST"]),
        Route("/room/api/move", room.move, methods=["POST"]),
        Route("/room/api/wait", room.wait, methods=["GET"]),
        Route("/room/api/stream", room.stream, methods=["GET"]),
        *floor_routes(),
        Route(
            "/room/api/{rest:path}",
            room.unknown,
            methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        ),
        Route("/room/{code}", room.page, methods=["GET"]),
    ]
