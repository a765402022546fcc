"""Delegations' answers to registration's signals (connected when the package is imported)."""

from meetings.registration import signals
from meetings.registration.models import Registration


@signals.manage_page.connect
def manage_page_part(registration: Registration, *, token: str) -> dict:
    """The attendee sees the delegation they belong to and whether its focal point endorsed
    them (the secretariat decides after the focal point)."""
    if registration.delegation is None:
        return {}
    return {"page_sections": ["delegations/_manage_section.html"]}
