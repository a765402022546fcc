"""Single-use links that set a password: invitations from administrators and password resets.

Only a SHA-256 of each link's token is stored; a link works once, until it expires, and only for an
active account. Asking for a reset does the same work whether or not the address has an account.
"""

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import render_template

from meetings.accounts.models import AccountToken, TokenPurpose
from meetings.accounts.passwords import check_password_strength
from meetings.accounts.service import user_by_email, withdraw_links
from meetings.accounts.throttle import AccountThrottle
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.i18n import lazy_gettext as _l
from meetings.mail.service import queue_message
from meetings.models import User
from meetings.secret_tokens import hash_token

LIFETIMES = {
    TokenPurpose.INVITATION: timedelta(days=7),
    TokenPurpose.PASSWORD_RESET: timedelta(hours=1),
}
PATHS = {TokenPurpose.INVITATION: "invitation", TokenPurpose.PASSWORD_RESET: "password/reset"}


def issue_link(user: User, purpose: TokenPurpose, *, now: datetime, site_url: str) -> str:
    """A new link of this purpose for the user; earlier unused links of the account stop working."""
    withdraw_links(user, now=now)
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user=user, purpose=purpose, token_hash=hash_token(token),
                                created_at=now, expires_at=now + LIFETIMES[purpose]))
    db.session.flush()
    return f"{site_url.rstrip('/')}/{PATHS[purpose]}/{token}"


def send_invitation(user: User, *, invited_by: User, now: datetime, site_url: str) -> None:
    """Queue the invitation mail with a link to choose a password (valid for seven days)."""
    link = issue_link(user, TokenPurpose.INVITATION, now=now, site_url=site_url)
    subject = _("Your organizer account for the Global Meeting on AI for Law Enforcement")
    context = {"user": user, "link": link, "invited_by": invited_by.name or invited_by.email,
               "days": LIFETIMES[TokenPurpose.INVITATION].days, "subject": subject}
    queue_message(user.email, subject, render_template("mail/account_invitation.txt", **context),
                  render_template("mail/account_invitation.html", **context), now=now)


def request_password_reset(email: str, *, now: datetime, site_url: str) -> None:
    """Mail a reset link to an active account; for any other address do the same work, send nothing.

    Rendering and hashing happen either way so that the answer takes about as long.
    """
    user = user_by_email(email)
    subject = _("Set a new password")
    if user is not None and user.active:
        link = issue_link(user, TokenPurpose.PASSWORD_RESET, now=now, site_url=site_url)
    else:
        link = f"{site_url.rstrip('/')}/password/reset/{hash_token(secrets.token_urlsafe(32))}"
    context = {"user": user, "link": link, "subject": subject,
               "minutes": int(LIFETIMES[TokenPurpose.PASSWORD_RESET].total_seconds() // 60)}
    text = render_template("mail/account_reset.txt", **context)
    html = render_template("mail/account_reset.html", **context)
    if user is not None and user.active:
        queue_message(user.email, subject, text, html, now=now)


def usable_link(token: str, purpose: TokenPurpose, *, now: datetime) -> AccountToken | None:
    """The unused, unexpired link of this purpose for an active account, else None."""
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(sa.select(AccountToken).where(
        AccountToken.token_hash == hash_token(token), AccountToken.purpose == purpose))
    if link is None or not link.usable(now) or not link.user.active:
        return None
    return link


def set_password_with_link(token: str, purpose: TokenPurpose, password: str, *,
                           now: datetime, throttle: AccountThrottle) -> User:
    """Use a link once: set the password, end every session, withdraw the account's other links."""
    link = usable_link(token, purpose, now=now)
    if link is None:
        raise DomainError(_l("This link has expired or was already used."))
    user = link.user
    check_password_strength(password, user_inputs=(user.email, user.name))
    # Claim the link in one statement, so two requests with the same link cannot both use it.
    claimed = db.session.execute(
        sa.update(AccountToken).where(AccountToken.id == link.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if claimed != 1:
        raise DomainError(_l("This link has expired or was already used."))
    withdraw_links(user, now=now)
    user.set_password(password)
    throttle.clear(user.email)  # whoever locked the account out, its owner is back in
    db.session.flush()
    return user
