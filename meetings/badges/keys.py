"""Per-edition Ed25519 key pairs (PyNaCl); the private key is stored only encrypted.

The 32-byte seed is sealed with AES-256-GCM under a key derived with HKDF-SHA256 from
BADGE_KEY_SECRET, or from SECRET_KEY when that is unset; the edition's id is the associated
data, so a sealed key copied onto another edition does not open. A copy of the database alone
(a backup, a leaked dump) cannot sign badges. Losing or changing the secret makes the keys
unreadable: printed badges still verify (the public keys are stored in clear), but no new badge
can be signed; keep the secret with the backups.
"""

import functools
import os
from datetime import datetime

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from nacl.signing import SigningKey

from meetings.badges.codes import PublicKey
from meetings.badges.models import BadgeKey
from meetings.config import ConfigurationError
from meetings.extensions import db
from meetings.models import Edition

PURPOSE = b"meetings badge signing key v1"
NONCE_BYTES = 12


class UnreadableKey(ConfigurationError):
    """A sealed key does not open: the secret is not the one it was sealed with."""


@functools.lru_cache(maxsize=8)
def sealing_key(secret: str) -> AESGCM:
    """The AES-GCM cipher derived from the configured secret (own HKDF purpose label)."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(
        secret.encode("utf-8"))
    return AESGCM(key)


def secret_of(config) -> str:
    """BADGE_KEY_SECRET, else SECRET_KEY."""
    return config.get("BADGE_KEY_SECRET") or config["SECRET_KEY"]


def associated_data(edition_id: int) -> bytes:
    return f"edition:{edition_id}".encode("ascii")


def seal(seed: bytes, edition_id: int, secret: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + sealing_key(secret).encrypt(nonce, seed, associated_data(edition_id))


def unseal(sealed: bytes, edition_id: int, secret: str) -> bytes:
    try:
        return sealing_key(secret).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:],
                                           associated_data(edition_id))
    except InvalidTag:
        raise UnreadableKey(
            "the badge signing key cannot be opened: BADGE_KEY_SECRET (SECRET_KEY when it is "
            "unset) is not the secret it was sealed with") from None


def key_of(edition: Edition) -> BadgeKey | None:
    return db.session.scalar(sa.select(BadgeKey).where(BadgeKey.edition_id == edition.id))


def create_key(edition: Edition, *, secret: str, now: datetime) -> BadgeKey:
    """A new key pair for the edition (flushes)."""
    signing = SigningKey.generate()
    key = BadgeKey(edition_id=edition.id, public_key=bytes(signing.verify_key),
                   sealed_private_key=seal(bytes(signing), edition.id, secret), created_at=now)
    db.session.add(key)
    db.session.flush()
    return key


def key_for(edition: Edition, *, secret: str, now: datetime) -> BadgeKey:
    """The edition's key pair, created on first use."""
    return key_of(edition) or create_key(edition, secret=secret, now=now)


def signing_key(key: BadgeKey, secret: str) -> SigningKey:
    """The private key, opened for signing (kept in memory only)."""
    return SigningKey(unseal(key.sealed_private_key, key.edition_id, secret))


def public_keys() -> dict[int, PublicKey]:
    """Every edition's public key by key id (a scanner that meets another edition's badge
    can then say so, rather than 'unknown key')."""
    return {key.id: PublicKey(key.id, key.edition_id, key.public_key)
            for key in db.session.scalars(sa.select(BadgeKey))}


def edition_public_keys(edition: Edition) -> list[PublicKey]:
    """The public keys of one edition (keys.json)."""
    return [PublicKey(key.id, key.edition_id, key.public_key) for key in db.session.scalars(
        sa.select(BadgeKey).where(BadgeKey.edition_id == edition.id).order_by(BadgeKey.id))]
