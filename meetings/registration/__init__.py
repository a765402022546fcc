"""Registration: the public form, email verification, self-service and the back office."""

from meetings.registration import (  # noqa: F401  (more pages on bp)
    change_views,
    manage_views,
    personal_views,
    setup_views,
)
from meetings.registration.views import bp

__all__ = ["bp"]
