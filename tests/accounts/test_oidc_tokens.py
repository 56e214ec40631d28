"""ID-token validation with tokens signed by keys of our own, and the relying party's
refusals when the provider misbehaves or cannot be reached."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from app.accounts.oidc import Flow, OidcClient, OidcError, end_session_url, validate_id_token

ISSUER = "https://login.kommune.example"
CLIENT = "trivselsguiden"
NONCE = "n-0123456789"


@pytest.fixture(scope="module")
def key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "k1"})


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "s1",
        "iat": now,
        "exp": now + 300,
        "nonce": NONCE,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _token(key: RSAKey | OctKey, alg: str = "RS256", **changes: Any) -> str:
    return jwt.encode({"alg": alg, "kid": "k1"}, _claims(**changes), key)


def _validate(token: str, key: RSAKey) -> dict[str, Any]:
    return validate_id_token(
        token, keys=KeySet([key]), issuer=ISSUER, client_id=CLIENT, nonce=NONCE
    )


class TestValidateIdToken:
    def test_a_token_signed_by_a_foreign_key_is_refused(self, key):
        foreign = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        with pytest.raises(OidcError) as caught:
            _validate(_token(foreign), key)
        assert caught.value.code == "id_token_signature"

    def test_a_token_macd_with_a_shared_secret_is_refused(self, key):
        secret = OctKey.import_key("a-client-secret-that-is-long-enough-for-hs256")
        with pytest.raises(OidcError) as caught:
            _validate(_token(secret, alg="HS256"), key)
        assert caught.value.code == "id_token_signature"

    def test_an_expired_token_is_refused(self, key):
        past = int(time.time()) - 3600
        with pytest.raises(OidcError) as caught:
            _validate(_token(key, iat=past - 300, exp=past), key)
        assert caught.value.code == "id_token_claims"

    @pytest.mark.parametrize(
        "changes",
        [
            {"iss": "https://evil.example"},
            {"aud": "another-client"},
            {"nonce": "another-nonce"},
            {"nonce": None},
            {"sub": None},
            {"exp": None},
        ],
    )
    def test_a_wrong_or_missing_claim_is_refused(self, key, changes):
        with pytest.raises(OidcError) as caught:
            _validate(_token(key, **changes), key)
        assert caught.value.code == "id_token_claims"

    def test_several_audiences_need_us_as_the_authorized_party(self, key):
        with pytest.raises(OidcError):
            _validate(_token(key, aud=[CLIENT, "other"]), key)
        claims = _validate(_token(key, aud=[CLIENT, "other"], azp=CLIENT), key)
        assert claims["sub"] == "s1"

    def test_a_valid_token_gives_its_claims(self, key):
        claims = _validate(_token(key, roles=["staff"]), key)
        assert claims["roles"] == ["staff"]

    def test_garbage_is_refused(self, key):
        with pytest.raises(OidcError):
            _validate("not.a.token", key)


class TestFlow:
    @pytest.mark.parametrize(
        "payload", [None, "x", {"s": "a", "n": "b", "v": "c"}, {"s": "", "n": "b", "v": "c"}]
    )
    def test_a_malformed_cookie_payload_is_no_flow(self, payload):
        assert Flow.load(payload) is None

    def test_round_trip(self):
        flow = Flow(state="s", nonce="n", code_verifier="v", next_url="/børn")
        assert Flow.load(flow.dump()) == flow


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class TestProviderUnreachable:
    def test_discovery_fails_with_a_clear_code(self):
        client = OidcClient(
            issuer=f"http://127.0.0.1:{_closed_port()}",
            client_id=CLIENT,
            client_secret=None,
            scopes="openid",
            timeout=2,
        )
        with pytest.raises(OidcError) as caught:
            client.metadata()
        assert caught.value.code == "provider_unreachable"
        # The logout still ends the local session; it only cannot send the browser on.
        assert end_session_url(client, "a.b.c", "http://127.0.0.1/login") is None

    def test_without_a_client_or_token_there_is_no_provider_logout(self):
        assert end_session_url(None, "a.b.c", "http://127.0.0.1/login") is None
