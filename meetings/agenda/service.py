"""Session rules: local times in the edition's zone, rooms, tracks, speakers, conflicts, changes."""

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa

from meetings.agenda.changes import record_change
from meetings.dates import (
    FIRST_YEAR,
    LAST_YEAR,
    AmbiguousLocalTime,
    NonexistentLocalTime,
    OutOfRangeLocalTime,
    local_day_bounds,
    to_local,
)
from meetings.dates import to_utc as local_to_utc
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.models import (
    LIMITED_SEAT_TYPES,
    Edition,
    Room,
    Session,
    SessionAccess,
    SessionSpeaker,
    SessionStatus,
    SessionType,
    Speaker,
    SpeakerRole,
    Track,
)

LANGUAGES = ("en", "fr", "es", "ar", "zh", "ru")


@dataclass
class SessionInput:
    """What an organizer enters for a session; start and end are naive local times."""

    title: str
    type: SessionType
    start: datetime
    end: datetime
    room_id: int | None = None
    track_id: int | None = None
    # One (speaker id or None, role) per form row, in order; empty rows are skipped.
    speakers: list[tuple[int | None, SpeakerRole]] = field(default_factory=list)
    description: str = ""
    language: str = "en"
    access: SessionAccess = SessionAccess.PUBLIC
    chatham_house: bool = False
    status: SessionStatus = SessionStatus.SCHEDULED
    capacity: int | None = None
    online_url: str = ""


def create_session(edition: Edition, data: SessionInput, *, now: datetime
                   ) -> tuple[Session, list[str]]:
    """Add a session to the edition's agenda; returns it and any speaker warnings."""
    values, speakers = checked_values(edition, data)
    session = Session(edition_id=edition.id, created_at=now, updated_at=now, sequence=0, **values)
    session.speaker_links = [
        SessionSpeaker(speaker=speaker, role=role, position=i)
        for i, (speaker, role) in enumerate(speakers)
    ]
    db.session.add(session)
    db.session.flush()
    edition.touch(now)
    return session, speaker_warnings(session)


def update_session(session: Session, data: SessionInput, *, now: datetime) -> list[str]:
    """Change a session; its sequence moves only when something really changed."""
    values, speakers = checked_values(session.edition, data, session_id=session.id)
    before = content_key(session)
    for name, value in values.items():
        setattr(session, name, value)
    replace_speakers(session, speakers)
    if content_key(session) != before:
        mark_changed(session, now)
    db.session.flush()
    return speaker_warnings(session)


def cancel_session(session: Session, *, now: datetime) -> None:
    """Mark a session cancelled; it stays on the agenda, struck through."""
    if session.status != SessionStatus.CANCELLED:
        session.status = SessionStatus.CANCELLED
        mark_changed(session, now)
        db.session.flush()


def restore_session(session: Session, *, now: datetime) -> list[str]:
    """Schedule a cancelled session again, if its room is still free."""
    if session.status == SessionStatus.SCHEDULED:
        return []
    check_room_free(session.room, session.starts_at, session.ends_at, session.id)
    session.status = SessionStatus.SCHEDULED
    mark_changed(session, now)
    db.session.flush()
    return speaker_warnings(session)


def delete_session(session: Session, *, now: datetime) -> None:
    """Remove a session from the agenda for good, unless attendees have chosen it.

    The database refuses the delete while a workshop seat or an agenda choice names the session
    (their foreign keys do not cascade); the refusal is turned into a message here.
    """
    edition = session.edition
    try:
        with db.session.begin_nested():
            db.session.delete(session)
    except sa.exc.IntegrityError:
        raise DomainError(_("Attendees have chosen this session: cancel it instead, so they "
                            "are told.")) from None
    edition.touch(now)
    db.session.flush()


def mark_changed(session: Session, now: datetime) -> None:
    """Move the session's change counter (feeds' SEQUENCE) and its edition's revision."""
    record_change(session, now)  # before the flush: it reads the old time, room and status
    bump(session, now)
    session.edition.touch(now)


