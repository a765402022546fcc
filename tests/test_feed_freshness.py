"""The per-process feed memo: no SQL on a hit, and no stale body across workers after an edit."""

import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from meetings import create_app
from meetings.extensions import db
from meetings.feeds import cache, freshness
from meetings.models import Edition, FeedCache
from tests.conftest import POSTGRES_URL
from tests.test_feeds import LATER, build_agenda, edit_title

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ("/2027/agenda.ics", "/2027/tracks/policy.ics", "/2027/sessions/{public}.ics",
          "/2027/schedule.xml", "/2027/schedule.json", "/editions.ics")
postgres_only = pytest.mark.skipif(
    not POSTGRES_URL, reason="LISTEN/NOTIFY needs postgres: set TEST_DATABASE_URL")


@pytest.fixture(autouse=True)
def forget_bodies():
    cache._memory.clear()
    yield
    cache._memory.clear()


@pytest.fixture
def agenda(app):
    return build_agenda(app)


@pytest.fixture
def other_app(app_config):
    """A second worker: its own app, engine and memo (FEEDS_MEMO_MAX_LAG of one second)."""
    other = create_app({**app_config, "FEEDS_MEMO_MAX_LAG": 1.0})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def statements(app, client, path: str, **headers) -> tuple[object, int]:
    """The response to GET path and how many SQL statements the app sent for it."""
    sent = []

    def count(*args):
        sent.append(args[2])

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path, headers=headers)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return response, len(sent)


def warm(app, client, path: str) -> str:
    """Request until the answer comes from the memo (no SQL); its ETag."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        response, count = statements(app, client, path)
        assert response.status_code == 200
        if count == 0:
            return response.headers["ETag"]
        time.sleep(0.02)
    raise AssertionError(f"{path} never answered from the memo")


def first_change(client, path: str, old: str, within: float) -> float:
    """Seconds until GET path answers another ETag than `old` (fails after `within`)."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        if client.get(path).headers["ETag"] != old:
            return time.monotonic() - started
        time.sleep(0.01)
    raise AssertionError(f"{path} still answered {old} after {within} s")


def test_sqlite_has_no_memo_and_always_checks_the_database(tmp_path, app_config):
    lite = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    with lite.app_context():
        db.create_all()
    build_agenda(lite)
    client = lite.test_client()
    client.get("/2027/agenda.ics")
    response, count = statements(lite, client, "/2027/agenda.ics")
    assert response.status_code == 200 and count >= 2
    assert freshness.memo_for(lite).lookup(("feeds.edition_agenda", ("slug", "2027"))) is None
    with lite.app_context():
        db.engine.dispose()


def test_a_flush_records_the_editions_it_changes(app, agenda):
    with app.app_context():
        session = db.session
        edition = session.get(Edition, agenda["edition"])
        edition.touch(edition.updated_at)
        session.flush()
        assert session.info[freshness.PENDING] == {str(agenda["edition"])}
        session.add(FeedCache(key="x", version="1", content_type="text/plain", etag="e",
                              last_modified=edition.updated_at, built_at=edition.updated_at,
                              body=b"", gzip_body=b""))
        session.flush()  # a feed build stores bodies: that changes no feed
        assert session.info[freshness.PENDING] == {str(agenda["edition"])}
        session.rollback()
        assert freshness.PENDING not in session.info


@postgres_only
@pytest.mark.parametrize("path", PUBLIC)
def test_a_warm_hit_sends_no_sql(app, client, agenda, path):
    path = path.format(**agenda)
    etag = warm(app, client, path)
    for headers in ({}, {"If-None-Match": etag}, {"Accept-Encoding": "gzip"}):
        response, count = statements(app, client, path, **headers)
        assert count == 0 and response.status_code in (200, 304)
    assert response.headers["Content-Encoding"] == "gzip"


