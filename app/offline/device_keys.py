"""Per-user device keys: what lets only the owner's session unlock their unsent work.

Unsent work on a shared tablet is kept in the browser (IndexedDB), encrypted with AES-GCM under
a key that the server derives for each user from the app's secret. Only a logged-in session of
that user gets it (``GET /api/v1/offline/device-key``); the browser keeps it in memory, never on
disk, so another user on the same tablet can neither read the work nor tell it apart from
noise. The owner tag marks whose records are whose without naming the user.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

KEY_LABEL = b"trivsel-offline-device-key-v1:"
OWNER_LABEL = b"trivsel-offline-owner-v1:"


def _derive(secret: str, label: bytes, user_id: int) -> bytes:
    return hmac.new(secret.encode(), label + str(user_id).encode(), hashlib.sha256).digest()


def device_key(secret: str, *, user_id: int) -> str:
    """The user's 256-bit AES key, base64url without padding."""
    raw = _derive(secret, KEY_LABEL, user_id)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def owner_tag(secret: str, *, user_id: int) -> str:
    """An opaque, stable tag for the user's records on a device (not the user id)."""
    return _derive(secret, OWNER_LABEL, user_id).hex()[:24]


def credentials(secret: str, *, user_id: int | None) -> dict[str, str]:
    """``{"owner": …, "key": …}``: what the browser needs to keep the user's work on a device."""
    if user_id is None:  # pragma: no cover - a logged-in user always has an id
        raise ValueError("a user without an id has no device key")
    return {
        "owner": owner_tag(secret, user_id=user_id),
        "key": device_key(secret, user_id=user_id),
    }
