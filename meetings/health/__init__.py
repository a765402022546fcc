"""/health: whether this app host can serve pages, for load balancers and monitoring."""

from meetings.health import views  # noqa: F401  (their pages are on bp)
from meetings.health.blueprint import bp

__all__ = ["bp"]
