"""Registration: the public form, email verification, self-service and the back office."""

from meetings.registration import manage_views, setup_views  # noqa: F401  (/manage pages on bp)
from meetings.registration.views import bp

__all__ = ["bp"]
