"""Each VEVENT's bytes, kept in this process and keyed on everything the event shows.

A feed is a calendar head and one serialized event per session. A build reads one row per
session: its key, one text the database writes (the session's SEQUENCE, updated time, status,
times, room with the room's venue, and track), and its stored stamp; it serializes only the
sessions whose key is new, and the rest come from here. The session's own text (title, abstract,
type, links, speakers) is covered by SEQUENCE and the updated time, which every change to it
moves (agenda/service.py `mark_changed`; a speaker's edit moves each of their sessions,
agenda/catalog.py `update_speaker`): a change calendar clients must see. What lives in other
rows (a track or room renamed, a venue edited) is part of the key itself, and the edition's
slug, time zone and venue are added once per edition. Keys also carry the feed options (site,
language, audience), so the public and organizer variants of one session are distinct.

What is kept is the event without its SEQUENCE and LAST-MODIFIED, with its fingerprint: those
two come from `stamps`, which moves them when the fingerprint does (a room rename does, an edit
to another session does not). The stored stamps are read in the same row as the keys; the
stamped bytes of an event whose stamp did not move are remembered too (`stamps.stamped`).

Sessions to serialize are read as plain rows and shown through `visibility.public_fields`, as
the agenda page does: no ORM object per session, speaker or link.

A bounded LRU per process: a restart (a deploy, a new translation) starts empty.
"""

import threading
from collections import OrderedDict
from datetime import datetime
from functools import lru_cache
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
from meetings.feeds.stamps import (
    Rendered,
    Stored,
    fingerprint,
    stamp_key,
    stamp_rendered,
    stamped,
)
from meetings.models import Edition, Room, Session, SessionSpeaker, Speaker, Track, Venue

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
    """A session as `key_columns` reads it: its key as one text, and its stored stamp."""

    id: int
    edition_id: int
    key: str
    stamp_fingerprint: str | None
    stamp_sequence: int | None
    stamp_last_modified: datetime | None


class FirstStamp(NamedTuple):
    """What an event without a stored stamp starts from, and its UID (`first_stamps`)."""

    uid: str
    sequence: int
    updated_at: datetime


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
    """The rooms, tracks and editions some sessions name."""

    rooms: dict[int, Room]
    tracks: dict[int, Track]
    editions: dict[int, Edition]


SEPARATOR = "\x1f"  # between the parts of a key: a control character no form lets through


def session_events(query: sa.Select, options: ical.FeedOptions, audience: tuple,
                   now: datetime) -> list[bytes]:
    """The events of the sessions `query` selects, in its order; only new keys are serialized.

    `query` selects Session with its filters and order; `audience` names the options (site,
    language, private, online links) in the key.
    """
    variant = "organizer" if options.private else "public"
    rows = list(map(KeyRow._make, db.session.execute(key_columns(query, variant,
                                                                 options.domain))))
    editions = {edition_id: edition_key(db.session.get_one(Edition, edition_id), audience)
                for edition_id in {row.edition_id for row in rows}}
    keys = {row.id: (row.key, editions[row.edition_id]) for row in rows}
    bodies = {session_id: event_cache.get(key) for session_id, key in keys.items()}
    missing = [session_id for session_id, body in bodies.items() if body is None]
    firsts = {}  # what the sessions serialized now start a stamp from
    if missing:
        viewer = ORGANIZER if options.private else PUBLIC
        for session in session_views(missing, viewer, options.labels.closed_session):
            body = ical.session_event(session, options, now, ical.UNSTAMPED)
            bodies[session.id] = body, fingerprint(body)
            event_cache.put(keys[session.id], bodies[session.id])
            firsts[session.id] = FirstStamp(session.uid, session.sequence, session.updated_at)
    # A session deleted since the keys were read has no body: it is left out.
    rows = [row for row in rows if bodies[row.id] is not None]
    moved = [row for row in rows if row.stamp_fingerprint != bodies[row.id][1]]
    restamped = dict(zip((row.id for row in moved),
                         restamp(moved, bodies, firsts, variant, options, now), strict=True))
    return [restamped[row.id] if row.id in restamped
            else stamped(bodies[row.id][0], ical.Stamp(row.stamp_sequence,
                                                       row.stamp_last_modified))
            for row in rows]


def restamp(rows: list[KeyRow], bodies: dict, firsts: dict[int, FirstStamp], variant: str,
            options: ical.FeedOptions, now: datetime) -> list[bytes]:
    """Events with no stored stamp or a stamp of other bytes: stamped and stored (`stamps`).

    `firsts` holds the sessions just serialized; the others are read."""
    if not rows:
        return []
    unread = [row.id for row in rows if row.id not in firsts]
    if unread:
        firsts = {**firsts, **first_stamps(unread)}
    return stamp_rendered([
        (Rendered(stamp_key(variant, ical.session_uid(firsts[row.id], options.domain)),
                  *bodies[row.id],
                  ical.Stamp(firsts[row.id].sequence or 0, firsts[row.id].updated_at or now)),
         stored_stamp(row))
        for row in rows], now)


