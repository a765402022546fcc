"""Personal calendar-feed addresses: separate from manage links, unguessable, resettable.

A feed address grants nothing but the feed (it gets pasted into third-party calendar services).
The token is HMAC-SHA256(key, registration id and a random nonce), 256 bits; the database keeps
the nonce and the token's SHA-256, looked up by hash and compared in constant time.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa

from meetings.attendance.models import PersonalFeed
from meetings.database import insert_on_conflict
from meetings.extensions import db
from meetings.registration.models import Registration, RegistrationStatus
from meetings.secret_tokens import hash_token


def derive_token(registration_id: int, nonce: str, key: bytes) -> str:
    """The feed token for a registration and nonce under the server key (43 URL-safe chars)."""
    message = f"personal-feed:{registration_id}:{nonce}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def feed_token(registration: Registration, key: bytes, now: datetime) -> str:
    """The attendee's current feed token, created on first use."""
    feed = db.session.scalar(sa.select(PersonalFeed).where(
        PersonalFeed.registration_id == registration.id))
    if feed is None:
        feed = create_feed(registration, key, now)
    token = derive_token(registration.id, feed.nonce, key)
    if not hmac.compare_digest(feed.token_hash, hash_token(token)):
        feed.token_hash = hash_token(token)  # the server key changed: the old address ends
        db.session.flush()
    return token


def existing_feed_token(registration: Registration, key: bytes) -> str | None:
    """The attendee's feed token if the address exists and holds under this key (reads only)."""
    feed = db.session.scalar(sa.select(PersonalFeed).where(
        PersonalFeed.registration_id == registration.id))
    if feed is None:
        return None
    token = derive_token(registration.id, feed.nonce, key)
    return token if hmac.compare_digest(feed.token_hash, hash_token(token)) else None


def create_feed(registration: Registration, key: bytes, now: datetime) -> PersonalFeed:
    """Insert the feed row; a concurrent request creating the same row wins harmlessly."""
    nonce = secrets.token_urlsafe(16)
    values = dict(registration_id=registration.id, nonce=nonce, created_at=now,
                  token_hash=hash_token(derive_token(registration.id, nonce, key)))
    db.session.execute(insert_on_conflict(PersonalFeed).values(**values).on_conflict_do_nothing(
        index_elements=[PersonalFeed.registration_id]))
    return db.session.scalar(sa.select(PersonalFeed).where(
        PersonalFeed.registration_id == registration.id))


def reset_feed_token(registration: Registration, key: bytes, now: datetime) -> str:
    """Give the attendee a new feed address; the old one answers 404 from now on."""
    feed_token(registration, key, now)
    feed = db.session.scalar(sa.select(PersonalFeed).where(
        PersonalFeed.registration_id == registration.id))
    feed.nonce = secrets.token_urlsafe(16)
    token = derive_token(registration.id, feed.nonce, key)
    feed.token_hash = hash_token(token)
    feed.created_at = now
    db.session.flush()
    return token


def registration_for_feed_token(token: str) -> Registration | None:
    """The approved, public registration a feed token belongs to (None for anything else)."""
    if not token or len(token) > 100:
        return None
    digest = hash_token(token)
    feed = db.session.scalar(sa.select(PersonalFeed).where(PersonalFeed.token_hash == digest))
    if feed is None or not hmac.compare_digest(feed.token_hash, digest):
        return None
    registration = feed.registration
    if (registration.status != RegistrationStatus.APPROVED
            or not registration.edition.is_public):
        return None
    return registration


def forget_feed(registration: Registration) -> None:
    """Delete the attendee's feed address (on erasure)."""
    db.session.execute(sa.delete(PersonalFeed).where(
        PersonalFeed.registration_id == registration.id))
