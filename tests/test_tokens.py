"""Invitation tokens: format, known-good examples, tampering, other events, keys."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from checkin.tokens import (
    TOKEN_CHARS,
    TokenError,
    encode_token,
    key_id_of,
    parse_token,
    verify_token,
)

SEED = bytes(range(32))
EVENT = bytes.fromhex("0123456789abcdef")
# Fixed examples: Ed25519 is deterministic, so these never change unless the format does.
KNOWN_GOOD = {
    (
        7,
        1,
    ): "AFLEOAJDIVTYTK6N54AAAAAHAAAQ35XLAGTWSBPCRIE7V2AZKLZA2NZ7GKP6B6G2IP3MGQEQGQCD7PXRJYUA22MHCE4BT62V6MP3N7IHZU6ECYRYXKXVCJHCO2YY2D5XB4",
    (
        100000,
        3,
    ): "AFLEOAJDIVTYTK6N54AADBVAAABTAYCT63SHD62ZP4NT27QXDA77V52PW42YZJJQO7WHN4B2LGSHDRSPKDLYS2OWOCU5B74GZ7LWBJFWFSJVSEDSHNV7WIDQHF3UXB7HBM",
}
PRIVATE = Ed25519PrivateKey.from_private_bytes(SEED)
KEYS = {key_id_of(PRIVATE.public_key()): [PRIVATE.public_key()]}
VALID = KNOWN_GOOD[(7, 1)]
QR_ALPHANUMERIC = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


@pytest.mark.parametrize(("claims", "token"), list(KNOWN_GOOD.items()))
def test_known_good_examples(claims: tuple[int, int], token: str) -> None:
    seq, counter = claims
    assert encode_token(PRIVATE, EVENT, seq, counter) == token
    verified = verify_token(token, KEYS, EVENT)
    assert (verified.seq, verified.counter, verified.event_id) == (seq, counter, EVENT)


def test_length_and_qr_alphanumeric_alphabet() -> None:
    assert len(VALID) == TOKEN_CHARS <= 130
    assert set(VALID) <= QR_ALPHANUMERIC


def test_round_trip_with_fresh_key() -> None:
    key = Ed25519PrivateKey.generate()
    token = encode_token(key, EVENT, 42, 2)
    claims = verify_token(token, {key_id_of(key.public_key()): [key.public_key()]}, EVENT)
    assert (claims.seq, claims.counter) == (42, 2)


def test_scanner_with_caps_lock_and_trailing_newline_still_reads() -> None:
    assert verify_token(VALID.lower() + "\r\n", KEYS, EVENT).seq == 7


def test_other_event_is_refused() -> None:
    with pytest.raises(TokenError) as info:
        verify_token(VALID, KEYS, bytes(8))
    assert info.value.reason == "other_event"


def test_unknown_key_is_forged() -> None:
    other = Ed25519PrivateKey.generate()
    token = encode_token(other, EVENT, 7, 1)
    with pytest.raises(TokenError) as info:
        verify_token(token, KEYS, EVENT)
    assert info.value.reason == "forged"


@pytest.mark.parametrize("text", ["", "hello", "A" * 130, "1" * 130, VALID[:-1], VALID + "A", "{}", "A007"])
def test_garbage_is_not_a_token(text: str) -> None:
    with pytest.raises(TokenError):
        verify_token(text, KEYS, EVENT)


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567018!-"


@given(st.integers(0, TOKEN_CHARS - 1), st.sampled_from(ALPHABET))
def test_changing_any_character_invalidates(pos: int, char: str) -> None:
    if VALID[pos] == char:
        return
    with pytest.raises(TokenError):
        verify_token(VALID[:pos] + char + VALID[pos + 1 :], KEYS, EVENT)


@given(st.integers(0, TOKEN_CHARS - 1))
def test_dropping_any_character_invalidates(pos: int) -> None:
    with pytest.raises(TokenError):
        verify_token(VALID[:pos] + VALID[pos + 1 :], KEYS, EVENT)


@given(st.integers(0, TOKEN_CHARS), st.sampled_from(ALPHABET))
def test_adding_any_character_invalidates(pos: int, char: str) -> None:
    with pytest.raises(TokenError):
        verify_token(VALID[:pos] + char + VALID[pos:], KEYS, EVENT)


def test_parse_refuses_other_versions() -> None:
    import base64

    raw = bytearray(base64.b32decode(VALID + "======"))
    raw[0] = 2
    with pytest.raises(TokenError):
        parse_token(base64.b32encode(bytes(raw)).decode().rstrip("="))
