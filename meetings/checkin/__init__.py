"""Check-in: door-staff devices scan badges (or find people by name) at the desk, the entry,
session doors and the exit, online or offline; the server counts each scan once and reports
conflicts. Built on badges (verification) and registration, which it hears through signals."""

from meetings.checkin import api_views, manage_views, receivers, views  # noqa: F401  (routes)
from meetings.checkin.blueprint import bp

__all__ = ["bp"]