def first_stamps(ids: list[int]) -> dict[int, FirstStamp]:
    """Those sessions' UIDs and what a first stamp starts from (one query)."""
    return {row.id: FirstStamp(row.uid, row.sequence, row.updated_at)
            for row in db.session.execute(
                sa.select(Session.id, Session.uid, Session.sequence, Session.updated_at)
                .where(Session.id.in_(ids)))}


def key_columns(query: sa.Select, variant: str, domain: str) -> sa.Select:
    """The query's sessions, each with its key and its stored stamp.

    The key is one text the database writes: the session's SEQUENCE and updated time (which
    every change to its own text or its speakers moves, a speaker's edit included), status and
    times, and what lives in other rows (its room and the room's venue, its track). A process
    keeps only plain strings per session, and two reads of an unchanged session give equal keys.
    """
    key, stamp, venue, stamp_joined = key_parts(variant, domain)
    return (
        query.with_only_columns(
            Session.id, Session.edition_id, key,
            stamp.fingerprint.label("stamp_fingerprint"), stamp.sequence.label("stamp_sequence"),
            stamp.last_modified.label("stamp_last_modified"),
            maintain_column_froms=True)
        .outerjoin(Room, Room.id == Session.room_id)
        .outerjoin(venue, venue.id == Room.venue_id)
        .outerjoin(Track, Track.id == Session.track_id)
        .outerjoin(stamp, stamp_joined)
    )


@lru_cache(maxsize=16)
def key_parts(variant: str, domain: str) -> tuple:
    """The key's expression, and the stamp (EventStamp's key spelled in SQL as
    `stamps.stamp_key` spells it) and venue it joins: built once, as building them costs more
    than running the query."""
    stamp = so.aliased(EventStamp)
    venue = so.aliased(Venue)
    stamp_key_sql = sa.literal(f"{variant}:") + Session.uid + sa.literal(f"@{domain}")
    key = joined_text(Session.uid, Session.sequence, Session.updated_at, Session.status,
                      Session.access, Session.starts_at, Session.ends_at, Session.room_id,
                      Room.name, venue.id, venue.name, venue.address, venue.city,
                      venue.country, venue.latitude, venue.longitude, Session.track_id,
                      Track.name).label("key")
    return key, stamp, venue, stamp.key == stamp_key_sql


def joined_text(*columns) -> sa.ColumnElement[str]:
    """The columns as one text, each written as text (NULL as empty) between separators."""
    parts = [sa.func.coalesce(sa.cast(column, sa.String), "") for column in columns]
    text = parts[0]
    for part in parts[1:]:
        text = text + sa.literal(SEPARATOR) + part
    return text


def stored_stamp(row: KeyRow) -> Stored | None:
    """The stamp read beside the key (None when the event has none yet)."""
    if row.stamp_fingerprint is None:
        return None
    return Stored(row.stamp_fingerprint, row.stamp_sequence, row.stamp_last_modified)


def edition_key(edition: Edition, audience: tuple) -> str:
    """What an event shows of its edition, with the audience: one string per edition, whose
    hash is kept, so each event's key hashes it once."""
    return repr((edition.slug, edition.timezone, venue_key(edition.venue), audience))


def surroundings(rows: list) -> Around:
    """The rooms (with venues) and tracks the rows name, freshly read, and their editions."""
    rooms = by_id(Room, {row.room_id for row in rows} - {None}, so.joinedload(Room.venue))
    tracks = by_id(Track, {row.track_id for row in rows} - {None})
    # The caller has its editions in hand (it chose their sessions): no query for them.
    editions = {edition_id: db.session.get_one(Edition, edition_id)
                for edition_id in {row.edition_id for row in rows}}
    return Around(rooms, tracks, editions)


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


def speakers_of(ids: list[int]) -> dict[int, tuple]:
    """Each session's speakers as shown: position, role, name and organization, in order."""
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


def session_views(ids: list[int], viewer: Viewer, closed_title: str) -> list[SessionView]:
    """Those sessions as `viewer` may see them, read as rows (a query for the sessions, one for
    their speakers, one each for the rooms and tracks they name)."""
    rows = list(map(SessionRow._make, db.session.execute(
        sa.select(*(getattr(Session, name) for name in SessionRow._fields))
        .where(Session.id.in_(ids)))))
    around = surroundings(rows)
    speakers = speakers_of(ids)
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
