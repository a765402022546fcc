"""Each VEVENT's bytes, kept in this process and keyed on everything the event shows.

A feed is a calendar head and one serialized event per session. A build reads a compact key per
session (one row: the session's SEQUENCE, updated time, status, times, room, track, edition and
its stored stamp, plus its speakers; the few rooms, tracks and editions once) and serializes
only the sessions whose key is new; the rest come from here. The session's own text (title,
abstract, type, links) is covered by SEQUENCE and the updated time, which every change to it
moves (agenda/service.py `mark_changed`: a change calendar clients must see). What lives in
other rows (a track or room renamed, a venue or speaker edited) is part of the key itself. Keys
also carry the feed options (site, language, audience), so the public and organizer variants of
one session are distinct.

What is kept is the event without its SEQUENCE and LAST-MODIFIED, with its fingerprint: those
two come from `stamps`, which moves them when the fingerprint does (a room rename does, an edit
to another session does not). The stored stamps are read in the same row as the keys.

Sessions to serialize are read as plain rows and shown through `visibility.public_fields`, as
the agenda page does: no ORM object per session, speaker or link.

A bounded LRU per process: a restart (a deploy, a new translation) starts empty.
"""

import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings import ical
from meetings.agenda.visibility import (
    ORGANIZER,
    PUBLIC,
    SessionView,
    Viewer,
    public_fields,
    withholds,
)
from meetings.extensions import db
from meetings.feeds.models import EventStamp
from meetings.feeds.stamps import Rendered, Stored, fingerprint, stamp_key, stamp_rendered
from meetings.models import Edition, Room, Session, SessionSpeaker, Speaker, Track

MAX_EVENTS = 20_000  # about 1 KB each: 20 MB per process at most


