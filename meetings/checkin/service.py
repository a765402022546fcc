"""Check-in rules: who a scan names, whether it admits them here, and each scan counted once.

A scan names its holder by a badge code (verified with meetings.badges) or, for someone who
forgot their badge, by registration id (search by name). Scans come one at a time from the
organizer's page or in batches from a device that was offline; each carries a nonce, and a nonce
already recorded answers with the first result. Every function takes `now`, flushes, never
commits.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from meetings.attendance.models import WorkshopSeat, WorkshopStatus
from meetings.badges import codes
from meetings.badges.keys import public_keys
from meetings.badges.service import revoked_serials
from meetings.checkin.models import CheckIn, CheckKind, DoorStaff, Refusal
from meetings.database import insert_on_conflict
from meetings.dates import to_local
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.models import LIMITED_SEAT_TYPES, Edition, Session, SessionAccess
from meetings.registration.models import LAW_ENFORCEMENT, Registration, RegistrationStatus


@dataclass(frozen=True)
class Scan:
    """One scan as a device reports it (shape already checked)."""

    nonce: str
    kind: CheckKind
    scanned_at: datetime
    code: str | None = None
    registration_id: int | None = None
    session_id: int | None = None
    photo_id_checked: bool = False
    device_admitted: bool | None = None
    offline: bool = False


@dataclass(frozen=True)
class Holder:
    """Whom a scan names and what their badge lets them into."""

    registration: Registration | None
    serial: int | None
    law_enforcement: bool
    workshops: tuple[int, ...]
    reason: str = Refusal.ADMITTED


@dataclass(frozen=True)
class Trust:
    """What a batch reads once: every key, the edition's revocations, the batch's nonces that
    are already recorded (others need no look-up before their insert)."""

    keys: Mapping[int, codes.PublicKey]
    revoked: Collection[int]
    nonces: set[str]


def trust_of(edition: Edition, nonces: Collection[str] = ()) -> Trust:
    known = set(db.session.scalars(sa.select(CheckIn.nonce).where(
        CheckIn.edition_id == edition.id, CheckIn.nonce.in_(list(nonces))))) if nonces else set()
    return Trust(public_keys(), revoked_serials(edition.id), known)


def access_of(registration: Registration) -> tuple[bool, tuple[int, ...]]:
    """(law enforcement, confirmed workshop session ids): the classes a badge code carries."""
    workshops = db.session.scalars(sa.select(WorkshopSeat.session_id).where(
        WorkshopSeat.registration_id == registration.id,
        WorkshopSeat.status == WorkshopStatus.CONFIRMED).order_by(WorkshopSeat.session_id))
    return registration.category.code == LAW_ENFORCEMENT, tuple(workshops)


def approved(edition: Edition, registration_id: int | None) -> Registration | None:
    registration = db.session.get(Registration, registration_id) if registration_id else None
    if (registration is None or registration.edition_id != edition.id
            or registration.status != RegistrationStatus.APPROVED):
        return None
    return registration


def holder_of(edition: Edition, scan: Scan, trust: Trust, at: datetime) -> Holder:
    """The holder named by the badge code (verified) or by the registration id."""
    if scan.code is None:
        registration = approved(edition, scan.registration_id)
        if registration is None:
            return Holder(None, None, False, (), Refusal.UNKNOWN_PERSON)
        return Holder(registration, None, *access_of(registration))
    verdict = codes.verify(scan.code, edition_id=edition.id, keys=trust.keys,
                           revoked=trust.revoked, now=at)
    payload = verdict.payload
    registration = approved(edition, payload.registration_id) if payload else None
    if not verdict.valid:
        return Holder(registration, payload and payload.serial, False, (), verdict.reason.value)
    if registration is None:
        return Holder(None, payload.serial, False, (), Refusal.UNKNOWN_PERSON)
    return Holder(registration, payload.serial, payload.law_enforcement, payload.workshops)


def door_refusal(session: Session | None, holder: Holder) -> str | None:
    """Closed sessions admit only law enforcement; workshops only those holding a seat."""
    if session is None:
        return None
    if session.access == SessionAccess.CLOSED and not holder.law_enforcement:
        return Refusal.NOT_FOR_THIS_ROOM
    if (session.type in LIMITED_SEAT_TYPES and session.capacity is not None
            and session.id not in holder.workshops):
        return Refusal.NOT_FOR_THIS_ROOM
    return None


def same_scope(row: CheckIn, kind: CheckKind, session_id: int | None, day) -> bool:
    if row.kind != kind:
        return False
    return kind == CheckKind.COLLECTION or (row.session_id == session_id and row.day == day)


def earlier_use(edition: Edition, registration_id: int, kind: CheckKind,
                session_id: int | None, day, at: datetime) -> CheckIn | None:
    """An admitted scan that already used the badge here: a collection (ever), or an entry or
    session admission of the same day with no check-out between it and this scan."""
    if kind == CheckKind.CHECKOUT:
        return None
    rows = db.session.scalars(sa.select(CheckIn).where(
        CheckIn.edition_id == edition.id, CheckIn.registration_id == registration_id,
        CheckIn.admitted.is_(True)).order_by(CheckIn.id)).all()
    checkouts = [r.scanned_at for r in rows if r.kind == CheckKind.CHECKOUT]
    for row in rows:
        if not same_scope(row, kind, session_id, day):
            continue
        low, high = sorted((row.scanned_at, at))
        if kind == CheckKind.COLLECTION or not any(low < out < high for out in checkouts):
            return row
    return None


def session_of(edition: Edition, scan: Scan) -> Session | None:
    if scan.kind != CheckKind.SESSION:
        return None
    session = db.session.get(Session, scan.session_id) if scan.session_id else None
    if session is None or session.edition_id != edition.id:
        raise DomainError(_l("Choose a session of this edition for the session door."),
                          field="session_id")
    return session


def decide(edition: Edition, scan: Scan, holder: Holder, session: Session | None,
           at: datetime) -> tuple[str, CheckIn | None]:
    """(reason, the earlier scan it collides with): `valid` admits."""
    if holder.reason != Refusal.ADMITTED:
        return holder.reason, None
    if scan.kind == CheckKind.COLLECTION and not scan.photo_id_checked:
        return Refusal.PHOTO_ID, None
    if refusal := door_refusal(session, holder):
        return refusal, None
    day = to_local(at, edition.timezone).date()
    earlier = earlier_use(edition, holder.registration.id, scan.kind,
                          session.id if session else None, day, at)
    if earlier is not None:
        used = (Refusal.ALREADY_COLLECTED if scan.kind == CheckKind.COLLECTION
                else Refusal.ALREADY_ADMITTED)
        return used, earlier
    return Refusal.ADMITTED, None


def recorded(edition: Edition, nonce: str) -> CheckIn | None:
    return db.session.scalar(sa.select(CheckIn).where(CheckIn.edition_id == edition.id,
                                                      CheckIn.nonce == nonce))


def record_scan(edition: Edition, scan: Scan, *, staff: DoorStaff | None, now: datetime,
                trust: Trust | None = None) -> tuple[CheckIn, bool]:
    """The scan's check-in row and whether it is new (False: this nonce was counted before).

    Expiry and the day are judged at the scan's own time (a device offline uploads later), never
    later than `now`. A scan the device admitted that the server finds already used is recorded
    refused, with the conflict.
    """
    if (trust is None or scan.nonce in trust.nonces) and (
            known := recorded(edition, scan.nonce)) is not None:
        return known, False
    at = min(scan.scanned_at, now)
    session = session_of(edition, scan)
    holder = holder_of(edition, scan, trust or trust_of(edition), at)
    reason, earlier = decide(edition, scan, holder, session, at)
    values = dict(
        edition_id=edition.id, nonce=scan.nonce,
        registration_id=holder.registration.id if holder.registration else None,
        serial=holder.serial, kind=scan.kind, session_id=session.id if session else None,
        room=session.room.name if session and session.room else "",
        day=to_local(at, edition.timezone).date(), admitted=reason == Refusal.ADMITTED,
        reason=str(reason), photo_id_checked=scan.photo_id_checked,
        device_admitted=scan.device_admitted, offline=scan.offline, scanned_at=at,
        received_at=now, staff_id=staff.id if staff else None,
        conflict_with_id=earlier.id if earlier is not None and scan.device_admitted else None)
    # ON CONFLICT DO NOTHING: a retry uploading the same nonce at the same moment adds nothing
    # (and, unlike a savepoint, costs SQLite no commit of its own).
    new_id = db.session.scalar(
        insert_on_conflict(CheckIn).values(**values)
        .on_conflict_do_nothing(index_elements=["edition_id", "nonce"]).returning(CheckIn.id))
    if new_id is None:
        return recorded(edition, scan.nonce), False
    if trust is not None:
        trust.nonces.add(scan.nonce)
    return db.session.get(CheckIn, new_id), True


@dataclass(frozen=True)
class Recorded:
    """A batch entry's outcome: its row and whether it is new, or the error that refused it."""

    row: CheckIn | None
    new: bool = False
    error: DomainError | None = None


def record_scans(edition: Edition, scans: Sequence[Scan], *, staff: DoorStaff | None,
                 now: datetime) -> list[Recorded]:
    """A batch from one device, recorded in the order it was scanned (answered in the order
    given); keys and revocations read once."""
    trust, results = trust_of(edition, {scan.nonce for scan in scans}), {}
    for index, scan in sorted(enumerate(scans), key=lambda pair: pair[1].scanned_at):
        try:
            results[index] = Recorded(*record_scan(edition, scan, staff=staff, now=now,
                                                   trust=trust))
        except DomainError as error:
            results[index] = Recorded(None, error=error)
    return [results[index] for index in range(len(scans))]


def forget(registration_id: int) -> None:
    """Erasure: the person's check-ins go (the counts lose them too)."""
    rows = db.session.scalars(sa.select(CheckIn).where(
        CheckIn.registration_id == registration_id)).all()
    ids = [row.id for row in rows]
    if ids:
        db.session.execute(sa.update(CheckIn).where(CheckIn.conflict_with_id.in_(ids))
                           .values(conflict_with_id=None))
    for row in rows:
        db.session.delete(row)
    db.session.flush()
