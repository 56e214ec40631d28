"""The Idempotency-Key store of api.md: the first answer to a creating request, kept so that a
retry with the same key replays it and creates nothing.

The one place for it: the table, the checks and ``idempotent_create``. Every creating JSON
route reaches it through ``app.web.idempotency`` (the header and the JSON response); nothing
here knows HTTP, so the offline sync and the domains' creates share it without importing each
other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import JSON, Field, Session, SQLModel, select

from app.db import UTCDateTime, utcnow
from app.errors import Conflict, Invalid

MAX_KEY_LENGTH = 200


class IdempotentRequest(SQLModel, table=True):
    """``(user, key) → response``, stored in the same transaction as the create."""

    __tablename__ = "idempotent_request"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    key: str = Field(max_length=200)
    fingerprint: str = Field(max_length=64)
    status_code: int
    response: dict[str, object] = Field(sa_type=JSON)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def fingerprint(method: str, path: str, body: Any) -> str:
    """A stable hash of what was asked, to notice a key reused for another request."""
    payload = json.dumps([method, path, body], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def check_key(key: str) -> str:
    """The key as given, or Invalid when it is empty or too long."""
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        message = f"Idempotency-Key skal være 1–{MAX_KEY_LENGTH} tegn."
        raise Invalid.field("Idempotency-Key", message)
    return key


def find(session: Session, *, user_id: int, key: str, fp: str) -> IdempotentRequest | None:
    """The stored first answer for ``(user, key)``; Conflict when the key was used for
    a different request."""
    row = session.exec(
        select(IdempotentRequest).where(
            IdempotentRequest.user_id == user_id, IdempotentRequest.key == key
        )
    ).first()
    if row is not None and row.fingerprint != fp:
        raise Conflict(
            "Idempotency-Key er allerede brugt til en anden forespørgsel.",
            code="idempotency_key_reused",
        )
    return row


def remember(
    session: Session,
    *,
    user_id: int,
    key: str,
    fp: str,
    status_code: int,
    response: dict[str, Any],
) -> None:
    """Store the answer in the same transaction as the create it describes."""
    session.add(
        IdempotentRequest(
            user_id=user_id, key=key, fingerprint=fp, status_code=status_code, response=response
        )
    )
    session.flush()


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
    check_key(key)
    fp = fingerprint(method, path, body)
    stored = find(session, user_id=user_id, key=key, fp=fp)
    if stored is not None:
        return stored.status_code, dict(stored.response)
    status, response = create()
    try:
        with session.begin_nested():
            remember(
                session, user_id=user_id, key=key, fp=fp, status_code=status, response=response
            )
    except IntegrityError as error:  # the same key is being used by a parallel request
        raise Conflict(
            "Den samme forespørgsel er i gang. Prøv igen om et øjeblik.",
            code="idempotency_in_progress",
        ) from error
    return status, response
