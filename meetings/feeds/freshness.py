"""A per-process memo of public feeds that answers a cache hit without the database.

On PostgreSQL a flush that changes an edition or its agenda sends
`pg_notify('meetings_feeds', '<edition id>')` inside its own transaction, so the server delivers
it exactly when the change commits (and never if it rolls back). Each worker process keeps one
listening connection in a daemon thread, started on the first feed request (gunicorn forks
after import), which drops the memo entries of that edition and the editions feed. The process
that commits drops its own entries as soon as the commit returns.

Staleness window, explicitly: the memo is trusted only while the listener is connected and
has finished a round trip to the server begun at most `max_lag` seconds ago. PostgreSQL sends
pending notifications before it answers a query, so once that round trip is back, every change
committed before it began has been applied. A hit therefore never reflects a state older than
`max_lag` seconds (FEEDS_MEMO_MAX_LAG, default 2), and in practice a change is seen as soon as
its notification arrives (well under a millisecond on one host). While the listener is not
connected or is behind, requests check the database as before. SQLite has no memo.
"""

import logging
import os
import threading
import time
import weakref

import psycopg
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app, has_app_context

from meetings.feeds.cache import Feed
from meetings.models import Edition, Room, Session, SessionSpeaker, Speaker, Track, Venue

CHANNEL = "meetings_feeds"
EXTENSION = "meetings_feeds_memo"
ALL = "*"  # payload for a change that may touch any edition (a venue, a room, a speaker link)
PENDING = "meetings_feeds_changed"
FLUSHING = "meetings_feeds_flushing"
MAX_ENTRIES = 512
HEARTBEAT = 0.5
RETRY_DELAYS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
OF_EDITION = (Session, Track, Speaker)
FEED_MODELS = (Edition, *OF_EDITION, Venue, Room, SessionSpeaker)
log = logging.getLogger(__name__)
_listeners: dict[tuple[int, str], "Listener"] = {}
_listeners_lock = threading.Lock()


class Memo:
    """One app's feeds in this process: feed identity → (edition id or None, Feed with bodies)."""

    def __init__(self, url: str | None, max_lag: float):
        self.url, self.max_lag = url, max(max_lag, 2 * HEARTBEAT)
        self.pid, self.listener = None, None
        self.entries: dict[tuple, tuple[int | None, Feed]] = {}
        self.generation = 0
        self.lock = threading.Lock()

    def lookup(self, key: tuple) -> Feed | None:
        """The remembered feed, or None when there is none or the memo cannot be trusted now."""
        if self.url is not None and self.pid != os.getpid():
            self.attach()
        if not self.trusted():
            return None
        entry = self.entries.get(key)
        return entry[1] if entry else None

    def store(self, key: tuple, feed: Feed, edition_id: int | None, generation: int) -> None:
        """Remember a feed read from the database, unless a change arrived since `generation`."""
        with self.lock:
            if generation != self.generation or not self.trusted():
                return
            if len(self.entries) >= MAX_ENTRIES:
                self.entries.pop(next(iter(self.entries)))
            self.entries[key] = (edition_id, feed)

    def invalidate(self, editions: set[str]) -> None:
        """Forget the feeds of these editions (all of them for ALL) and the editions feed."""
        with self.lock:
            self.generation += 1
            if ALL in editions:
                self.entries.clear()
                return
            for key, (edition_id, _) in list(self.entries.items()):
                if edition_id is None or str(edition_id) in editions:
                    del self.entries[key]

    def trusted(self) -> bool:
        """PostgreSQL with a listener in this process that is connected and up to date."""
        if self.url is None or self.pid != os.getpid():
            return False
        return self.listener.is_current(self.max_lag)

    def attach(self) -> None:
        """Start afresh in this process (a forked worker inherits no thread) and listen."""
        self.pid, self.lock, self.entries = os.getpid(), threading.Lock(), {}
        self.generation += 1
        self.listener = listener_for(self.url)
        self.listener.memos.add(self)


