"""Idempotent creates: a retry with the same ``Idempotency-Key`` replays the first answer."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlmodel import Session, select

from app.errors import Conflict, Invalid
from app.offline.models import IdempotentRequest

MAX_KEY_LENGTH = 200


def fingerprint(method: str, path: str, body: Any) -> str:
    """A stable hash of what was asked, to notice a key reused for another request."""
    payload = json.dumps([method, path, body], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def check_key(key: str) -> str:
    """The key as given, or Invalid when it is empty or too long."""
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        message = f"Idempotency-Key skal være 1–{MAX_KEY_LENGTH} tegn."
        raise Invalid(message, details=[{"field": "Idempotency-Key", "message": message}])
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