class EventCache:
    """A thread-safe LRU of serialized events."""

    def __init__(self, size: int):
        self.size = size
        self.entries: OrderedDict[tuple, tuple[bytes, str]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> tuple[bytes, str] | None:
        with self.lock:
            body = self.entries.get(key)
            if body is not None:
                self.entries.move_to_end(key)
            return body

    def put(self, key: tuple, body: tuple[bytes, str]) -> None:
        with self.lock:
            self.entries[key] = body
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()

    def __len__(self) -> int:
        return len(self.entries)


event_cache = EventCache(MAX_EVENTS)


class KeyRow(NamedTuple):
    """A session as `key_columns` reads it: a tuple's attributes, not a Row's (slower to read)."""

    id: int
    uid: str
    sequence: int
    updated_at: datetime
    status: str
    access: str
    starts_at: datetime
    ends_at: datetime
    room_id: int | None
    track_id: int | None
    edition_id: int
    stamp_fingerprint: str | None
    stamp_sequence: int | None
    stamp_last_modified: datetime | None


class SessionRow(NamedTuple):
    """What an event shows of the session itself (`session_views`)."""

    id: int
    uid: str
    edition_id: int
    starts_at: datetime
    ends_at: datetime
    room_id: int | None
    status: str
    access: str
    sequence: int
    created_at: datetime
    updated_at: datetime
    title: str
    description: str
    description_text: str
    type: str
    track_id: int | None
    language: str
    capacity: int | None
    chatham_house: bool
    online_url: str


class Speaking(NamedTuple):
    """A session's speaker as an event names them (reads like a SessionSpeaker link)."""

    speaker: Any  # .name and .organization
    role: Any


class Named(NamedTuple):
    name: str
    organization: str | None


class Around(NamedTuple):
    """The rooms, tracks and editions a feed's sessions name, and what each shows."""

    rooms: dict[int, Room]
    tracks: dict[int, Track]
    editions: dict[int, Edition]
    shown: dict[tuple, str]  # (room, track, edition) ids: what they show, with the audience


def session_events(query: sa.Select, options: ical.FeedOptions, audience: tuple,
                   now: datetime) -> list[bytes]:
    """The events of the sessions `query` selects, in its order; only new keys are serialized.

    `query` selects Session with its filters and order; `audience` names the options (site,
    language, private, online links) in the key.
    """
    variant = "organizer" if options.private else "public"
    rows = list(map(KeyRow._make, db.session.execute(key_columns(query, variant,
                                                                 options.domain))))
    speakers = speakers_by_session(query)
    around = surroundings(rows, audience)
    keys = {row.id: event_key(row, around, speakers.get(row.id, ())) for row in rows}
    bodies = {session_id: event_cache.get(key) for session_id, key in keys.items()}
    missing = [session_id for session_id, body in bodies.items() if body is None]
    viewer = ORGANIZER if options.private else PUBLIC
    for session in session_views(missing, around, speakers, viewer,
                                 options.labels.closed_session):
        body = ical.session_event(session, options, now, ical.UNSTAMPED)
        bodies[session.id] = body, fingerprint(body)
        event_cache.put(keys[session.id], bodies[session.id])
    # A session deleted since the keys were read has no body: it is left out.
    return stamp_rendered([
        (Rendered(stamp_key(variant, ical.session_uid(row, options.domain)), *bodies[row.id],
                  ical.Stamp(row.sequence or 0, row.updated_at or now)), stored_stamp(row))
        for row in rows if bodies[row.id] is not None], now)


def key_columns(query: sa.Select, variant: str, domain: str) -> sa.Select:
    """The query's sessions as keys (what an event shows beyond the session's own text), each
    with its stored stamp: EventStamp's key spelled in SQL as `stamps.stamp_key` spells it."""
    stamp = so.aliased(EventStamp)
    stamp_key_sql = sa.literal(f"{variant}:") + Session.uid + sa.literal(f"@{domain}")
    return (
        query.with_only_columns(
            *(getattr(Session, name) for name in KeyRow._fields[:-3]),
            stamp.fingerprint.label("stamp_fingerprint"), stamp.sequence.label("stamp_sequence"),
            stamp.last_modified.label("stamp_last_modified"),
            maintain_column_froms=True)
        .outerjoin(stamp, stamp.key == stamp_key_sql)
    )


def stored_stamp(row) -> Stored | None:
    """The stamp read beside the key (None when the event has none yet)."""
    if row.stamp_fingerprint is None:
        return None
    return Stored(row.stamp_fingerprint, row.stamp_sequence, row.stamp_last_modified)


def event_key(row, around: Around, speakers: tuple) -> tuple:
    """Everything the event of this key row shows, apart from the session's own text."""
    return (row.id, row.uid, row.sequence, row.updated_at, row.status, row.access,
            row.starts_at, row.ends_at, around.shown[row.room_id, row.track_id, row.edition_id],
            speakers)


def surroundings(rows: list, audience: tuple) -> Around:
    """The rooms (with venues) and tracks the rows name, freshly read, and their editions."""
    rooms = by_id(Room, {row.room_id for row in rows} - {None}, so.joinedload(Room.venue))
    tracks = by_id(Track, {row.track_id for row in rows} - {None})
    # The caller has its editions in hand (it chose their sessions): no query for them.
    editions = {edition_id: db.session.get_one(Edition, edition_id)
                for edition_id in {row.edition_id for row in rows}}
    shown = {}
    for ids in {(row.room_id, row.track_id, row.edition_id) for row in rows}:
        room, track, edition = rooms.get(ids[0]), tracks.get(ids[1]), editions[ids[2]]
        # One string per combination, whose hash is kept: each key hashes it once.
        shown[ids] = repr((
            room and (room.name, venue_key(room.venue)), track and track.name,
            (edition.slug, edition.timezone, venue_key(edition.venue)), audience))
    return Around(rooms, tracks, editions, shown)


def by_id(model, ids: set[int], *options) -> dict:
    """Those rows of a small table (rooms, tracks) by id, in one query."""
    if not ids:
        return {}
    return {item.id: item for item in db.session.scalars(
        sa.select(model).where(model.id.in_(sorted(ids))).options(*options)
        .execution_options(populate_existing=True))}


def venue_key(venue) -> tuple | None:
    """What an event shows of a venue."""
    if venue is None:
        return None
    return (venue.id, venue.name, venue.address, venue.city, venue.country, venue.latitude,
            venue.longitude)


def speakers_by_session(query: sa.Select) -> dict[int, tuple]:
    """Each session's speakers as shown: position, role, name and organization, in order."""
    ids = query.with_only_columns(Session.id).order_by(None)
    rows = db.session.execute(
        sa.select(SessionSpeaker.session_id, SessionSpeaker.position, SessionSpeaker.role,
                  Speaker.name, Speaker.organization)
        .join(Speaker, SessionSpeaker.speaker_id == Speaker.id)
        .where(SessionSpeaker.session_id.in_(ids))
        .order_by(SessionSpeaker.session_id, SessionSpeaker.position)
    ).all()
    speakers: dict[int, tuple] = {}
    for session_id, *speaker in rows:
        speakers[session_id] = (*speakers.get(session_id, ()), tuple(speaker))
    return speakers


def session_views(ids: Iterable[int], around: Around, speakers: dict[int, tuple],
                  viewer: Viewer, closed_title: str) -> list[SessionView]:
    """Those sessions as `viewer` may see them, read as rows (one query)."""
    ids = list(ids)
    if not ids:
        return []
    rows = map(SessionRow._make, db.session.execute(
        sa.select(*(getattr(Session, name) for name in SessionRow._fields))
        .where(Session.id.in_(ids))))
    return [session_view(row, around, speakers.get(row.id, ()), viewer, closed_title)
            for row in rows]


def session_view(row, around: Around, speakers: tuple, viewer: Viewer,
                 closed_title: str) -> SessionView:
    """A session row as `viewer` may see it (`visibility.public_view` for a row)."""
    fields = {
        "title": row.title, "description": row.description,
        "description_text": row.description_text, "type": row.type,
        "track": around.tracks.get(row.track_id), "language": row.language,
        "capacity": row.capacity, "chatham_house": row.chatham_house,
        "speaker_links": tuple(Speaking(Named(name, organization), role)
                               for _, role, name, organization in speakers),
        "online_url": row.online_url}
    return SessionView(
        id=row.id, uid=row.uid, edition=around.editions[row.edition_id],
        starts_at=row.starts_at, ends_at=row.ends_at, room=around.rooms.get(row.room_id),
        status=row.status, access=row.access, sequence=row.sequence,
        created_at=row.created_at, updated_at=row.updated_at,
        withheld=withholds(row.access, viewer),
        **public_fields(row.access, viewer, fields, closed_title))
