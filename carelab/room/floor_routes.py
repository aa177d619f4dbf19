"""The room's API for questions from the floor: the list, asking and upvoting, as JSON.

Registered with the room's routes (carelab.room.routes), before its catch-all. The list is
polled by the phone every few seconds while questions are on (see carelab.workshop.floor
for why polling, and docs/facilitator.md); `since` makes an unchanged list one indexed
query and a few bytes. Nothing a facilitator does is reachable from here.
"""

from __future__ import annotations

import functools
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from carelab.room.hub import in_db
from carelab.room.routes import Handler, api, json_body
from carelab.workshop import floor
from carelab.workshop.floor import FloorError, InvalidQuestion, QuestionsOff, TooManyQuestions

STATUSES: tuple[tuple[type[FloorError], int], ...] = (
    (TooManyQuestions, 429),
    (InvalidQuestion, 422),
    (QuestionsOff, 409),
    (floor.UnknownQuestion, 404),
)


def floor_api(handler: Handler) -> Handler:
    """The room's `api` wrapper, with the statuses of questions from the floor."""

    @api
    @functools.wraps(handler)
    async def wrapped(*args: Any) -> Response:
        try:
            return await handler(*args)
        except FloorError as exc:
            status = next((code for kind, code in STATUSES if isinstance(exc, kind)), 400)
            body: dict[str, Any] = {"error": str(exc)}
            headers = {}
            if isinstance(exc, TooManyQuestions):
                body["retry_after"] = exc.retry_after_seconds
                headers["Retry-After"] = str(exc.retry_after_seconds)
            return JSONResponse(body, status, headers)

    return wrapped


@floor_api
async def questions(request: Request) -> Response:
    """GET /room/api/floor?code=&p=&since=N: this phone's list, or {"unchanged": true}."""
    query = request.query_params
    since = query.get("since", "")
    known = int(since) if since.isdigit() and len(since) < 12 else None
    found = await in_db(floor.phone_list, query.get("code", ""), query.get("p", ""), known)
    return JSONResponse(found)


@floor_api
async def ask(request: Request) -> Response:
    """POST /room/api/floor/ask {code, p, text}: 201 with the list, once the question is saved."""
    body = await json_body(request)
    found = await in_db(floor.ask, body.get("code"), body.get("p"), body.get("text"))
    return JSONResponse(found, 201)


@floor_api
async def vote(request: Request) -> Response:
    """POST /room/api/floor/vote {code, p, question_id, up}: the list with the vote counted."""
    body = await json_body(request)
    found = await in_db(
        floor.vote, body.get("code"), body.get("p"), body.get("question_id"), body.get("up")
    )
    return JSONResponse(found)


def routes() -> list[Route]:
    """The routes of questions from the floor, to list before the room's catch-all."""
    return [
        Route("/room/api/floor", questions, methods=["GET"]),
        Route("/room/api/floor/ask", ask, methods=["POST"]),
        Route("/room/api/floor/vote", vote, methods=["POST"]),
    ]
