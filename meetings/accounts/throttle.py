"""A limit on failed logins per account, kept in the rate limiter's storage (Redis in production).

The per-address limit alone lets a botnet try one account from many addresses; this one counts
failures for the account, whoever sends them. The key is a hash of the address, so the storage never
holds email addresses, and the same count exists for addresses that have no account.
"""

import hashlib

from flask import current_app
from limits import parse

from meetings.config import ConfigurationError
from meetings.extensions import limiter

NAMESPACE = "login-account"


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _limit():
    return parse(current_app.config["LOGIN_ACCOUNT_LIMIT"])


def _key(email: str) -> str:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    digest = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
    return f"{prefix}{digest}"


def account_locked(email: str) -> bool:
    """True when this account has used up its failed attempts for the current window."""
    return _enabled() and not limiter.limiter.test(_limit(), NAMESPACE, _key(email))


def count_failure(email: str) -> None:
    """Count one failed password or code for this account."""
    if _enabled():
        limiter.limiter.hit(_limit(), NAMESPACE, _key(email))


def clear_failures(email: str) -> None:
    """Forget the failures after a successful login."""
    if _enabled():
        limiter.limiter.clear(_limit(), NAMESPACE, _key(email))


def check_setting(config) -> None:
    """Stop the app at start-up, naming the variable, when the limit does not parse."""
    text = config.get("LOGIN_ACCOUNT_LIMIT", "")
    try:
        parse(text)
    except ValueError:
        raise ConfigurationError(
            f"LOGIN_ACCOUNT_LIMIT={text!r} is not a rate limit such as '10 per 15 minutes'"
        ) from None
