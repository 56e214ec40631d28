"""The OpenID Connect relying party: discovery, the authorization request (code + PKCE S256,
``state``, ``nonce``), the code exchange, ID-token validation and the RP-initiated logout URL.

Authlib makes the requests (``OAuth2Session``: PKCE, client authentication, the token
response); joserfc checks the ID token (signature by the provider's JWKS, ``iss``, ``aud``,
``azp``, ``exp``, ``iat``, ``nonce``). No web framework here: the views hand in the callback
URL and the values they kept in the flow cookie, and get claims or an :class:`OidcError`.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from app.settings import Settings

#: Signature algorithms accepted on an ID token: asymmetric only (never ``none``, never a
#: MAC keyed with the client secret).
ID_TOKEN_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
#: Clock skew allowed on ``exp``, ``iat`` and ``nbf``.
LEEWAY_SECONDS = 60
#: How long discovery and the JWKS are trusted before they are read again.
METADATA_TTL_SECONDS = 3600


class OidcError(Exception):
    """The sign-in failed; ``code`` is the stable key for the audit row and the log."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class ProviderMetadata:
    """What discovery tells of the provider."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None


@dataclass(frozen=True)
class Flow:
    """One sign-in in progress: kept in the signed flow cookie between the redirect and the
    callback, and used once."""

    state: str
    nonce: str
    code_verifier: str
    next_url: str

    def dump(self) -> dict[str, str]:
        """The cookie's payload."""
        return {"s": self.state, "n": self.nonce, "v": self.code_verifier, "u": self.next_url}

    @classmethod
    def load(cls, payload: object) -> Flow | None:
        """The flow from a cookie's (already verified) payload, or None if malformed."""
        if not isinstance(payload, dict):
            return None
        values = [payload.get(k) for k in ("s", "n", "v", "u")]
        if not all(isinstance(v, str) and v for v in values):
            return None
        state, nonce, verifier, next_url = (str(v) for v in values)
        return cls(state=state, nonce=nonce, code_verifier=verifier, next_url=next_url)


@dataclass(frozen=True)
class SignIn:
    """A validated sign-in: the ID token's claims and the token itself (the logout hint)."""

    claims: dict[str, Any]
    id_token: str