def bump(session: Session, now: datetime) -> None:
    """Move only the session's change counter and last-modified time.

    A stored session is incremented in SQL: two organizers saving it at once get two SEQUENCE
    values, so calendar clients take the later state.
    """
    if sa.inspect(session).persistent:
        session.sequence = Session.sequence + 1
    else:
        session.sequence = (session.sequence or 0) + 1
    session.updated_at = now


def content_key(session: Session) -> tuple:
    """Everything a calendar or the agenda shows of a session, to detect real changes."""
    return (
        session.title, session.type, session.starts_at, session.ends_at,
        session.room.id if session.room else None, session.track.id if session.track else None,
        session.description, session.language, session.access, session.chatham_house,
        session.status, session.capacity, session.online_url,
        tuple((link.speaker.id, link.role, link.position) for link in session.speaker_links),
    )


def replace_speakers(session: Session, speakers: list[tuple[Speaker, SpeakerRole]]) -> None:
    """Set the ordered speakers, keeping existing links (same primary key) where possible."""
    existing = {link.speaker.id: link for link in session.speaker_links}
    links = []
    for position, (speaker, role) in enumerate(speakers):
        link = existing.get(speaker.id) or SessionSpeaker(speaker=speaker)
        link.role, link.position = role, position
        links.append(link)
    session.speaker_links = links


def checked_values(edition: Edition, data: SessionInput, session_id: int | None = None
                   ) -> tuple[dict, list[tuple[Speaker, SpeakerRole]]]:
    """Apply every rule to the input; the column values and ordered speakers, or a DomainError."""
    title = (data.title or "").strip()
    if not title:
        raise DomainError(_("Enter a title."), field="title")
    starts_at, ends_at = checked_times(edition, data.start, data.end)
    room = checked_room(edition, data.room_id)
    if data.status == SessionStatus.SCHEDULED:
        check_room_free(room, starts_at, ends_at, session_id)
    values = {
        "title": title, "type": SessionType(data.type), "starts_at": starts_at,
        "ends_at": ends_at, "room": room, "track": checked_track(edition, data.track_id),
        "description": data.description or "", "language": checked_language(data.language),
        "access": SessionAccess(data.access), "chatham_house": bool(data.chatham_house),
        "status": SessionStatus(data.status),
        "capacity": checked_capacity(SessionType(data.type), data.capacity),
        "online_url": checked_online_url(data.online_url),
    }
    return values, checked_speakers(edition, data.speakers)


