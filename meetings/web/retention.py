"""How long an edition's registrations are kept, for links that must stop working by then.

Like `site_url()`, read here from the configuration: the mail builders that issue manage links
call `registration_retention_days()` and pass the value on to the token service.
"""

from flask import current_app


def registration_retention_days() -> int:
    """REGISTRATION_RETENTION_DAYS: days after an edition ends before its registrations go."""
    return current_app.config["REGISTRATION_RETENTION_DAYS"]
