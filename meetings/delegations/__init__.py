"""Delegations and focal points: organizations nominate and endorse their people through focal
points designated by organizers; organizers see each delegation's progress and the coverage of
countries. The organizations, quotas and endorsement rule live in registration (seat decisions
need them under the edition lock); this package owns focal points and their pages."""

from meetings.delegations import manage_views, receivers, views  # noqa: F401  (pages on bp)
from meetings.delegations.blueprint import bp

__all__ = ["bp"]
