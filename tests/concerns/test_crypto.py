"""CPR numbers at rest: encryption under the first configured key, decryption under any, and
rotation to the first key (app/concerns/crypto.py)."""

from __future__ import annotations

import pytest

from app.concerns import crypto

OLD = "old-cpr-secret-0123456789abcdefghijklmnop"
NEW = "new-cpr-secret-0123456789abcdefghijklmnop"
CPR = "0403224000"


def test_a_number_encrypted_under_the_old_key_opens_with_old_and_new_configured():
    token = crypto.encrypt(crypto.cipher_for(OLD), CPR)

    assert CPR not in token
    assert crypto.decrypt(crypto.cipher_for(NEW, OLD), token) == CPR
    assert crypto.decrypt(crypto.cipher_for(NEW), token) is None


def test_the_first_key_encrypts():
    token = crypto.encrypt(crypto.cipher_for(NEW, OLD), CPR)

    assert crypto.decrypt(crypto.cipher_for(NEW), token) == CPR
    assert crypto.decrypt(crypto.cipher_for(OLD), token) is None


def test_rotation_moves_a_number_to_the_first_key():
    token = crypto.encrypt(crypto.cipher_for(OLD), CPR)

    rotated = crypto.rotate(crypto.cipher_for(NEW, OLD), token)

    assert rotated is not None
    assert rotated != token
    assert crypto.decrypt(crypto.cipher_for(NEW), rotated) == CPR


def test_a_token_no_key_opens_is_not_rotated():
    token = crypto.encrypt(crypto.cipher_for("a-third-secret-0123456789abcdefghij"), CPR)

    assert crypto.rotate(crypto.cipher_for(NEW, OLD), token) is None


@pytest.mark.parametrize("secrets", [(), ("",), (NEW, "")])
def test_every_key_must_be_given(secrets):
    with pytest.raises(ValueError, match="non-empty secret"):
        crypto.cipher_for(*secrets)
