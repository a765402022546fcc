"""Each VEVENT's bytes, kept in this process and keyed on everything the event shows.

A feed is a calendar head and one serialized event per session. Rebuilding it after one edit
reads a compact key per session (one row: the session's SEQUENCE, updated time, status, times,
room, venue, track and edition, plus its speakers) and serializes only the sessions whose key
is new; the rest come from here. The session's own text (title, abstract, type, links) is
covered by SEQUENCE and the updated time, which every change to it moves (agenda/service.py
`mark_changed`: a change calendar clients must see). What lives in other rows (a track or room
renamed, a venue or speaker edited) is part of the key itself. Keys also carry the feed options
(site, language, audience), so the public and organizer variants of one session are distinct.

What is kept is the event without its SEQUENCE and LAST-MODIFIED, with its fingerprint: those
two come from `stamps`, which moves them when the fingerprint does (a room rename does, an edit
to another session does not).

A bounded LRU per process: a restart (a deploy, a new translation) starts empty.
"""

import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings import ical
from meetings.agenda.visibility import ORGANIZER, PUBLIC, public_view
from meetings.extensions import db
from meetings.feeds.stamps import Rendered, fingerprint, stamp_all, stamp_key
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


def session_events(query: sa.Select, options: ical.FeedOptions, audience: tuple,
                   now: datetime) -> list[bytes]:
    """The events of the sessions `query` selects, in its order; only new keys are serialized.

    `query` selects Session with its filters and order; `audience` names the options (site,
    language, private, online links) in the key.
    """
    rows = db.session.execute(key_columns(query)).all()
    speakers = speakers_by_session(query)
    keys = {row.id: (*row, speakers.get(row.id, ()), audience) for row in rows}
    bodies = {session_id: event_cache.get(key) for session_id, key in keys.items()}
    missing = [session_id for session_id, body in bodies.items() if body is None]
    viewer = ORGANIZER if options.private else PUBLIC
    for session in load_sessions(missing):
        shown = public_view(session, viewer, options.labels.closed_session)
        body = ical.session_event(shown, options, now, ical.UNSTAMPED)
        bodies[session.id] = body, fingerprint(body)
        event_cache.put(keys[session.id], bodies[session.id])
    variant = "organizer" if options.private else "public"
    # A session deleted since the keys were read has no body: it is left out.
    return stamp_all([
        Rendered(stamp_key(variant, ical.session_uid(row, options.domain)), *bodies[row.id],
                 ical.Stamp(row.sequence or 0, row.updated_at or now))
        for row in rows if bodies[row.id] is not None], now)


def key_columns(query: sa.Select) -> sa.Select:
    """The query's sessions as keys: what the event shows beyond the session's own text."""
    room_venue, edition_venue = so.aliased(Venue), so.aliased(Venue)
    return (
        query.with_only_columns(
            Session.id, Session.uid, Session.sequence, Session.updated_at,
            Session.status, Session.access, Session.starts_at, Session.ends_at,
            Room.name, *venue_columns(room_venue), Track.name,
            Edition.slug, Edition.timezone, *venue_columns(edition_venue),
            maintain_column_froms=True)
        .join(Edition, Session.edition_id == Edition.id)
        .outerjoin(Room, Session.room_id == Room.id)
        .outerjoin(room_venue, Room.venue_id == room_venue.id)
        .outerjoin(Track, Session.track_id == Track.id)
        .outerjoin(edition_venue, Edition.venue_id == edition_venue.id)
    )


def venue_columns(venue) -> list:
    return [venue.id, venue.name, venue.address, venue.city, venue.country, venue.latitude,
            venue.longitude]


def speakers_by_session(query: sa.Select) -> dict[int, tuple]:
    """Each session's speakers as shown: name, organization and role, in order."""
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


def load_sessions(ids: Iterable[int]) -> list[Session]:
    """Those sessions with everything an event shows, freshly read (one query)."""
    ids = list(ids)
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(Session).where(Session.id.in_(ids))
        .options(
            so.joinedload(Session.edition).joinedload(Edition.venue),
            so.joinedload(Session.room).joinedload(Room.venue),
            so.joinedload(Session.track),
            so.joinedload(Session.speaker_links).joinedload(SessionSpeaker.speaker),
        )
        .execution_options(populate_existing=True)
    ).unique())
