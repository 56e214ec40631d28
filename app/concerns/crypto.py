"""Encryption of CPR numbers at rest (Fernet: AES-128-CBC + HMAC-SHA256, from cryptography).

Several keys may be configured (``TRIVSEL_CPR_KEY="new old"``): the first encrypts, every one
decrypts, and :func:`rotate` re-encrypts a stored number under the first. That is how the key
is changed without losing a number (docs/operations.md).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlmodel import Session

from app.audit import service as audit
from app.audit.tags import AuditTag
from app.concerns import scope


def _fernet(secret: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"trivselsguiden", info=b"cpr-at-rest"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def cipher_for(*secrets: str) -> MultiFernet:
    """Fernet keys derived with HKDF from the given secrets (a dedicated CPR key, or the app's
    secret key); the first encrypts, all decrypt."""
    if not secrets or not all(secrets):
        raise ValueError("at least one non-empty secret is needed")
    return MultiFernet([_fernet(secret) for secret in secrets])


def encrypt(cipher: MultiFernet, value: str) -> str:
    """The token stored in the database."""
    return cipher.encrypt(value.encode()).decode()


def decrypt(cipher: MultiFernet, token: str) -> str | None:
    """The CPR number, or None when no configured key opens it (the operator is told in the
    docs)."""
    try:
        return cipher.decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def rotate(cipher: MultiFernet, token: str) -> str | None:
    """The same number encrypted under the first key, or None when no configured key opens
    the token."""
    try:
        return cipher.rotate(token.encode()).decode()
    except InvalidToken:
        return None


@dataclass(frozen=True)
class Rotation:
    """What :func:`rotate_cpr_numbers` did."""

    rotated: int
    unreadable: int


def rotate_cpr_numbers(session: Session, cipher: MultiFernet) -> Rotation:
    """Encrypt every stored CPR number again under the cipher's first key (run after a new key
    is put first in TRIVSEL_CPR_KEY). A number no configured key opens is left as it is and
    counted: the operator has dropped a key that is still needed. Audited once, without
    numbers."""
    rotated = unreadable = 0
    for concern in scope.concerns_with_cpr(session):
        token = rotate(cipher, concern.cpr_encrypted or "")
        if token is None:
            unreadable += 1
            continue
        concern.cpr_encrypted = token
        session.add(concern)
        rotated += 1
    session.flush()
    audit.record(
        session,
        None,
        AuditTag.CPR_KEY_ROTATE,
        username="system",
        detail=f"{rotated} krypteret igen, {unreadable} kunne ikke åbnes",
    )
    return Rotation(rotated=rotated, unreadable=unreadable)
