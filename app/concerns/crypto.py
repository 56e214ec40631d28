"""Encryption of CPR numbers at rest (Fernet: AES-128-CBC + HMAC-SHA256, from cryptography)."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def cipher_for(secret: str) -> Fernet:
    """A Fernet key derived from the app's secret (or a dedicated CPR key) with HKDF."""
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"trivselsguiden", info=b"cpr-at-rest"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(cipher: Fernet, value: str) -> str:
    """The token stored in the database."""
    return cipher.encrypt(value.encode()).decode()


def decrypt(cipher: Fernet, token: str) -> str | None:
    """The CPR number, or None when the key has changed (the operator is told in the docs)."""
    try:
        return cipher.decrypt(token.encode()).decode()
    except InvalidToken:
        return None
