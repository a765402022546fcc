"""Accounts: authenticate organizers, invite them, change passwords, assign them to editions."""

import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa

from meetings.accounts import two_factor
from meetings.accounts.models import AccountToken
from meetings.accounts.passwords import check_password_strength, password_matches
from meetings.accounts.throttle import AccountThrottle
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.models import Edition, User, id_number

TOO_MANY_FAILURES = _l("Too many failed attempts for this account. Wait a few minutes and try "
                       "again, or use “Forgot your password?”.")


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the active user whose id and current session token these are."""
    row_id, _, token = (user_id or "").partition(":")
    try:
        user = db.session.get(User, id_number(row_id)) if token else None
    except ValueError:  # not an id any row can have
        return None
    if user is None or not user.active:
        return None
    return user if hmac.compare_digest(user.session_token.encode(), token.encode()) else None


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def authenticate(email: str, password: str, *, throttle: AccountThrottle) -> User:
    """The active user with this email and password, else a DomainError (the same for either).

    Unknown addresses cost the same password-hash work; failures count against the account.
    """
    if throttle.locked(email):
        raise DomainError(TOO_MANY_FAILURES, field="password")
    user = user_by_email(email)
    if not password_matches(user, password) or not user.active:
        throttle.count_failure(email)
        raise DomainError(_l("Wrong email or password."), field="password")
    return user


def verify_login_code(user: User, code: str, *, now: datetime, throttle: AccountThrottle
                      ) -> str:
    """Check the second factor after the password; returns how (for the security log)."""
    if throttle.locked(user.email):
        raise DomainError(TOO_MANY_FAILURES, field="code")
    method = two_factor.verify_second_factor(user, code, now=now)
    if method is None:
        throttle.count_failure(user.email)
        raise DomainError(_l("That code is not right, or it was used already. Wait for the next "
                             "code from your app."), field="code")
    return method


def create_user(email: str, password: str, *, name: str = "", is_admin: bool = False) -> User:
    """Create an account with a password (command line and demo); emails are unique."""
    email = normalize_email(email)
    if user_by_email(email) is not None:
        raise DomainError(_l("An account with this email already exists."), field="email")
    check_password_strength(password, user_inputs=(email, name))
    user = User(email=email, name=name.strip(), is_admin=is_admin)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def invite_user(email: str, *, name: str, is_admin: bool, active: bool,
                editions: list[Edition]) -> User:
    """Create an account that has no usable password until the invitation link sets one."""
    email = normalize_email(email)
    if user_by_email(email) is not None:
        raise DomainError(_l("An account with this email already exists."), field="email")
    user = User(email=email, name=name.strip(), is_admin=is_admin, active=active,
                editions=editions)
    # Nobody knows this password: the account opens only through the link in the invitation.
    user.set_password(secrets.token_urlsafe(32))
    db.session.add(user)
    db.session.flush()
    return user


def withdraw_links(user: User, *, now: datetime) -> None:
    """Mark every unused link of the account as used (a newer link or password replaces it)."""
    db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
    )


def update_user(user: User, *, name: str, is_admin: bool, active: bool,
                editions: list[Edition], now: datetime) -> User:
    """Change an organizer's name, role, editions and status; disabling ends their sessions
    and withdraws their unused links (they would work again on reactivation)."""
    if user.active and not active:
        user.end_sessions()
        withdraw_links(user, now=now)
    user.name = name.strip()
    user.is_admin = is_admin
    user.active = active
    user.editions = editions
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str, *, now: datetime,
                    throttle: AccountThrottle) -> None:
    """Set a new password after checking the current one; every session and unused reset or
    invitation link of the account ends."""
    if throttle.locked(user.email):
        raise DomainError(TOO_MANY_FAILURES, field="current_password")
    if not password_matches(user, current):
        throttle.count_failure(user.email)
        raise DomainError(_l("This is not your current password."), field="current_password")
    if hmac.compare_digest(current.encode(), new.encode()):
        raise DomainError(_l("Choose a password different from the current one."),
                          field="new_password")
    check_password_strength(new, user_inputs=(user.email, user.name), field="new_password")
    user.set_password(new)
    withdraw_links(user, now=now)
    db.session.flush()


def log_out_everywhere(user: User) -> None:
    """End every session of the account (called on logout)."""
    user.end_sessions()
    db.session.flush()


def users_by_email() -> sa.Select:
    return sa.select(User).order_by(User.email)


def selected_editions(ids: list[int] | None) -> list[Edition]:
    """The editions with these ids."""
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Edition).where(Edition.id.in_(ids))))


def check_own_code(user: User, code: str, *, now: datetime, throttle: AccountThrottle,
                   field: str = "code") -> None:
    """A current authenticator code from the signed-in owner (failures count like logins)."""
    if throttle.locked(user.email):
        raise DomainError(TOO_MANY_FAILURES, field=field)
    if not two_factor.accept_totp(user, code, now=now):
        throttle.count_failure(user.email)
        raise DomainError(_l("That code is not right, or it was used already. Wait for the next "
                             "code from your app."), field=field)


def new_recovery_codes(user: User, code: str, *, now: datetime, throttle: AccountThrottle
                       ) -> list[str]:
    """Replace the recovery codes, after a current authenticator code."""
    if not user.totp_enabled:
        raise DomainError(_l("Two-factor authentication is off for this account."), field="code")
    check_own_code(user, code, now=now, throttle=throttle)
    return two_factor.replace_recovery_codes(user)


def start_two_factor(user: User, password: str, *, throttle: AccountThrottle) -> None:
    """Begin setting up an authenticator app; the password is asked again, so a stolen
    session alone cannot tie the account to someone else's phone."""
    if throttle.locked(user.email):
        raise DomainError(TOO_MANY_FAILURES, field="password")
    if not password_matches(user, password):
        throttle.count_failure(user.email)
        raise DomainError(_l("This is not your current password."), field="password")
    two_factor.begin_enrolment(user)


def turn_off_two_factor(user: User, password: str, code: str, *, now: datetime,
                        throttle: AccountThrottle) -> None:
    """The owner turns two-factor off with their password and a code, unless it is required."""
    if two_factor.two_factor_required():
        raise DomainError(_l("Administrators require two-factor authentication for every "
                             "account, so it cannot be turned off."), field="code")
    if not user.totp_enabled:
        raise DomainError(_l("Two-factor authentication is off for this account."), field="code")
    if throttle.locked(user.email):
        raise DomainError(TOO_MANY_FAILURES, field="password")
    if not password_matches(user, password):
        throttle.count_failure(user.email)
        raise DomainError(_l("This is not your current password."), field="password")
    check_own_code(user, code, now=now, throttle=throttle)
    two_factor.turn_off(user)


def reset_two_factor(user: User, *, now: datetime) -> None:
    """An administrator removes a lost second factor; the account's sessions and links end."""
    two_factor.turn_off(user)
    user.end_sessions()
    withdraw_links(user, now=now)
    db.session.flush()
