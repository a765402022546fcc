"""Attendance's answers to registration's back-office reads: workshop occupancy for the
dashboard, each registration's workshops for the exports (connected when imported)."""

from collections import defaultdict

import sqlalchemy as sa

from meetings.attendance.models import WorkshopSeat, WorkshopStatus
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.models import LIMITED_SEAT_TYPES, Session, SessionStatus
from meetings.registration import signals


@signals.workshop_occupancy.connect
def workshop_occupancy(edition_id: int) -> list[tuple[str, int, int | None, int]]:
    """(title, confirmed places, capacity, waiting) for every workshop of the edition."""
    counts = defaultdict(lambda: defaultdict(int))
    for session_id, status, count in db.session.execute(
            sa.select(WorkshopSeat.session_id, WorkshopSeat.status, sa.func.count(WorkshopSeat.id))
            .join(Session).where(Session.edition_id == edition_id)
            .group_by(WorkshopSeat.session_id, WorkshopSeat.status)):
        counts[session_id][status] += count
    sessions = db.session.scalars(sa.select(Session).where(
        Session.edition_id == edition_id, Session.type.in_(LIMITED_SEAT_TYPES),
        Session.capacity.is_not(None),
        Session.status != SessionStatus.CANCELLED)
        .order_by(Session.starts_at, Session.id)).all()
    return [(session.title, counts[session.id][WorkshopStatus.CONFIRMED], session.capacity,
             counts[session.id][WorkshopStatus.WAITLISTED]) for session in sessions]


@signals.workshop_choices.connect
def workshop_choices(edition_id: int) -> dict[int, list[str]]:
    """Each registration's workshops by title, waiting places marked."""
    choices: dict[int, list[str]] = defaultdict(list)
    for registration_id, status, title in db.session.execute(
            sa.select(WorkshopSeat.registration_id, WorkshopSeat.status, Session.title)
            .join(Session).where(Session.edition_id == edition_id)
            .order_by(Session.starts_at, Session.id)):
        waiting = status == WorkshopStatus.WAITLISTED
        choices[registration_id].append(_("%(title)s (waiting list)", title=title)
                                        if waiting else title)
    return dict(choices)
