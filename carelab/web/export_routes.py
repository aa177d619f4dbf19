"""A facilitator's workshop exports, served by CareLab's own route rather than Streamlit's.

Facilitate redraws its live parts every 2 to 3 seconds, and each redraw of any session
sweeps Streamlit's in-memory media store. A file a download button makes on click is kept
by nobody, so two sweeps between making it and the browser fetching it delete it, and the
download fails ("canceled"): seen in CI under load, and possible for a facilitator on a
busy server. Here the export is made when the browser asks for it and streamed straight
back, so nothing sits in between: every answer given so far, at any time.

GET /exports/workshop/{workshop_id}/{name} with the sign-in cookie; `name` is one of
carelab.workshop.exports.EXPORTS. Only the workshop's facilitator or an administrator gets
it (the same check as the page's); a request another site starts (Sec-Fetch-Site:
cross-site) is refused.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from carelab import auth
from carelab.auth import User
from carelab.errors import NotFound, PermissionDenied
from carelab.store import db as store_db
from carelab.workshop import exports


def _user(cookie: str | None) -> User | None:
    with store_db.session() as db:
        return auth.user_from_cookie(db, cookie)


def _refuse(status: int, message: str) -> Response:
    return PlainTextResponse(message, status_code=status, headers={"Cache-Control": "no-store"})


async def download(request: Request) -> Response:
    """GET /exports/workshop/{workshop_id}/{name}: the export, made now, as an attachment."""
    name = request.path_params["name"]
    export = exports.EXPORTS.get(name)
    workshop_id = request.path_params["workshop_id"]
    if export is None or not workshop_id.isdigit():
        return _refuse(404, "There is no such export.")
    if request.headers.get("sec-fetch-site", "same-origin") not in {"same-origin", "none"}:
        return _refuse(403, "Exports open only from CareLab's own pages.")
    user = await run_in_threadpool(_user, request.cookies.get(auth.COOKIE_NAME))
    if user is None:
        return _refuse(401, "Sign in to CareLab, then download the export from Facilitate.")
    try:
        filename, body = await run_in_threadpool(exports.make, user, int(workshop_id), name)
    except NotFound:
        return _refuse(404, "There is no such workshop.")
    except PermissionDenied as refused:
        return _refuse(403, str(refused))
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(body, media_type=export.media_type, headers=headers)


def routes() -> list[Route]:
    """Return the export route for st.App."""
    return [Route("/exports/workshop/{workshop_id}/{name}", download, methods=["GET"])]
