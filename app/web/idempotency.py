"""The Idempotency-Key of api.md for the JSON create endpoints: one header, one call.

The store itself (table, checks, replay) is ``app.idempotency``; this is its HTTP side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Session

from app.accounts.models import User
from app.idempotency import idempotent_create

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
"""Optional; 1–200 characters (checked by app.idempotency.check_key, in Danish)."""


def idempotent_json(
    request: Request,
    db: Session,
    user: User,
    *,
    key: str | None,
    body: BaseModel,
    create: Callable[[], tuple[int, dict[str, Any]]],
) -> JSONResponse:
    """``create`` once per (user, key); a repeat with the same body answers the first status
    and body and creates nothing, the same key with another body is 409."""
    if user.id is None:  # pragma: no cover - a logged-in user always has an id
        raise ValueError("a stored user has an id")
    status, payload = idempotent_create(
        db,
        user_id=user.id,
        key=key,
        method=request.method,
        path=request.url.path,
        body=body.model_dump(mode="json"),
        create=create,
    )
    return JSONResponse(payload, status_code=status)
