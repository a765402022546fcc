"""Manage-link tokens: random, shown once in an email, stored only as a SHA-256 hash."""

import secrets
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from meetings.extensions import db
from meetings.models import Edition
from meetings.registration.models import AccessToken, Registration
from meetings.registration.purge_date import purge_after
from meetings.secret_tokens import hash_token

TOKEN_LIFETIME = timedelta(days=400)


def issue_token(registration: Registration, now: datetime, *, retention_days: int) -> str:
    """Create a new manage link token (256 random bits); earlier links stay valid.

    It ends with the edition's retention (`retention_days` after the edition ends) at the latest.
    """
    token = secrets.token_urlsafe(32)
    expires_at = token_expiry(registration, now, retention_days)
    db.session.add(AccessToken(registration=registration, token_hash=hash_token(token),
                               created_at=now, expires_at=expires_at))
    return token


def token_expiry(registration: Registration, now: datetime, retention_days: int) -> datetime:
    """TOKEN_LIFETIME from now, but never past the day the edition's data may be purged."""
    edition = registration.edition or db.session.get(Edition, registration.edition_id)
    purge_day = purge_after(edition, retention_days)
    return min(now + TOKEN_LIFETIME, datetime.combine(purge_day, time(), tzinfo=UTC))


def registration_for_token(token: str, now: datetime) -> Registration | None:
    """The registration a valid, unexpired token opens (None for anything else)."""
    if not token or len(token) > 100:
        return None
    # One query: every page a link opens shows the edition and the category.
    registration = joinedload(AccessToken.registration)
    access = db.session.scalar(
        sa.select(AccessToken).where(AccessToken.token_hash == hash_token(token))
        .options(registration.joinedload(Registration.edition),
                 registration.joinedload(Registration.category))
    )
    if access is None or access.expires_at <= now:
        return None
    return access.registration


def registration_or_404(token: str, now: datetime) -> Registration:
    """The registration a manage link opens; any bad or expired token is a plain 404."""
    registration = registration_for_token(token, now)
    if registration is None:
        abort(404)
    return registration


def delete_tokens(registration: Registration) -> None:
    """Invalidate every link of a registration."""
    db.session.execute(sa.delete(AccessToken).where(AccessToken.registration_id == registration.id))