class Listener:
    """The thread that applies this process's notifications to every memo of one database."""

    def __init__(self, url: str):
        self.url = url
        self.memos: weakref.WeakSet[Memo] = weakref.WeakSet()
        self.confirmed_at: float | None = None  # when the last completed round trip began
        self.backend_pid: int | None = None
        self.thread = threading.Thread(target=self.run, name="feeds-listener", daemon=True)

    def is_current(self, max_lag: float) -> bool:
        """Connected, with a round trip begun less than `max_lag` seconds ago."""
        confirmed = self.confirmed_at
        return confirmed is not None and time.monotonic() - confirmed <= max_lag

    def run(self) -> None:
        """Listen for ever: reconnect after a loss, trusting nothing while disconnected."""
        failures = 0
        while True:
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=5,
                                     keepalives_idle=10, keepalives_interval=5,
                                     keepalives_count=3, tcp_user_timeout=20000) as connection:
                    self.listen(connection)
                    failures = 0
                    while True:
                        self.follow(connection)
            except Exception as error:  # any failure: distrust, wait, reconnect
                self.lost()
                log.warning("feeds listener lost its connection (%s); reconnecting", error)
                time.sleep(RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)])
                failures += 1

    def listen(self, connection) -> None:
        """LISTEN, then start from an empty memo: changes before now were never notified."""
        began = time.monotonic()
        connection.execute(f"LISTEN {CHANNEL}")
        self.backend_pid = connection.info.backend_pid
        self.apply(ALL)
        self.confirmed_at = began

    def follow(self, connection) -> None:
        """Apply notifications for a heartbeat, then a round trip that flushes any pending ones."""
        for note in connection.notifies(timeout=HEARTBEAT):
            self.apply(note.payload)
        began = time.monotonic()
        connection.execute("SELECT 1")
        for note in connection.notifies(timeout=0):  # those delivered with the answer
            self.apply(note.payload)
        self.confirmed_at = began

    def lost(self) -> None:
        """The connection is gone: notifications may be missed, so trust and keep nothing."""
        self.confirmed_at, self.backend_pid = None, None
        self.apply(ALL)

    def apply(self, payload: str) -> None:
        for memo in list(self.memos):
            memo.invalidate({payload})


def listener_for(url: str) -> Listener:
    """This process's listener for that database, started on first use."""
    with _listeners_lock:
        key = (os.getpid(), url)
        if key not in _listeners:
            _listeners[key] = Listener(url)
            _listeners[key].thread.start()
        return _listeners[key]


def init_app(app: Flask) -> None:
    """Give the app its memo (PostgreSQL only) and watch every session for feed changes."""
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    conninfo = None
    if url.get_backend_name() == "postgresql":
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    app.extensions[EXTENSION] = Memo(conninfo, float(app.config.get("FEEDS_MEMO_MAX_LAG", 2.0)))
    if not sa.event.contains(so.Session, "after_flush", notify_changes):
        sa.event.listen(so.Session, "before_flush", collect_changes)
        sa.event.listen(so.Session, "after_flush", notify_changes)
        sa.event.listen(so.Session, "do_orm_execute", notify_bulk_changes)
        sa.event.listen(so.Session, "after_commit", forget_committed)
        sa.event.listen(so.Session, "after_rollback", forget_pending)


def memo_for(app: Flask) -> Memo:
    return app.extensions[EXTENSION]


def changed_editions(session: so.Session) -> set[str]:
    """The editions whose feeds this flush changes (ALL when it cannot tell which)."""
    dirty = (obj for obj in session.dirty if session.is_modified(obj))
    changed = set()
    for obj in (*session.new, *session.deleted, *dirty):
        if isinstance(obj, FEED_MODELS):
            # Read loaded values only: a deleted row must not be loaded again mid-flush.
            value = vars(obj).get("id" if isinstance(obj, Edition) else "edition_id")
            changed.add(str(value) if isinstance(obj, (Edition, *OF_EDITION)) and value else ALL)
    return changed


def collect_changes(session: so.Session, _flush_context, _instances) -> None:
    """Note what the flush will change while the pending changes are still visible.

    After the flush they are not: a value assigned as a SQL expression (the edition's
    revision counter) is expired as soon as its UPDATE runs.
    """
    session.info.setdefault(FLUSHING, set()).update(changed_editions(session))


def notify_changes(session: so.Session, _flush_context) -> None:
    """Notify in the flush's transaction: PostgreSQL delivers it only if that commits."""
    notify(session, session.info.pop(FLUSHING, set()) | changed_editions(session))


def notify_bulk_changes(state: so.ORMExecuteState) -> None:
    """An UPDATE or DELETE statement on a feed model bypasses the flush: notify for all."""
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper and issubclass(mapper.class_, FEED_MODELS):
        notify(state.session, {ALL})


def notify(session: so.Session, editions: set[str]) -> None:
    if not editions:
        return
    session.info.setdefault(PENDING, set()).update(editions)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        for payload in sorted(editions):  # the server folds repeats within one transaction
            connection.execute(sa.select(sa.func.pg_notify(CHANNEL, payload)))


def forget_committed(session: so.Session) -> None:
    """The committing app drops its own entries now: its next request sees its own change."""
    editions = session.info.pop(PENDING, None)
    if editions and has_app_context() and EXTENSION in current_app.extensions:
        memo_for(current_app).invalidate(editions)


def forget_pending(session: so.Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(FLUSHING, None)
