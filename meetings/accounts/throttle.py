"""A limit on failed logins per account, kept in the rate limiter's storage (Redis in production).

The per-address limit alone lets a botnet try one account from many addresses; this one counts
failures for the account, whoever sends them. The key is a hash of the address, so the storage never
holds email addresses, and the same count exists for addresses that have no account.

The settings are read once, when the app starts (`AccountThrottle.from_config`); views hand the
result to the services that check a password or a code.
"""

import hashlib
from dataclasses import dataclass

from limits import RateLimitItem, parse

from meetings.config import ConfigurationError
from meetings.extensions import limiter

NAMESPACE = "login-account"


@dataclass(frozen=True)
class AccountThrottle:
    """How many failures an account may have per window; `limit` None counts nothing."""

    limit: RateLimitItem | None
    prefix: str = ""

    @classmethod
    def from_config(cls, config) -> "AccountThrottle":
        """The throttle the settings ask for; a bad LOGIN_ACCOUNT_LIMIT stops the app, named."""
        text = config.get("LOGIN_ACCOUNT_LIMIT", "")
        try:
            limit = parse(text)
        except ValueError:
            raise ConfigurationError(
                f"LOGIN_ACCOUNT_LIMIT={text!r} is not a rate limit such as '10 per 15 minutes'"
            ) from None
        enabled = bool(config.get("RATELIMIT_ENABLED", True))
        return cls(limit if enabled else None, config.get("RATELIMIT_KEY_PREFIX") or "")

    def key(self, email: str) -> str:
        digest = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
        return f"{self.prefix}{digest}"

    def locked(self, email: str) -> bool:
        """True when this account has used up its failed attempts for the current window."""
        return self.limit is not None and not limiter.limiter.test(
            self.limit, NAMESPACE, self.key(email))

    def count_failure(self, email: str) -> None:
        """Count one failed password or code for this account."""
        if self.limit is not None:
            limiter.limiter.hit(self.limit, NAMESPACE, self.key(email))

    def clear(self, email: str) -> None:
        """Forget the failures after a successful login."""
        if self.limit is not None:
            limiter.limiter.clear(self.limit, NAMESPACE, self.key(email))
