"""Mail bodies at rest: encrypted (Fernet, AES-128-CBC with HMAC-SHA256) until delivered.

A queued body holds live links (manage, reset and invitation links, invitation codes), so the
database and its backups keep it only encrypted, under a key derived with HKDF from
MAIL_BODY_KEY, or from SECRET_KEY when that is unset. Only the mail worker reads a body, to
send it; a delivered message keeps none (see sender.deliver_one).
"""

import base64
import functools

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from meetings.config import ConfigurationError

PURPOSE = b"meetings mail body v1"


class UnreadableBody(ConfigurationError):
    """A stored body does not decrypt: the key is not the one it was encrypted with."""


@functools.lru_cache(maxsize=8)
def cipher_for(secret: str) -> Fernet:
    """The Fernet cipher derived from a configured secret (HKDF-SHA256, own purpose label)."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(
        secret.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def body_cipher(config) -> Fernet:
    """The cipher of this app's configuration: MAIL_BODY_KEY, else SECRET_KEY."""
    return cipher_for(config.get("MAIL_BODY_KEY") or config["SECRET_KEY"])


def seal(text: str, cipher: Fernet) -> str:
    """The body encrypted as ASCII text; an empty body stays empty (nothing to hide)."""
    return cipher.encrypt(text.encode("utf-8")).decode("ascii") if text else ""


def unseal(stored: str, cipher: Fernet) -> str:
    """The body a sealed text holds; UnreadableBody names the setting when the key is wrong."""
    if not stored:
        return ""
    try:
        return cipher.decrypt(stored.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise UnreadableBody(
            "a queued mail body cannot be decrypted: MAIL_BODY_KEY (SECRET_KEY when it is unset) "
            "is not the key it was encrypted with"
        ) from None


def unseal_stored(stored: str | None) -> str | None:
    """A stored value as a SealedText column loads it, under this app's key."""
    return None if stored is None else unseal(stored, body_cipher(current_app.config))


class SealedText(sa.TypeDecorator):
    """Text stored encrypted under the current app's mail body key."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else seal(value, body_cipher(current_app.config))

    def process_result_value(self, value, dialect):
        return unseal_stored(value)
