"""Registration: the public form, email verification, self-service, setup and the back office."""

from meetings.registration import (  # noqa: F401  (pages on bp; receivers)
    configuration_views,
    manage_views,
    privacy_views,
    receivers,
    views,
)
from meetings.registration.blueprint import bp

__all__ = ["bp"]