def validate_id_token(
    id_token: str,
    *,
    keys: KeySet,
    issuer: str,
    client_id: str,
    nonce: str,
    now: int | None = None,
) -> dict[str, Any]:
    """The claims of a valid ID token; :class:`OidcError` for a bad signature, a wrong
    issuer, audience or nonce, or an expired token (OpenID Connect Core 1.0, 3.1.3.7)."""
    try:
        token = jwt.decode(id_token, keys, algorithms=ID_TOKEN_ALGORITHMS)
    except (JoseError, ValueError) as error:
        raise OidcError("id_token_signature", type(error).__name__) from error
    registry = jwt.JWTClaimsRegistry(
        now=now,
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(token.claims)
    except JoseError as error:
        raise OidcError("id_token_claims", str(error)) from error
    audience = token.claims.get("aud")
    if isinstance(audience, list) and len(audience) > 1 and token.claims.get("azp") != client_id:
        raise OidcError("id_token_claims", "azp")
    return dict(token.claims)


class OidcClient:
    """The app's relying party for one issuer; discovery and keys are cached per process."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        client_secret: str | None,
        scopes: str,
        timeout: float,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.scopes = scopes
        self.timeout = timeout
        self._lock = threading.Lock()
        self._metadata: tuple[float, ProviderMetadata] | None = None
        self._keys: tuple[float, KeySet] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcClient | None:
        """The relying party of the configured provider, or None when there is none."""
        if not settings.oidc_enabled:
            return None
        secret = settings.oidc_client_secret
        return cls(
            issuer=settings.oidc_issuer,
            client_id=settings.oidc_client_id,
            client_secret=secret.get_secret_value() if secret else None,
            scopes=settings.oidc_scopes,
            timeout=settings.oidc_timeout_seconds,
        )

    def _session(self, redirect_uri: str | None = None) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self.client_secret,
            scope=self.scopes,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic" if self.client_secret else "none",
        )

    def _get_json(self, url: str) -> Mapping[str, Any]:
        try:
            response = requests.get(url, timeout=self.timeout)
            response.raise_for_status()
            body = response.json()
        except (requests.RequestException, ValueError) as error:
            raise OidcError("provider_unreachable", type(error).__name__) from error
        if not isinstance(body, dict):
            raise OidcError("provider_unreachable", "not a JSON object")
        return body

    def metadata(self) -> ProviderMetadata:
        """The provider's discovery document (``/.well-known/openid-configuration``)."""
        with self._lock:
            if self._metadata is not None and time.monotonic() < self._metadata[0]:
                return self._metadata[1]
        body = self._get_json(self.issuer + "/.well-known/openid-configuration")
        if str(body.get("issuer", "")).rstrip("/") != self.issuer:
            raise OidcError("provider_metadata", "issuer differs from the configured one")
        try:
            found = ProviderMetadata(
                issuer=str(body["issuer"]),
                authorization_endpoint=str(body["authorization_endpoint"]),
                token_endpoint=str(body["token_endpoint"]),
                jwks_uri=str(body["jwks_uri"]),
                end_session_endpoint=(
                    str(body["end_session_endpoint"]) if body.get("end_session_endpoint") else None
                ),
            )
        except KeyError as error:
            raise OidcError("provider_metadata", f"missing {error}") from error
        with self._lock:
            self._metadata = (time.monotonic() + METADATA_TTL_SECONDS, found)
        return found

    def keys(self, *, refresh: bool = False) -> KeySet:
        """The provider's signing keys (JWKS), read again on ``refresh`` (a key rotation)."""
        with self._lock:
            if not refresh and self._keys is not None and time.monotonic() < self._keys[0]:
                return self._keys[1]
        body = self._get_json(self.metadata().jwks_uri)
        try:
            keys = KeySet.import_key_set(body)  # type: ignore[arg-type]
        except (JoseError, ValueError, KeyError, TypeError) as error:
            raise OidcError("provider_keys", type(error).__name__) from error
        with self._lock:
            self._keys = (time.monotonic() + METADATA_TTL_SECONDS, keys)
        return keys

    def start(self, *, redirect_uri: str, next_url: str) -> tuple[str, Flow]:
        """The authorization URL to redirect to, and the flow to keep in the cookie."""
        flow = Flow(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(48),
            next_url=next_url,
        )
        url, _state = self._session(redirect_uri).create_authorization_url(
            self.metadata().authorization_endpoint,
            state=flow.state,
            code_verifier=flow.code_verifier,
            nonce=flow.nonce,
        )
        return str(url), flow

    def finish(
        self, *, code: str, flow: Flow, redirect_uri: str, returned_issuer: str | None = None
    ) -> SignIn:
        """Exchange the code (with the PKCE verifier) and validate the ID token. An ``iss``
        returned with the code (RFC 9207) must be our provider's (no mix-up)."""
        metadata = self.metadata()
        if returned_issuer is not None and returned_issuer != metadata.issuer:
            raise OidcError("issuer_mismatch")
        try:
            token = self._session(redirect_uri).fetch_token(
                metadata.token_endpoint,
                code=code,
                code_verifier=flow.code_verifier,
                timeout=self.timeout,
            )
        except AuthlibBaseError as error:
            raise OidcError("token_refused", str(getattr(error, "error", "") or "")) from error
        except requests.RequestException as error:
            raise OidcError("provider_unreachable", type(error).__name__) from error
        id_token = token.get("id_token") if isinstance(token, Mapping) else None
        if not isinstance(id_token, str) or not id_token:
            raise OidcError("no_id_token")

        def check(keys: KeySet) -> dict[str, Any]:
            return validate_id_token(
                id_token,
                keys=keys,
                issuer=metadata.issuer,
                client_id=self.client_id,
                nonce=flow.nonce,
            )

        try:
            claims = check(self.keys())
        except OidcError as error:
            if error.code != "id_token_signature":
                raise
            # An unknown key id may be a rotation at the provider: read the keys once more.
            claims = check(self.keys(refresh=True))
        return SignIn(claims=claims, id_token=id_token)

    def end_session_url(self, *, id_token: str, post_logout_redirect_uri: str) -> str | None:
        """The provider's logout URL (RP-Initiated Logout 1.0), or None when it has none or
        cannot be reached (the local logout holds either way)."""
        try:
            endpoint = self.metadata().end_session_endpoint
        except OidcError:
            return None
        if not endpoint:
            return None
        query = urlencode(
            {
                "id_token_hint": id_token,
                "post_logout_redirect_uri": post_logout_redirect_uri,
                "client_id": self.client_id,
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def end_session_url(
    client: OidcClient | None, id_token: str | None, post_logout_redirect_uri: str
) -> str | None:
    """Where a logout goes after the local one: the provider's end-session URL when the
    session came from the provider (it has an ID token) and the provider offers one."""
    if client is None or not id_token:
        return None
    return client.end_session_url(
        id_token=id_token, post_logout_redirect_uri=post_logout_redirect_uri
    )
