"""Reads of the agenda and light view models: the public agenda by day, the organizer's grid."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings.agenda.visibility import PUBLIC, Viewer, public_fields, shown_to
from meetings.dates import local_day_bounds
from meetings.models import (
    Edition,
    Room,
    Session,
    SessionAccess,
    SessionSpeaker,
    SessionStatus,
    SessionType,
    Speaker,
    Track,
)

ROW_MINUTES = 5


def sessions_for(edition: Edition) -> sa.Select:
    """The edition's sessions in time order (then room), with everything the agenda shows."""
    return (
        sa.select(Session)
        .where(Session.edition_id == edition.id)
        .options(
            so.selectinload(Session.speaker_links).joinedload(SessionSpeaker.speaker),
            so.joinedload(Session.room),
            so.joinedload(Session.track),
        )
        .order_by(Session.starts_at, Session.ends_at, Session.id)
    )


def sessions_on(edition: Edition, day: date) -> sa.Select:
    """The sessions starting on one local date of the edition."""
    start, end = local_day_bounds(day, edition.timezone)
    return sessions_for(edition).where(Session.starts_at >= start, Session.starts_at < end)


def filtered(query: sa.Select, track: Track | None, session_type: SessionType | None
             ) -> sa.Select:
    """Sessions of the track and type; a visitor never finds a closed one by what it is about."""
    if track is not None or session_type is not None:
        query = query.where(shown_to(PUBLIC))
    if track is not None:
        query = query.where(Session.track_id == track.id)
    if session_type is not None:
        query = query.where(Session.type == session_type)
    return query


def withheld_in_track(track: Track) -> sa.Select:
    """How many sessions of the track a visitor cannot find by it (closed ones): its feed and
    page say so rather than look empty."""
    return (sa.select(sa.func.count()).select_from(Session)
            .where(Session.track_id == track.id, sa.not_(shown_to(PUBLIC))))


def speakers_with_sessions(edition: Edition) -> sa.Select:
    """The edition's speakers with a session shown to visitors, by name, sessions loaded."""
    visible = (
        sa.select(SessionSpeaker.speaker_id)
        .join(Session, Session.id == SessionSpeaker.session_id)
        .where(shown_to(PUBLIC))
    )
    return (
        sa.select(Speaker)
        .where(Speaker.edition_id == edition.id, Speaker.id.in_(visible))
        .options(so.selectinload(Speaker.appearances).joinedload(SessionSpeaker.session)
                 .joinedload(Session.room))
        .order_by(Speaker.name, Speaker.id)
    )


def agenda_rows(edition: Edition, track: Track | None, session_type: SessionType | None
                ) -> sa.Select:
    """Plain rows of what the public agenda shows of each session, in time order.

    Rows rather than ORM objects: the agenda of 1,000 sessions renders several times faster.
    """
    query = (
        sa.select(Session.id, Session.title, Session.type, Session.status, Session.access,
                  Session.chatham_house, Session.starts_at, Session.ends_at, Room.id, Room.name,
                  Track.name, Track.colour)
        .outerjoin(Room, Room.id == Session.room_id)
        .outerjoin(Track, Track.id == Session.track_id)
        .where(Session.edition_id == edition.id)
        .order_by(Session.starts_at, Session.ends_at, Session.id)
    )
    return filtered(query, track, session_type)


def agenda_speaker_names(edition: Edition, track: Track | None,
                         session_type: SessionType | None) -> sa.Select:
    """(session id, speaker name) of the same sessions, in speaker order; none of closed ones."""
    query = (
        sa.select(SessionSpeaker.session_id, Speaker.name)
        .join(Speaker, Speaker.id == SessionSpeaker.speaker_id)
        .join(Session, Session.id == SessionSpeaker.session_id)
        .where(Session.edition_id == edition.id, shown_to(PUBLIC))
        .order_by(SessionSpeaker.session_id, SessionSpeaker.position)
    )
    return filtered(query, track, session_type)


@dataclass(slots=True)
class Shown:
    """One session as the agenda shows it: local times precomputed, grid position in rows."""

    id: int
    title: str
    type: SessionType | None
    status: SessionStatus
    access: SessionAccess
    chatham_house: bool
    room_id: int | None
    room_name: str
    track_name: str
    track_colour: str
    speakers: list[str]
    start: str = ""
    end: str = ""
    start_iso: str = ""
    end_iso: str = ""
    zone: str = ""
    day: date | None = None
    session: Session | None = None  # the ORM object, on pages that load one
    row: int = 0
    span: int = 1
    column: int = 0
    width: int = 1


@dataclass
class Column:
    name: str
    start: int
    width: int = 1


@dataclass
class AgendaDay:
    day: date
    items: list[Shown] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    hours: list[tuple[str, int]] = field(default_factory=list)
    # Each hour line's instant (UTC ISO), so "my time zone" can relabel the axis too.
    hour_isos: list[str] = field(default_factory=list)
    lanes: int = 1