def to_utc(local: datetime, zone: str, field_name: str) -> datetime:
    """A local time entered in a form as a UTC instant, or a clear error on that field."""
    try:
        return local_to_utc(local, zone)
    except OutOfRangeLocalTime:
        message = _("Enter a year from %(first)s to %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
    except NonexistentLocalTime:
        message = _("%(time)s does not exist in %(zone)s: the clocks skip that hour for daylight "
                    "saving time. Choose another time.", time=f"{local:%Y-%m-%d %H:%M}", zone=zone)
    except AmbiguousLocalTime:
        message = _("%(time)s happens twice in %(zone)s: the clocks repeat that hour when daylight "
                    "saving time ends. Choose another time.", time=f"{local:%Y-%m-%d %H:%M}",
                    zone=zone)
    raise DomainError(message, field=field_name)


def checked_times(edition: Edition, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Local start and end as UTC instants: end after start, inside the edition's dates."""
    starts_at = to_utc(start, edition.timezone, "start")
    ends_at = to_utc(end, edition.timezone, "end")
    if ends_at <= starts_at:
        raise DomainError(_("The end must be after the start."), field="end")
    first, _ignored = local_day_bounds(edition.starts_on, edition.timezone)
    _ignored, last = local_day_bounds(edition.ends_on, edition.timezone)
    if starts_at < first or starts_at >= last:
        raise DomainError(_("The session must start during the edition (%(first)s to %(last)s).",
                            first=edition.starts_on.isoformat(), last=edition.ends_on.isoformat()),
                          field="start")
    if ends_at > last:
        raise DomainError(_("The session must end by midnight after the last day (%(last)s).",
                            last=edition.ends_on.isoformat()), field="end")
    return starts_at, ends_at


def checked_room(edition: Edition, room_id: int | None) -> Room | None:
    if room_id is None:
        return None
    room = db.session.get(Room, room_id)
    if room is None or edition.venue_id is None or room.venue_id != edition.venue_id:
        raise DomainError(_("Choose a room of this edition's venue."), field="room")
    return room


def check_room_free(room: Room | None, starts_at: datetime, ends_at: datetime,
                    session_id: int | None) -> None:
    """Refuse a second scheduled session in the same room at the same time."""
    if room is None:
        return
    query = sa.select(Session).where(
        Session.room_id == room.id, Session.status == SessionStatus.SCHEDULED,
        Session.starts_at < ends_at, Session.ends_at > starts_at,
    ).order_by(Session.starts_at).limit(1)
    if session_id is not None:
        query = query.where(Session.id != session_id)
    with db.session.no_autoflush:
        other = db.session.scalar(query)
    if other is not None:
        raise DomainError(_("%(room)s is already booked at that time for “%(title)s” "
                            "(%(start)s–%(end)s).", room=room.name, title=other.title,
                            **local_span(other)), field="room")


def local_span(session: Session) -> dict[str, str]:
    zone = session.edition.timezone
    return {"start": f"{to_local(session.starts_at, zone):%Y-%m-%d %H:%M}",
            "end": f"{to_local(session.ends_at, zone):%H:%M}"}


def checked_track(edition: Edition, track_id: int | None) -> Track | None:
    if track_id is None:
        return None
    track = db.session.get(Track, track_id)
    if track is None or track.edition_id != edition.id:
        raise DomainError(_("Choose a track of this edition."), field="track")
    return track


def checked_speakers(edition: Edition, rows: list[tuple[int | None, SpeakerRole]]
                     ) -> list[tuple[Speaker, SpeakerRole]]:
    """The chosen speakers in row order: each of this edition, each at most once."""
    chosen, seen = [], set()
    for row, (speaker_id, role) in enumerate(rows, start=1):
        if speaker_id is None:
            continue
        speaker = db.session.get(Speaker, speaker_id)
        if speaker is None or speaker.edition_id != edition.id:
            raise DomainError(_("Choose a speaker of this edition."), field=f"speaker_{row}")
        if speaker_id in seen:
            raise DomainError(_("%(name)s is listed twice.", name=speaker.name),
                              field=f"speaker_{row}")
        seen.add(speaker_id)
        chosen.append((speaker, SpeakerRole(role)))
    return chosen


def checked_language(code: str) -> str:
    if code not in LANGUAGES:
        raise DomainError(_("Choose one of the listed languages."), field="language")
    return code


def checked_capacity(session_type: SessionType, capacity: int | None) -> int | None:
    if capacity is None:
        return None
    if session_type not in LIMITED_SEAT_TYPES:
        raise DomainError(_("Only workshops and side events have a limited number of seats."),
                          field="capacity")
    if capacity < 1:
        raise DomainError(_("Enter a number of seats of at least 1."), field="capacity")
    return capacity


def checked_online_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise DomainError(_("Enter a web address starting with https:// or http://."),
                          field="online_url")
    return url


def speaker_warnings(session: Session) -> list[str]:
    """Speakers of this scheduled session who are in another scheduled session at the same time."""
    ids = [link.speaker.id for link in session.speaker_links]
    if not ids or session.status != SessionStatus.SCHEDULED:
        return []
    query = (
        sa.select(Speaker.name, Session.title)
        .join(SessionSpeaker, SessionSpeaker.speaker_id == Speaker.id)
        .join(Session, Session.id == SessionSpeaker.session_id)
        .where(Speaker.id.in_(ids), Session.id != session.id,
               Session.status == SessionStatus.SCHEDULED,
               Session.starts_at < session.ends_at, Session.ends_at > session.starts_at)
        .order_by(Speaker.name, Session.starts_at)
    )
    return [_("%(speaker)s is also in “%(title)s” at that time.", speaker=name, title=title)
            for name, title in db.session.execute(query)]
