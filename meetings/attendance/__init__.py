"""Attendance: an approved attendee's workshops, personal agenda and calendar address, and the
mails that tell them when their agenda changes. Built on registration, which it hears through
signals (receivers.py)."""

from meetings.attendance import (  # noqa: F401  (pages on bp; receivers)
    change_views,
    receivers,
    report_receivers,
    views,
)
from meetings.attendance.blueprint import bp

__all__ = ["bp"]
