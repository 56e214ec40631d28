"""One helper for every creating POST that accepts an ``Idempotency-Key`` (api.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.errors import Conflict
from app.offline import service


def idempotent_create(
    session: Session,
    *,
    user_id: int,
    key: str | None,
    method: str,
    path: str,
    body: Any,
    create: Callable[[], tuple[int, dict[str, Any]]],
) -> tuple[int, dict[str, Any]]:
    """Run ``create`` once per ``(user, key)``: a repeat returns the first status and body
    and creates nothing; the same key with another body is 409."""
    if key is None:
        return create()
    service.check_key(key)
    fp = service.fingerprint(method, path, body)
    stored = service.find(session, user_id=user_id, key=key, fp=fp)
    if stored is not None:
        return stored.status_code, dict(stored.response)
    status, response = create()
    try:
        with session.begin_nested():
            service.remember(
                session, user_id=user_id, key=key, fp=fp, status_code=status, response=response
            )
    except IntegrityError as error:  # the same key is being used by a parallel request
        raise Conflict(
            "Den samme forespørgsel er i gang. Prøv igen om et øjeblik.",
            code="idempotency_in_progress",
        ) from error
    return status, response
