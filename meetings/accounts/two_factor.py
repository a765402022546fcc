"""TOTP second factor: enrolment with a QR code, codes at login, single-use recovery codes."""

import hmac
import re
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa

from meetings.accounts.models import RecoveryCode, SiteSetting
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.models import User
from meetings.secret_tokens import hash_token

ISSUER = "Global Meeting on AI for Law Enforcement"
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
REQUIRE_SETTING = "require_two_factor"


def begin_enrolment(user: User) -> str:
    """Give the account a new, unconfirmed TOTP secret (refused while one is in use)."""
    if user.totp_enabled:
        raise DomainError(_l("Two-factor authentication is already on for this account."))
    user.totp_secret = pyotp.random_base32()
    user.totp_last_counter = None
    db.session.flush()
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    """The otpauth:// address the authenticator app reads from the QR code."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """The QR code as a data: SVG image (the page needs no script and no other origin)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def confirm_enrolment(user: User, code: str, *, now: datetime) -> list[str]:
    """Turn two-factor on once the app shows a valid code; returns new recovery codes."""
    if user.totp_enabled or not user.totp_secret:
        raise DomainError(_l("Start the set-up again."), field="code")
    if not accept_totp(user, code, now=now):
        raise DomainError(_l("That code is not right. Check the time on your phone and try "
                             "again with the newest code."), field="code")
    user.totp_enabled = True
    return replace_recovery_codes(user)


def accept_totp(user: User, code: str, *, now: datetime) -> bool:
    """True for a current code (±30 s) that was not used before; a used code never works again."""
    code = re.sub(r"\s", "", code or "")
    if not user.totp_secret or not re.fullmatch(r"\d{6}", code):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(now)
    for counter in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(counter), code):
            return claim_counter(user, counter)
    return False


def claim_counter(user: User, counter: int) -> bool:
    """Record the time step as used, in one statement, so two requests cannot both use it."""
    claimed = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.totp_last_counter.is_(None),
                                          User.totp_last_counter < counter))
        .values(totp_last_counter=counter)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed == 1:
        user.totp_last_counter = counter
    return claimed == 1


def normalize_recovery_code(code: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (code or "").lower())


def recovery_hash(code: str) -> str:
    return hash_token(normalize_recovery_code(code))


def replace_recovery_codes(user: User) -> list[str]:
    """New recovery codes (80 random bits each, shown once); the old ones stop working."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=recovery_hash(code))
                       for code in codes)
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str, *, now: datetime) -> bool:
    """True once for each unused recovery code of the account."""
    if len(normalize_recovery_code(code)) != 16:
        return False
    return db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == recovery_hash(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=now)
    ).rowcount == 1


def verify_second_factor(user: User, code: str, *, now: datetime) -> str | None:
    """How the code opens the login ("authenticator code" or "recovery code"), else None."""
    if accept_totp(user, code, now=now):
        return "authenticator code"
    if use_recovery_code(user, code, now=now):
        return "recovery code"
    return None


def recovery_codes_left(user: User) -> int:
    """How many unused recovery codes the account has."""
    return db.session.scalar(sa.select(sa.func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def turn_off(user: User) -> None:
    """Remove the second factor (the owner with a code, or an administrator for a lost phone)."""
    user.totp_enabled = False
    user.totp_secret = None
    user.totp_last_counter = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def two_factor_required() -> bool:
    """Whether administrators require two-factor authentication for every account."""
    setting = db.session.get(SiteSetting, REQUIRE_SETTING)
    return setting is not None and setting.value == "1"


def require_two_factor(required: bool) -> None:
    """Switch the site-wide requirement on or off."""
    setting = db.session.get(SiteSetting, REQUIRE_SETTING) or SiteSetting(name=REQUIRE_SETTING)
    setting.value = "1" if required else "0"
    db.session.add(setting)
    db.session.flush()
