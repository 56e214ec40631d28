"""Liveness and readiness for the operator's load balancer and orchestrator."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from app import db
from app.web.deps import public
from app.web.routing import make_router

router = make_router(dependencies=[Depends(public)], include_in_schema=False)


@router.get("/healthz", name="health:live")
async def healthz() -> JSONResponse:
    """The process answers. Touches no table and opens no database session; no worker thread
    either (nothing here blocks)."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz", name="health:ready")
def readyz(request: Request) -> JSONResponse:
    """The database answers and is migrated to the code's version: its own connection, not
    the request's session (which this route never opens)."""
    try:
        current, head = db.migration_state(request.app.state.engine)
    except SQLAlchemyError:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    if current != head:
        return JSONResponse(
            {"status": "unavailable", "database": "not_migrated", "revision": current}, 503
        )
    return JSONResponse({"status": "ok", "database": "ok", "revision": current})