def with_times(item: Shown, starts_at: datetime, ends_at: datetime, zone: ZoneInfo
               ) -> tuple[Shown, datetime, datetime]:
    """Fill in local times; returns the item with its naive local start and end."""
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    item.start, item.end = f"{start:%H:%M}", f"{end:%H:%M}"
    item.start_iso = f"{starts_at:%Y-%m-%dT%H:%M:%SZ}"
    item.end_iso = f"{ends_at:%Y-%m-%dT%H:%M:%SZ}"
    item.zone, item.day = start.tzname() or "", start.date()
    return item, start.replace(tzinfo=None), end.replace(tzinfo=None)


def shown(session: Session, zone: ZoneInfo, *, viewer: Viewer, brief: bool = False,
          closed_title: str = "") -> tuple[Shown, datetime, datetime]:
    """The view model of a loaded session as `viewer` may see it, with its naive local times.

    `viewer` has no default: a forgotten one must not show a closed session to everyone.
    `brief` leaves out the track and speakers (for pages that did not load them).
    """
    room = session.room
    track = None if brief else session.track
    names = [] if brief else [link.speaker.name for link in session.speaker_links]
    item = seen(viewer, closed_title, id=session.id, title=session.title, type=session.type,
                status=session.status, access=session.access,
                chatham_house=session.chatham_house, room_id=room.id if room else None,
                room_name=room.name if room else "", track_name=track.name if track else "",
                track_colour=track.colour if track else "", speakers=names, session=session)
    return with_times(item, session.starts_at, session.ends_at, zone)


def shown_rows(rows, names, zone: ZoneInfo, closed_title: str
               ) -> list[tuple[Shown, datetime, datetime]]:
    """What visitors see of agenda_rows() and agenda_speaker_names() results."""
    speakers: dict[int, list[str]] = defaultdict(list)
    for session_id, name in names:
        speakers[session_id].append(name)
    return [
        with_times(seen(PUBLIC, closed_title, id=sid, title=title, type=kind, status=status,
                        access=access, chatham_house=chatham, room_id=room_id,
                        room_name=room_name or "", track_name=track_name or "",
                        track_colour=colour or "", speakers=speakers.get(sid, [])),
                   starts_at, ends_at, zone)
        for (sid, title, kind, status, access, chatham, starts_at, ends_at, room_id, room_name,
             track_name, colour) in rows
    ]


def seen(viewer: Viewer, closed_title: str, **fields) -> Shown:
    """A Shown of these fields as the viewer may see them (visibility.public_fields)."""
    fields = public_fields(fields["access"], viewer, fields, closed_title)
    return Shown(**{**fields, "speakers": list(fields["speakers"])})


def agenda_days(edition: Edition, entries: list, unassigned: str) -> list[AgendaDay]:
    """Every edition day (and any other day with sessions), sessions placed on a time grid."""
    by_day: dict[date, list] = defaultdict(list)
    for entry in entries:
        by_day[entry[1].date()].append(entry)
    days = sorted(set(edition.days) | set(by_day))
    zone = ZoneInfo(edition.timezone)
    return [place(AgendaDay(day), by_day.get(day, []), unassigned, zone) for day in days]


def place(day: AgendaDay, entries: list, unassigned: str, zone: ZoneInfo) -> AgendaDay:
    """Position a day's sessions: rooms (then 'no room') as columns, 5-minute rows from the hour."""
    if not entries:
        return day
    origin = min(start for _, start, _ in entries).replace(minute=0)
    last = max(end for _, _, end in entries)
    by_room: dict[object, list] = defaultdict(list)
    for entry in entries:
        item = entry[0]
        key = (0, item.room_name, item.room_id) if item.room_id else (1, "", 0)
        by_room[key].append(entry)
    column = 2
    for key in sorted(by_room):
        lanes = assign_lanes(by_room[key])
        day.columns.append(Column(key[1] or unassigned, column, lanes))
        for item, start, end in by_room[key]:
            item.row = 2 + int((start - origin).total_seconds()) // (60 * ROW_MINUTES)
            item.span = max(1, -(-int((end - start).total_seconds()) // (60 * ROW_MINUTES)))
            item.column += column
        column += lanes
    day.items = [entry[0] for entry in entries]
    day.lanes = column - 2
    hour, per_hour = origin, 60 // ROW_MINUTES
    while hour < last:
        day.hours.append((f"{hour:%H:%M}", 2 + len(day.hours) * per_hour))
        day.hour_isos.append(f"{hour.replace(tzinfo=zone).astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}")
        hour += timedelta(hours=1)
    return day


def assign_lanes(entries: list) -> int:
    """Side-by-side lanes for overlapping sessions in one room; a lone session spans them all."""
    lane_ends: list[datetime] = []
    for item, start, end in entries:
        for lane, lane_end in enumerate(lane_ends):
            if lane_end <= start:
                lane_ends[lane], item.column = end, lane
                break
        else:
            item.column = len(lane_ends)
            lane_ends.append(end)
    lanes = max(1, len(lane_ends))
    for item, start, end in entries:
        alone = not any(o is not item and s < end and start < e for o, s, e in entries)
        if alone:
            item.column, item.width = 0, lanes
    return lanes


