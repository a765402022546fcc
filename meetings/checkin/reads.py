"""What door devices download and what the back office shows: roster, doors, counts, conflicts."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from meetings.agenda.visibility import PUBLIC, public_view
from meetings.attendance.models import WorkshopSeat, WorkshopStatus
from meetings.checkin.models import CheckIn, CheckKind
from meetings.dates import to_local
from meetings.extensions import db
from meetings.models import LIMITED_SEAT_TYPES, Edition, Session, SessionAccess, SessionStatus
from meetings.registration.models import LAW_ENFORCEMENT, Registration, RegistrationStatus


def roster(edition: Edition) -> list[dict]:
    """Only what a door needs of each approved registration: id, name, category, organization,
    and the access classes its badge carries (for someone who forgot it)."""
    people = db.session.scalars(
        sa.select(Registration).where(Registration.edition_id == edition.id,
                                      Registration.status == RegistrationStatus.APPROVED)
        .options(selectinload(Registration.category))
        .order_by(Registration.family_name, Registration.given_name, Registration.id)).all()
    seats: dict[int, list[int]] = {}
    for registration_id, session_id in db.session.execute(
            sa.select(WorkshopSeat.registration_id, WorkshopSeat.session_id)
            .join(Registration, Registration.id == WorkshopSeat.registration_id)
            .where(Registration.edition_id == edition.id,
                   WorkshopSeat.status == WorkshopStatus.CONFIRMED)
            .order_by(WorkshopSeat.session_id)):
        seats.setdefault(registration_id, []).append(session_id)
    return [{"id": p.id, "name": p.full_name, "category": p.category.name,
             "organization": p.organization,
             "law_enforcement": p.category.code == LAW_ENFORCEMENT,
             "workshops": seats.get(p.id, [])} for p in people]


def doors(edition: Edition) -> list[Session]:
    """The sessions a door can be set to: scheduled ones, in time order, with their rooms."""
    return list(db.session.scalars(
        sa.select(Session).where(Session.edition_id == edition.id,
                                 Session.status == SessionStatus.SCHEDULED)
        .options(selectinload(Session.room), selectinload(Session.edition))
        .order_by(Session.starts_at, Session.id)))


def door_of(session: Session) -> dict:
    """A session as a device needs it to apply the door rules offline.

    Door staff see a closed session as its public view (time, room, "Closed session"), like
    anyone who is not law enforcement: the access flag is all a door needs.
    """
    start = to_local(session.starts_at, session.edition.timezone).strftime("%d %b %H:%M")
    return {"id": session.id, "title": f"{start} {public_view(session, PUBLIC).title}",
            "room": session.room.name if session.room else "",
            "closed": session.access == SessionAccess.CLOSED,
            "workshop": session.type in LIMITED_SEAT_TYPES and session.capacity is not None}


@dataclass(frozen=True)
class Count:
    day: date
    kind: CheckKind
    place: str  # the session's title (and room) for a session door, else empty
    people: int
    scans: int
    refused: int


def counts(edition_id: int) -> list[Count]:
    """Admitted people and scans per day and place (desk, entry, each session door, exit)."""
    admitted = sa.case((CheckIn.admitted.is_(True), CheckIn.registration_id))
    rows = db.session.execute(
        sa.select(CheckIn.day, CheckIn.kind, Session.title, CheckIn.room,
                  sa.func.count(sa.distinct(admitted)),
                  sa.func.count(CheckIn.id).filter(CheckIn.admitted.is_(True)),
                  sa.func.count(CheckIn.id).filter(CheckIn.admitted.is_(False)))
        .outerjoin(Session, Session.id == CheckIn.session_id)
        .where(CheckIn.edition_id == edition_id)
        .group_by(CheckIn.day, CheckIn.kind, Session.title, CheckIn.room)
        .order_by(CheckIn.day, CheckIn.kind, Session.title)).all()
    return [Count(day, kind, " — ".join(p for p in (title, room) if p), people, scans, refused)
            for day, kind, title, room, people, scans, refused in rows]


def conflicts_of(edition_id: int) -> list[tuple[CheckIn, CheckIn, Registration | None]]:
    """Scans a device admitted offline that another scan had already used, with that scan."""
    first = aliased(CheckIn)
    rows = db.session.execute(
        sa.select(CheckIn, first, Registration)
        .join(first, first.id == CheckIn.conflict_with_id)
        .outerjoin(Registration, Registration.id == CheckIn.registration_id)
        .where(CheckIn.edition_id == edition_id)
        .options(selectinload(CheckIn.staff), selectinload(first.staff))
        .order_by(CheckIn.id.desc())).all()
    return [tuple(row) for row in rows]


def recent(edition_id: int, limit: int = 50) -> list[tuple[CheckIn, Registration | None]]:
    """The latest scans received, with the person they name."""
    return [tuple(row) for row in db.session.execute(
        sa.select(CheckIn, Registration)
        .outerjoin(Registration, Registration.id == CheckIn.registration_id)
        .where(CheckIn.edition_id == edition_id)
        .options(selectinload(CheckIn.staff), selectinload(CheckIn.session))
        .order_by(CheckIn.id.desc()).limit(limit)).all()]


def scans_of(edition_id: int) -> sa.Select:
    return sa.select(CheckIn).where(CheckIn.edition_id == edition_id).order_by(CheckIn.id)
