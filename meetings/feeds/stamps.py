"""Each event's SEQUENCE and LAST-MODIFIED, derived from a fingerprint of what it says.

An event is rendered once without its stamp (`ical.UNSTAMPED`); the hash of those bytes is its
fingerprint. The stored stamp (`EventStamp`, by audience and UID) moves — SEQUENCE + 1,
LAST-MODIFIED = now — when the fingerprint differs from the one stored, and only then: a room
renamed, a venue edited or a time zone changed moves it, an edit to another session does not.
A first stamp starts from the object's own counter, so SEQUENCE never goes back for a client
that saw it before stamps were kept.
"""

import hashlib
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

import sqlalchemy as sa

from meetings import ical
from meetings.database import insert_on_conflict
from meetings.extensions import db
from meetings.feeds.models import EventStamp

CHUNK = 500  # keys per IN list


class Rendered(NamedTuple):
    """An event's bytes without their stamp, and what a first stamp starts from."""

    key: str
    body: bytes
    fingerprint: str
    first: ical.Stamp


class Stored(NamedTuple):
    """An event's stamp as stored."""

    fingerprint: str
    sequence: int
    last_modified: datetime


def fingerprint(body: bytes) -> str:
    """The hash of an unstamped event's bytes."""
    return hashlib.sha256(body).hexdigest()[:32]


def stamp_key(audience: str, uid: str) -> str:
    """'public:<uid>': one stamp per event and per audience (their texts differ)."""
    return f"{audience}:{uid}"


def rendered_session(session, options: ical.FeedOptions, audience: str,
                     now: datetime) -> Rendered:
    """A session's event without its stamp (a first stamp starts from its own counter)."""
    body = ical.session_event(session, options, now, ical.UNSTAMPED)
    return Rendered(stamp_key(audience, ical.session_uid(session, options.domain)), body,
                    fingerprint(body), ical.Stamp(session.sequence or 0, session.updated_at or now))


def stamp_all(events: list[Rendered], now: datetime) -> list[bytes]:
    """The events with their stamps, in order; stamps whose fingerprint moved are stored."""
    stored = stored_stamps([event.key for event in events])
    return stamp_rendered([(event, stored.get(event.key)) for event in events], now)


def stamp_rendered(events: list[tuple[Rendered, Stored | None]], now: datetime
                   ) -> list[bytes]:
    """`stamp_all` for events whose stored stamps were read with them (None: not stamped yet)."""
    changed, bodies = {}, []
    for event, row in events:
        if row is None:
            stamp = event.first
        elif row.fingerprint != event.fingerprint:
            stamp = ical.Stamp(row.sequence + 1, later(row.last_modified, now))
        else:
            stamp = ical.Stamp(row.sequence, row.last_modified)
        if row is None or row.fingerprint != event.fingerprint:
            changed[event.key] = dict(key=event.key, fingerprint=event.fingerprint,
                                      sequence=stamp.sequence, last_modified=stamp.modified)
        bodies.append(stamped(event.body, stamp))
    store(list(changed.values()))
    return bodies


@lru_cache(maxsize=20_000)  # keyed on the event cache's own bytes objects, whose hash is kept
def stamped(body: bytes, stamp: ical.Stamp) -> bytes:
    """`ical.stamped`, remembered: a rebuild after one edit re-stamps only what moved."""
    return ical.stamped(body, stamp)


def later(previous: datetime, now: datetime) -> datetime:
    """Now, or a second after `previous` if the clock has not passed it (iCalendar and HTTP
    dates count whole seconds): a client must see the time move."""
    return max(now, previous.replace(microsecond=0) + timedelta(seconds=1))


def stored_stamps(keys: list[str]) -> dict[str, sa.Row]:
    """The stored stamps of those keys."""
    found = {}
    for start in range(0, len(keys), CHUNK):
        rows = db.session.execute(sa.select(
            EventStamp.key, EventStamp.fingerprint, EventStamp.sequence,
            EventStamp.last_modified).where(EventStamp.key.in_(keys[start:start + CHUNK])))
        found.update((row.key, row) for row in rows)
    return found


def store(rows: list[dict]) -> None:
    """Insert or move the stamps (another worker may store the same ones: the higher wins)."""
    if not rows:
        return
    statement = insert_on_conflict(EventStamp)
    statement = statement.on_conflict_do_update(
        index_elements=[EventStamp.key],
        set_={"fingerprint": statement.excluded.fingerprint,
              "sequence": sa.case(
                  (statement.excluded.sequence > EventStamp.sequence, statement.excluded.sequence),
                  else_=EventStamp.sequence),
              "last_modified": statement.excluded.last_modified})
    db.session.execute(statement, rows)
