"""The attendee's own agenda: sessions they chose, and what they are entitled to see of them.

Entitlements (the personal feed and the change emails follow the same rule):
- only sessions the attendee chose appear: a confirmed seat in a workshop or side event, or a
  session they put on their personal agenda;
- a closed session's title, description, speakers and link appear only to attendees whose
  registration category is law enforcement (code "law_enforcement"); everyone else sees it as
  "Closed session" with its time and room, as in the public feeds, and cannot add closed
  sessions to their agenda;
- an online-participation link appears only in a virtual or hybrid edition, and only on a
  session whose details the attendee may see.
"""

from datetime import datetime

import sqlalchemy as sa

from meetings.agenda.visibility import Viewer, shown_to, withholds
from meetings.attendance.models import AgendaChoice, WorkshopSeat, WorkshopStatus
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.models import LIMITED_SEAT_TYPES, EditionFormat, Session, SessionStatus
from meetings.registration.models import (
    LAW_ENFORCEMENT,
    Registration,
    RegistrationEvent,
    RegistrationStatus,
)

ONLINE_FORMATS = (EditionFormat.VIRTUAL, EditionFormat.HYBRID)


def viewer_of(registration: Registration) -> Viewer:
    """What the attendee is entitled to see (meetings/agenda/visibility.py applies it)."""
    return Viewer(sees_closed=sees_closed_details(registration),
                  online_links=gets_online_links(registration))


def sees_closed_details(registration: Registration) -> bool:
    """Law-enforcement attendees see what closed sessions are about."""
    return registration.category is not None and registration.category.code == LAW_ENFORCEMENT


def gets_online_links(registration: Registration) -> bool:
    """Online links go to attendees of virtual and hybrid editions."""
    return registration.edition.format in ONLINE_FORMATS


def may_see(registration: Registration, session: Session) -> bool:
    """Whether the attendee may see this session's details."""
    return not withholds(session.access, viewer_of(registration))


def seat_session_ids(registration_id: int) -> sa.Select:
    """Ids of the sessions in which the attendee holds a confirmed seat."""
    return sa.select(WorkshopSeat.session_id).where(
        WorkshopSeat.registration_id == registration_id,
        WorkshopSeat.status == WorkshopStatus.CONFIRMED)


def agenda_session_ids(registration_id: int) -> sa.Select:
    """Ids of the sessions on the attendee's personal agenda."""
    return sa.select(AgendaChoice.session_id).where(
        AgendaChoice.registration_id == registration_id)


def chosen_sessions(registration: Registration) -> sa.Select:
    """Every session the attendee chose (seat or agenda), in time order."""
    ids = seat_session_ids(registration.id).union(agenda_session_ids(registration.id))
    return (sa.select(Session).where(Session.id.in_(ids.scalar_subquery()))
            .order_by(Session.starts_at, Session.id))


def choices_fingerprint(registration: Registration) -> list[tuple[int, str]]:
    """The attendee's choices as sorted (session id, kind) pairs: part of the feed's version."""
    seats = [(sid, "seat") for sid in db.session.scalars(seat_session_ids(registration.id))]
    agenda = [(sid, "agenda") for sid in db.session.scalars(agenda_session_ids(registration.id))]
    return sorted(seats + agenda)


def agenda_candidates(registration: Registration) -> sa.Select:
    """Scheduled sessions the attendee may still add (the rules of `check_addable`)."""
    query = (sa.select(Session)
             .where(Session.edition_id == registration.edition_id,
                    Session.status == SessionStatus.SCHEDULED,
                    Session.id.not_in(agenda_session_ids(registration.id).scalar_subquery()),
                    sa.or_(Session.capacity.is_(None), Session.type.not_in(LIMITED_SEAT_TYPES)))
             .where(shown_to(viewer_of(registration)))
             .order_by(Session.starts_at, Session.id))
    return query


def check_addable(registration: Registration, session: Session) -> None:
    """Refuse sessions the attendee may not put on their agenda."""
    if registration.status != RegistrationStatus.APPROVED:
        raise DomainError(_l("Your agenda opens once your registration is approved."))
    if (session.edition_id != registration.edition_id or session.is_cancelled
            or not may_see(registration, session)):
        raise DomainError(_l("This session cannot be added to your agenda."))
    if session.capacity is not None and session.type in LIMITED_SEAT_TYPES:
        raise DomainError(_l("This session has limited places: choose it under “Workshops "
                             "and side events”."))


def add_to_agenda(registration: Registration, session: Session, *, now: datetime) -> AgendaChoice:
    """Put a session on the attendee's personal agenda."""
    check_addable(registration, session)
    existing = db.session.scalar(sa.select(AgendaChoice).where(
        AgendaChoice.registration_id == registration.id, AgendaChoice.session_id == session.id))
    if existing is not None:
        return existing
    choice = AgendaChoice(registration_id=registration.id, session_id=session.id, created_at=now)
    db.session.add(choice)
    registration.history.append(RegistrationEvent(
        at=now, actor="attendee", note=f"session “{session.title}” added to agenda"))
    db.session.flush()
    return choice


def remove_from_agenda(registration: Registration, session: Session, *, now: datetime) -> None:
    """Take a session off the attendee's personal agenda."""
    deleted = db.session.execute(sa.delete(AgendaChoice).where(
        AgendaChoice.registration_id == registration.id, AgendaChoice.session_id == session.id))
    if not deleted.rowcount:
        raise DomainError(_l("This session is not on your agenda."))
    registration.history.append(RegistrationEvent(
        at=now, actor="attendee", note=f"session “{session.title}” removed from agenda"))
    db.session.flush()


def attendees_of(session_ids: list[int]) -> sa.Select:
    """(registration, session id) for approved attendees who chose any of these sessions."""
    seats = sa.select(WorkshopSeat.registration_id, WorkshopSeat.session_id).where(
        WorkshopSeat.session_id.in_(session_ids), WorkshopSeat.status == WorkshopStatus.CONFIRMED)
    agenda = sa.select(AgendaChoice.registration_id, AgendaChoice.session_id).where(
        AgendaChoice.session_id.in_(session_ids))
    chosen = seats.union(agenda).subquery()
    return (sa.select(Registration, chosen.c.session_id)
            .join(chosen, chosen.c.registration_id == Registration.id)
            .where(Registration.status == RegistrationStatus.APPROVED,
                   Registration.email.is_not(None))
            .order_by(Registration.id, chosen.c.session_id))


def forget_choices(registration: Registration) -> None:
    """Drop the attendee's agenda (on erasure)."""
    db.session.execute(sa.delete(AgendaChoice).where(
        AgendaChoice.registration_id == registration.id))
