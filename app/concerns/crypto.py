"""Encryption of CPR numbers at rest (Fernet: AES-128-CBC + HMAC-SHA256, from cryptography).

Several keys may be configured (``TRIVSEL_CPR_KEY="new old"``): the first encrypts, every one
decrypts, and :func:`rotate` re-encrypts a stored number under the first. That is how the key
is changed without losing a number (docs/operations.md).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


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
