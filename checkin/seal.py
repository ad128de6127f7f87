"""Sealing and signing with the `cryptography` library (nothing home-made).

- Sealing to the office: an ephemeral X25519 key agreement with the office's public key,
  HKDF-SHA256 to a one-time key, ChaCha20-Poly1305 with the caller's associated data (the
  signed header), so a sealed part cannot be moved to another bundle or header.
- Signing: Ed25519 over a domain-separation prefix and the bytes signed.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

SEAL_INFO = b"checkin/seal/v1"
NONCE_BYTES = 12
KEY_BYTES = 32


class SealError(Exception):
    """A sealed part that does not open (wrong key, tampered) or a signature that fails."""


def raw_public(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def raw_private(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def new_signing_pair() -> tuple[bytes, bytes]:
    """(private, public) raw Ed25519 bytes."""
    private = Ed25519PrivateKey.generate()
    return raw_private(private), raw_public(private.public_key())


def new_sealing_pair() -> tuple[bytes, bytes]:
    """(private, public) raw X25519 bytes."""
    private = X25519PrivateKey.generate()
    return raw_private(private), raw_public(private.public_key())


def sign(private: bytes, domain: bytes, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private).sign(domain + message)


def verify(public: bytes, signature: bytes, domain: bytes, message: bytes) -> None:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, domain + message)
    except (InvalidSignature, ValueError) as exc:
        raise SealError("signature") from exc


def _derive(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=ephemeral + recipient, info=SEAL_INFO
    ).derive(shared)


def seal(recipient_public: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """ephemeral public (32) | nonce (12) | ciphertext+tag, readable only with the recipient's key."""
    recipient = X25519PublicKey.from_public_bytes(recipient_public)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = raw_public(ephemeral.public_key())
    key = _derive(ephemeral.exchange(recipient), ephemeral_public, recipient_public)
    nonce = os.urandom(NONCE_BYTES)
    return ephemeral_public + nonce + ChaCha20Poly1305(key).encrypt(nonce, plaintext, aad)


def unseal(recipient_private: bytes, sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) < 32 + NONCE_BYTES + 16:
        raise SealError("short")
    try:
        private = X25519PrivateKey.from_private_bytes(recipient_private)
        ephemeral_public, nonce, body = sealed[:32], sealed[32 : 32 + NONCE_BYTES], sealed[32 + NONCE_BYTES :]
        key = _derive(
            private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public)),
            ephemeral_public,
            raw_public(private.public_key()),
        )
        return ChaCha20Poly1305(key).decrypt(nonce, body, aad)
    except (InvalidTag, ValueError) as exc:
        raise SealError("sealed") from exc
