"""Built feed bodies, shared by every worker through the database.

A row per feed key holds the body built for one content `version`; a request whose version
differs rebuilds and replaces it, so an edit (which bumps the edition's revision) can never be
answered with a stale body. The ETag is a hash of the body, so a small per-process memory keyed
on it is always right and spares the database the body on most requests.
"""

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from meetings.database import insert_on_conflict, read_only
from meetings.extensions import db
from meetings.models import FeedCache

MEMORY_ENTRIES = 32
_memory: OrderedDict[str, tuple[bytes, bytes]] = OrderedDict()
_memory_lock = threading.Lock()


@dataclass(frozen=True)
class Feed:
    """What a response needs: validators always, the bodies only when they are sent."""

    key: str
    etag: str
    last_modified: datetime
    content_type: str
    body: bytes | None = None
    gzip_body: bytes | None = None
    built: bool = False  # by this request: stored in its transaction, not committed yet


def cached(key: str, version: str, *, content_type: str, last_modified: datetime,
           build: Callable[[], bytes], now: datetime, edition_id: int | None = None) -> Feed:
    """The feed for `key` at `version`: the stored validators, or a fresh build stored for all."""
    row = db.session.execute(stored_validators(key)).first()
    return current(row, version) or build_and_store(
        key, version, content_type=content_type, last_modified=last_modified, build=build,
        now=now, edition_id=edition_id, previous=row)


def stored(key: str, version: str) -> Feed | None:
    """The stored validators of `key` if they were built for `version`."""
    return current(db.session.execute(stored_validators(key)).first(), version)


def stored_validators(key: str) -> sa.Select:
    """The columns `current` reads, for one key."""
    return sa.select(FeedCache.key, FeedCache.version, FeedCache.etag, FeedCache.last_modified,
                     FeedCache.content_type).where(FeedCache.key == key)


def current(row, version: str) -> Feed | None:
    """A feed from a row of stored validators (key, version, etag, last_modified, content_type)
    when it holds `version`; None when it is missing or was built from something else."""
    if row is None or row.version != version:
        return None
    return Feed(row.key, row.etag, row.last_modified, row.content_type)


def build_and_store(key: str, version: str, *, content_type: str, last_modified: datetime,
                    build: Callable[[], bytes], now: datetime,
                    edition_id: int | None = None, previous=None) -> Feed:
    """Build the body, keep it in this process and store it for every worker.

    `previous` is the stored row of validators (etag, last_modified) this build replaces."""
    body = build()
    etag = body_etag(body)
    feed = Feed(key, etag, forward(previous, etag, last_modified, now), content_type, body,
                gzip.compress(body, compresslevel=6, mtime=0), built=True)
    remember(feed)
    store(feed, version, edition_id, now)
    return feed


def forward(previous, etag: str, last_modified: datetime, now: datetime) -> datetime:
    """Last-Modified of a new build: the stored one if the bytes are the same, else later than it.

    A feed of several editions computes its time from what it lists, which goes back when the
    newest edition is unpublished or deleted; a client's If-Modified-Since must not then get a
    304 for bytes it has never seen. HTTP dates count whole seconds, so "later" is a second on.
    """
    if previous is None or previous.etag is None:
        return last_modified
    if previous.etag == etag:
        return previous.last_modified
    floor = previous.last_modified.replace(microsecond=0)
    if last_modified.replace(microsecond=0) > floor:
        return last_modified
    return max(now, floor + timedelta(seconds=1))


def with_body(feed: Feed) -> Feed | None:
    """The feed with its bodies: from memory, else from the stored row (None if it is gone)."""
    if feed.body is not None:
        return feed
    with _memory_lock:
        bodies = _memory.get(feed.etag)
    if bodies is not None:
        return Feed(feed.key, feed.etag, feed.last_modified, feed.content_type, *bodies)
    row = read_only(db.engine, lambda connection: connection.execute(
        sa.select(FeedCache.etag, FeedCache.last_modified, FeedCache.content_type,
                  FeedCache.body, FeedCache.gzip_body).where(FeedCache.key == feed.key)
    ).first())
    if row is None:
        return None
    loaded = Feed(feed.key, row.etag, row.last_modified, row.content_type, row.body,
                  row.gzip_body)
    remember(loaded)
    return loaded


def body_etag(body: bytes) -> str:
    """A strong validator: the hash of the exact bytes."""
    return hashlib.sha256(body).hexdigest()[:32]


def forget() -> None:
    """Drop the bodies this process keeps (a new worker starts without them)."""
    with _memory_lock:
        _memory.clear()


def remember(feed: Feed) -> None:
    """Keep the bodies in this process, most recently used last."""
    with _memory_lock:
        _memory[feed.etag] = (feed.body, feed.gzip_body)
        _memory.move_to_end(feed.etag)
        while len(_memory) > MEMORY_ENTRIES:
            _memory.popitem(last=False)


def store(feed: Feed, version: str, edition_id: int | None, now: datetime) -> None:
    """Insert or replace the row for this key (another worker may be storing it too)."""
    values = dict(key=feed.key, edition_id=edition_id, version=version,
                  content_type=feed.content_type, etag=feed.etag,
                  last_modified=feed.last_modified, built_at=now, body=feed.body,
                  gzip_body=feed.gzip_body)
    statement = insert_on_conflict(FeedCache).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[FeedCache.key],
        set_={name: statement.excluded[name] for name in values if name != "key"},
    )
    db.session.execute(statement)


def personal_key(registration_id: int) -> str:
    """The key under which one attendee's personal feed is stored."""
    return f"personal/{registration_id}"


def forget_stored(key: str) -> None:
    """Delete a stored feed and this process's copy of its body (its owner erased their data)."""
    etag = db.session.scalar(sa.select(FeedCache.etag).where(FeedCache.key == key))
    db.session.execute(sa.delete(FeedCache).where(FeedCache.key == key))
    with _memory_lock:
        _memory.pop(etag, None)
