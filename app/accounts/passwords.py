"""Password hashing with Argon2id (argon2-cffi) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()  # Argon2id with the library's RFC 9106 low-memory profile
# Verified when the user name is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("trivselsguiden-dummy-password")


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; runs a full verification even for unknown users."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the stored hash uses weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """A Danish sentence saying why ``password`` is refused, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Adgangskoden skal være mindst {MIN_PASSWORD_LENGTH} tegn."
    if len(password) > 256:
        return "Adgangskoden må højst være 256 tegn."
    if password.strip() != password or not password.strip():
        return "Adgangskoden må ikke begynde eller slutte med mellemrum."
    return None
