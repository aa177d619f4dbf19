"""`/healthz`: what a load balancer or a monitor asks before it sends users to a server.

200 when this process can reach its database and the database has every migration this
CareLab version knows (so a server of a newer version is not sent traffic before
`carelab db migrate` ran); 503 with the reason otherwise. It says which kind of database,
never where it is or how to sign in to it.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from carelab.errors import CareLabError
from carelab.store import db as store_db


def check() -> tuple[int, dict[str, object]]:
    """The health of this process's database: an HTTP status and a JSON body."""
    try:
        with store_db.session() as db:
            applied = store_db.applied_migrations(db)
            kind = db.dialect
    except CareLabError:
        return 503, {"status": "unavailable", "reason": "the database cannot be reached"}
    known = store_db.known_migrations()
    missing = [name for name in known if name not in applied]
    if missing:
        reason = f"{len(missing)} migration(s) not applied: run carelab db migrate"
        return 503, {"status": "unavailable", "reason": reason, "database": kind}
    return 200, {"status": "ok", "database": kind, "migrations": len(applied)}


async def healthz(_request: Request) -> JSONResponse:
    """Answer the health check without blocking the event loop."""
    status, body = await run_in_threadpool(check)
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def routes() -> list[Route]:
    """Return the health route for st.App."""
    return [Route("/healthz", healthz, methods=["GET", "HEAD"])]