@postgres_only
def test_the_notification_is_sent_by_the_commit_and_carries_the_edition(app, agenda):
    with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), autocommit=True) as listener:
        listener.execute(f"LISTEN {freshness.CHANNEL}")
        edit_title(app, agenda["public"], "Renamed")
        payloads = {note.payload for note in listener.notifies(timeout=0.5)}
        assert payloads == {str(agenda["edition"])}
        with app.app_context():
            db.session.get(Edition, agenda["edition"]).touch(LATER)
            db.session.flush()
            assert list(listener.notifies(timeout=0.3)) == []  # not before the commit
            db.session.rollback()
        assert list(listener.notifies(timeout=0.3)) == []  # and never after a rollback


@postgres_only
def test_an_edit_in_one_app_is_seen_by_the_other_at_once(app, other_app, agenda):
    reader = other_app.test_client()
    paths = [path.format(**agenda) for path in PUBLIC[:2] + PUBLIC[3:]]
    old = {path: warm(other_app, reader, path) for path in paths}
    edit_title(app, agenda["public"], "Opening keynote (moved)")
    for path in paths:
        assert first_change(reader, path, old[path], within=1.0) < 1.0
    assert b"Opening keynote (moved)" in reader.get("/2027/agenda.ics").data


@postgres_only
def test_a_stalled_listener_is_distrusted_after_max_lag(app, other_app, agenda, monkeypatch):
    reader = other_app.test_client()
    old = warm(other_app, reader, "/2027/agenda.ics")
    release = threading.Event()
    applied = []

    def stalled(listener, payload):
        release.wait(10)
        applied.append(payload)

    monkeypatch.setattr(freshness.Listener, "apply", stalled)
    try:
        edit_title(app, agenda["public"], "Moved while the listener sleeps")
        committed = time.monotonic()
        waited = first_change(reader, "/2027/agenda.ics", old, within=3.0)
        assert applied == []  # seen through the database: the notification is still pending
        assert time.monotonic() - committed <= 1.0 + freshness.HEARTBEAT + 0.3
    finally:
        release.set()
    assert waited <= 1.0 + freshness.HEARTBEAT + 0.3
    monkeypatch.undo()
    warm(other_app, reader, "/2027/agenda.ics")  # trusted again once it caught up


@postgres_only
def test_the_listener_reconnects_after_its_connection_is_killed(app, other_app, agenda):
    reader = other_app.test_client()
    old = warm(other_app, reader, "/2027/agenda.ics")
    listener = freshness.memo_for(other_app).listener
    killed = listener.backend_pid
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.pg_terminate_backend(killed)))
    deadline = time.monotonic() + 5
    while listener.backend_pid in (None, killed) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert listener.backend_pid not in (None, killed)
    warm(other_app, reader, "/2027/agenda.ics")
    edit_title(app, agenda["public"], "After the reconnect")
    assert first_change(reader, "/2027/agenda.ics", old, within=1.0) < 1.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(agenda):
    """The app under gunicorn with two workers (each forks, then listens) on the test database."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": POSTGRES_URL, "SECRET_KEY": "test",
           "SITE_URL": "http://localhost", "CALENDAR_DOMAIN": "meetings.test"}
    process = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b",
                                f"127.0.0.1:{port}", "--log-level", "warning", "app:app"],
                               cwd=ROOT, env=env)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=20)


def etag_from(base: str) -> str:
    import urllib.request

    with urllib.request.urlopen(f"{base}/2027/agenda.ics", timeout=5) as response:
        return response.headers["ETag"]


@postgres_only
def test_every_gunicorn_worker_sees_an_edit_made_elsewhere(app, agenda, gunicorn):
    deadline = time.monotonic() + 20
    while True:
        try:
            old = etag_from(gunicorn)
            break
        except OSError:
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
    assert {etag_from(gunicorn) for _ in range(40)} == {old}  # both workers warm
    edit_title(app, agenda["public"], "Edited from another process")
    time.sleep(1.0)
    assert old not in {etag_from(gunicorn) for _ in range(40)}
