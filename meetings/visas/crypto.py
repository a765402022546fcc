"""Passport data sealed with AES-GCM before it reaches the database.

`Sealed` is a SQLAlchemy column type: each value gets a fresh 96-bit nonce and is bound to its
table and column as associated data, so a ciphertext copied into another column does not open.
The key is VISA_DATA_KEY (64 hex characters), never SECRET_KEY. The type reads it from the app
because SQLAlchemy calls it at flush time, where no parameter can be passed; services check
`data_key` first so that a missing key is a clear domain error, not a crash at flush.
"""

import os
from datetime import date

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

VERSION = b"\x01"
NONCE_BYTES = 12


class MissingKey(RuntimeError):
    """Visa data was to be stored or read, and VISA_DATA_KEY is not set."""


def data_key(config) -> bytes | None:
    """The configured key as bytes, or None when there is none."""
    text = config.get("VISA_DATA_KEY")
    return bytes.fromhex(text) if text else None


def current_key() -> bytes:
    key = data_key(current_app.config)
    if key is None:
        raise MissingKey("VISA_DATA_KEY is not set")
    return key


def seal(key: bytes, plain: str, context: bytes) -> bytes:
    """Version byte, nonce, then ciphertext with its tag; `context` is authenticated, not stored."""
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, plain.encode("utf-8"), context)


def unseal(key: bytes, sealed: bytes, context: bytes) -> str:
    """The plain text of a sealed value; ValueError when it was tampered with or moved."""
    if sealed[:1] != VERSION:
        raise ValueError("unknown sealed-value version")
    nonce, body = sealed[1:1 + NONCE_BYTES], sealed[1 + NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, body, context).decode("utf-8")
    except InvalidTag:
        raise ValueError("sealed value does not open with this key and column") from None


class Sealed(sa.types.TypeDecorator):
    """A text column stored sealed; `context` names its table and column ("table.column")."""

    impl = sa.LargeBinary
    cache_ok = True

    def __init__(self, context: str):
        super().__init__()
        self.context = context

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return seal(current_key(), self.to_text(value), self.context.encode())

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return self.from_text(unseal(current_key(), bytes(value), self.context.encode()))

    def to_text(self, value) -> str:
        return str(value)

    def from_text(self, text: str):
        return text


class SealedDate(Sealed):
    """A date stored sealed, as its ISO text."""

    def to_text(self, value: date) -> str:
        return value.isoformat()

    def from_text(self, text: str) -> date:
        return date.fromisoformat(text)
