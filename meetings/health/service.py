"""What /health reports: can this app host reach its database, and is mail going out."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from meetings.extensions import db
from meetings.mail.service import oldest_due_message

log = logging.getLogger("meetings.health")

# A due message still waiting after this long means no mail worker is delivering (a failing
# SMTP server is not this: each failed attempt moves the message's next attempt later).
MAIL_DELAY_LIMIT = timedelta(minutes=10)


@dataclass(frozen=True)
class Health:
    database_reachable: bool
    mail_delayed: bool = False

    @property
    def serving(self) -> bool:
        """This host can serve pages: what a load balancer needs to know."""
        return self.database_reachable

    def as_dict(self) -> dict:
        if not self.database_reachable:
            return {"status": "unavailable", "checks": {"database": "unreachable"}}
        return {"status": "degraded" if self.mail_delayed else "ok",
                "checks": {"database": "ok", "mail": "delayed" if self.mail_delayed else "ok"}}


def check(now: datetime) -> Health:
    """One query answers both: the database is reachable, and since when mail has waited."""
    try:
        waiting_since = oldest_due_message(now)
    except sa.exc.DBAPIError as error:
        db.session.rollback()
        reason = str(error.orig).strip().splitlines()[0] if error.orig else ""
        log.warning("Health check: database unreachable (%s: %s)",
                    type(error.orig or error).__name__, reason)
        return Health(database_reachable=False)
    return Health(database_reachable=True, mail_delayed=(
        waiting_since is not None and now - waiting_since > MAIL_DELAY_LIMIT))
