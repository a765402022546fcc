"""Workshops and side events with a capacity: approved attendees choose them, never oversold."""

from datetime import datetime

import sqlalchemy as sa

from meetings.attendance.agenda_choices import may_see, sees_closed_details
from meetings.attendance.models import WorkshopSeat, WorkshopStatus
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.mail_site import MailSite
from meetings.models import LIMITED_SEAT_TYPES, Session, SessionAccess, SessionStatus
from meetings.registration.models import Registration, RegistrationEvent, RegistrationStatus
from meetings.registration.notify import send_registration_mail
from meetings.registration.seats import lock_edition


def choosable_sessions(registration: Registration) -> sa.Select:
    """Workshops open for choice that the attendee may see, and those they hold a place in."""
    open_for_choice = sa.and_(Session.type.in_(LIMITED_SEAT_TYPES), Session.capacity.is_not(None),
                              Session.status == SessionStatus.SCHEDULED)
    chosen = sa.select(WorkshopSeat.session_id).where(
        WorkshopSeat.registration_id == registration.id)
    query = (sa.select(Session)
             .where(Session.edition_id == registration.edition_id,
                    sa.or_(open_for_choice, Session.id.in_(chosen.scalar_subquery())))
             .order_by(Session.starts_at, Session.title))
    if not sees_closed_details(registration):
        query = query.where(Session.access != SessionAccess.CLOSED)
    return query


def confirmed_count(session_id: int) -> int:
    """Confirmed places in a workshop."""
    return db.session.scalar(sa.select(sa.func.count(WorkshopSeat.id)).where(
        WorkshopSeat.session_id == session_id,
        WorkshopSeat.status == WorkshopStatus.CONFIRMED)) or 0


def seat_counts(edition_id: int) -> dict[int, int]:
    """Confirmed places per workshop of an edition (for display)."""
    rows = db.session.execute(
        sa.select(WorkshopSeat.session_id, sa.func.count(WorkshopSeat.id))
        .join(Session, Session.id == WorkshopSeat.session_id)
        .where(Session.edition_id == edition_id, WorkshopSeat.status == WorkshopStatus.CONFIRMED)
        .group_by(WorkshopSeat.session_id))
    return dict(rows.all())


def choose(registration: Registration, session: Session, *, now: datetime) -> WorkshopSeat:
    """Take a place in a workshop, or a place on its waiting list when it is full."""
    lock_edition(registration.edition_id)
    db.session.refresh(registration)
    check_choosable(registration, session)
    status = (WorkshopStatus.CONFIRMED if confirmed_count(session.id) < session.capacity
              else WorkshopStatus.WAITLISTED)
    seat = WorkshopSeat(registration=registration, session=session, status=status, created_at=now)
    db.session.add(seat)
    registration.history.append(RegistrationEvent(
        at=now, actor="attendee", note=f"workshop “{session.title}” chosen ({status.value})"))
    db.session.flush()
    return seat


def check_choosable(registration: Registration, session: Session) -> None:
    """Refuse sessions that are not open for choice, chosen already, or overlapping a choice."""
    if registration.status != RegistrationStatus.APPROVED:
        raise DomainError(_l("Workshops can be chosen once your registration is approved."))
    if (session.edition_id != registration.edition_id or session.capacity is None
            or session.is_cancelled or session.type not in LIMITED_SEAT_TYPES):
        raise DomainError(_l("This session cannot be chosen."))
    if not may_see(registration, session):
        raise DomainError(_l("This closed session is open to law-enforcement participants only."))
    for seat in registration.workshops:
        if seat.session_id == session.id:
            raise DomainError(_l("You have already chosen this session."))
        if seat.session.overlaps(session):
            raise DomainError(_l("This session overlaps “%(title)s”, which you have already "
                                 "chosen.", title=seat.session.title))


def leave(registration: Registration, session: Session, *, now: datetime,
          site: MailSite) -> list[WorkshopSeat]:
    """Give up a workshop place; the first on its waiting list gets it."""
    lock_edition(registration.edition_id)
    seat = db.session.scalar(sa.select(WorkshopSeat).where(
        WorkshopSeat.registration_id == registration.id, WorkshopSeat.session_id == session.id))
    if seat is None:
        raise DomainError(_l("You have not chosen this session."))
    registration.workshops.remove(seat)
    registration.history.append(RegistrationEvent(
        at=now, actor="attendee", note=f"workshop “{session.title}” left"))
    db.session.flush()
    return promote_workshop(session, now=now, site=site)


def promote_workshop(session: Session, *, now: datetime, site: MailSite) -> list[WorkshopSeat]:
    """Fill free places of a workshop from its waiting list in arrival order (under the lock)."""
    promoted = []
    waiting_query = (sa.select(WorkshopSeat)
                     .where(WorkshopSeat.session_id == session.id,
                            WorkshopSeat.status == WorkshopStatus.WAITLISTED)
                     .order_by(WorkshopSeat.id))
    if session.capacity is not None:  # no capacity (seats cleared): every place is free
        free = session.capacity - confirmed_count(session.id)
        if free <= 0:
            return promoted
        waiting_query = waiting_query.limit(free)
    waiting = db.session.scalars(waiting_query).all()
    for seat in waiting:
        seat.status = WorkshopStatus.CONFIRMED
        promoted.append(seat)
    db.session.flush()
    for seat in promoted:
        send_registration_mail(seat.registration, "workshop", now=now, site=site,
                               detail=session.title)
    return promoted


def release_all(registration: Registration, *, now: datetime, site: MailSite) -> None:
    """Free every workshop place of a registration that no longer attends (lock held)."""
    sessions = [seat.session for seat in registration.workshops]
    registration.workshops.clear()
    db.session.flush()
    for session in sessions:
        promote_workshop(session, now=now, site=site)
