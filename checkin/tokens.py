"""Signed invitation tokens: a small versioned envelope signed with Ed25519.

Layout (big-endian, 17 bytes) then the 64-byte signature, base32 upper-case without
padding — 130 characters, all in the QR alphanumeric set:

    version u8 | key id u16 | event id 8 bytes | person seq u32 | issue counter u16

The signature covers a domain-separation prefix and the 17 header bytes. Parsing uses
explicit lengths and refuses anything non-canonical, so no two texts verify as one token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

VERSION = 1
HEADER = struct.Struct(">BH8sIH")
SIGNATURE_BYTES = 64
TOKEN_BYTES = HEADER.size + SIGNATURE_BYTES  # 81
TOKEN_CHARS = 130  # ceil(81 * 8 / 5)
DOMAIN = b"checkin/invitation/v1\x00"
_ALPHABET = re.compile(r"^[A-Z2-7]+$")


def begins_token(text: str) -> bool:
    """Could `text` be the first part of an invitation (its alphabet, fewer than its
    characters)? The scanner recogniser waits longer for the rest of such a read."""
    return 0 < len(text) < TOKEN_CHARS and _ALPHABET.match(text.upper()) is not None


class TokenError(Exception):
    """Why a scanned text is not a valid invitation: not_token, other_event or forged."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class TokenClaims:
    key_id: int
    event_id: bytes
    seq: int
    counter: int


def key_id_of(public: Ed25519PublicKey) -> int:
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return int.from_bytes(hashlib.sha256(raw).digest()[:2], "big")


def event_id_bytes(event_id: str) -> bytes:
    """The first 8 bytes of the event's UUID (hex), as carried in tokens."""
    return bytes.fromhex(event_id)[:8]


def encode_token(private: Ed25519PrivateKey, event_id: bytes, seq: int, counter: int) -> str:
    key_id = key_id_of(private.public_key())
    header = HEADER.pack(VERSION, key_id, event_id, seq, counter)
    signature = private.sign(DOMAIN + header)
    return base64.b32encode(header + signature).decode("ascii").rstrip("=")


def parse_token(text: str) -> tuple[TokenClaims, bytes, bytes]:
    """Split a token into claims, header and signature, or raise TokenError('not_token')."""
    candidate = text.strip().upper()
    if len(candidate) != TOKEN_CHARS or not _ALPHABET.match(candidate):
        raise TokenError("not_token")
    try:
        raw = base64.b32decode(candidate + "=" * (-len(candidate) % 8))
    except (binascii.Error, ValueError):
        raise TokenError("not_token") from None
    # canonical form only: the unused low bits of the last character must be zero
    if len(raw) != TOKEN_BYTES or base64.b32encode(raw).decode().rstrip("=") != candidate:
        raise TokenError("not_token")
    header, signature = raw[: HEADER.size], raw[HEADER.size :]
    version, key_id, event_id, seq, counter = HEADER.unpack(header)
    if version != VERSION:
        raise TokenError("not_token")
    return TokenClaims(key_id, event_id, seq, counter), header, signature


def verify_token(
    text: str, public_keys: Mapping[int, Sequence[Ed25519PublicKey]], event_id: bytes
) -> TokenClaims:
    """Check a token against this event's public keys; raise TokenError with the reason."""
    claims, header, signature = parse_token(text)
    if claims.event_id != event_id:
        raise TokenError("other_event")
    for public in public_keys.get(claims.key_id, ()):
        try:
            public.verify(signature, DOMAIN + header)
        except InvalidSignature:
            continue
        return claims
    raise TokenError("forged")


def short_code(token: str) -> str:
    """Four characters that tell this issue of an invitation apart, read out by phone."""
    digest = hashlib.sha256(token.encode("ascii")).digest()
    return base64.b32encode(digest).decode("ascii")[:4]
