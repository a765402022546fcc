"""Attendance's answers to registration's signals (connected when the package is imported)."""

from datetime import datetime

from meetings.attendance import agenda_choices, feed_tokens, workshops
from meetings.attendance.views import personal_context
from meetings.extensions import db
from meetings.registration import signals
from meetings.registration.models import Registration


@signals.leaving.connect
def free_workshop_places(registration: Registration, *, now: datetime) -> None:
    """A registration gives up its seat: its workshop places go to the next in line."""
    workshops.release_all(registration, now=now)


@signals.erasing.connect
def forget_own_agenda(registration: Registration) -> None:
    """Erasure: the feed address, the personal agenda and any workshop places go."""
    feed_tokens.forget_feed(registration)
    agenda_choices.forget_choices(registration)
    registration.workshops.clear()
    db.session.flush()


@signals.manage_page.connect
def manage_page_part(registration: Registration, *, token: str) -> dict:
    return personal_context(registration)
