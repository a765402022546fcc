"""Accounts: authenticate organizers, create them and assign them to editions."""

import sqlalchemy as sa

from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.models import Edition, User

MIN_PASSWORD_LENGTH = 10


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the active user with this id."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, else None (same answer for either mistake)."""
    user = user_by_email(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def create_user(email: str, password: str, *, name: str = "", is_admin: bool = False) -> User:
    """Create an organizer (or admin); emails are unique, passwords at least 10 characters."""
    email = normalize_email(email)
    if user_by_email(email) is not None:
        raise DomainError(_l("An account with this email already exists."), field="email")
    check_password_strength(password)
    user = User(email=email, name=name.strip(), is_admin=is_admin)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(
            _l("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH), field="password"
        )


def update_user(user: User, *, name: str, is_admin: bool, active: bool,
                editions: list[Edition], password: str = "") -> User:
    """Change an organizer's name, role, editions and (optionally) password."""
    user.name = name.strip()
    user.is_admin = is_admin
    user.active = active
    user.editions = editions
    if password:
        check_password_strength(password)
        user.set_password(password)
    db.session.flush()
    return user


def users_by_email() -> sa.Select:
    return sa.select(User).order_by(User.email)
