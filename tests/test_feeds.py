"""The feed URLs over HTTP: caching, conditional requests, privacy, organizer token, demo feeds."""

import gzip
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import sqlalchemy as sa
from lxml import etree

from meetings import create_app, ical
from meetings.agenda.catalog import delete_speaker, update_speaker
from meetings.badges.keys import secret_of
from meetings.database import read_engine
from meetings.demo import load_demo
from meetings.extensions import db
from meetings.feeds import cache, events, service
from meetings.models import (
    AuditEntry,
    Edition,
    EditionStatus,
    FeedCache,
    Room,
    Session,
    SessionAccess,
    SessionStatus,
    Speaker,
    Track,
    User,
    Venue,
)
from meetings.visas.crypto import data_key
from tests.conftest import POSTGRES_URL
from tests.factories import (
    MAIL_SITE,
    make_edition,
    make_session,
    make_speaker,
    make_track,
    make_venue,
)
from tests.shared import FRAB_SCHEMAS, icalcheck

LATER = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
PUBLIC_FEEDS = ("/2027/agenda.ics", "/2027/tracks/policy.ics", "/2027/schedule.xml",
                "/2027/schedule.json")


@pytest.fixture(autouse=True)
def forget_bodies():
    """Each test starts like a fresh worker: nothing in this process's memory."""
    forget_process_memory()
    yield
    forget_process_memory()


def forget_process_memory() -> None:
    """What a new worker process starts without: stored bodies and serialized events."""
    cache.forget()
    events.event_cache.clear()


def build_agenda(app, status=EditionStatus.PUBLISHED, slug="2027", extra_sessions=0) -> dict:
    with app.app_context():
        venue = make_venue(name=f"World Forum {slug}")
        edition = make_edition(slug=slug, venue=venue, status=status)
        track = make_track(edition, "Policy")
        ada = make_speaker(edition, "Ada Lovelace", organization="INTERPOL")
        hidden = make_speaker(edition, "Hidden Person", organization="Secret Unit")
        public = make_session(edition, "Opening keynote", room=venue.rooms[0], track=track,
                              speakers=[ada], online_url="https://stream.example.org/open-link")
        closed = make_session(edition, "Heads of unit meeting", room=venue.rooms[1], track=track,
                              starts_at=datetime(2027, 3, 28, 10, 0, tzinfo=UTC),
                              speakers=[hidden], access=SessionAccess.CLOSED,
                              description="Confidential item.",
                              online_url="https://stream.example.org/closed-link")
        for i in range(extra_sessions):
            make_session(edition, f"Extra {i}", room=venue.rooms[i % 2], speakers=[ada, hidden],
                         starts_at=datetime(2027, 3, 29, 7, 0, tzinfo=UTC) + timedelta(hours=i))
        edition.touch(datetime(2027, 1, 10, 12, 0, tzinfo=UTC))
        db.session.commit()
        return {"edition": edition.id, "public": public.id, "closed": closed.id,
                "track": track.id}


def edit_title(app, session_id: int, title: str) -> None:
    with app.app_context():
        session = db.session.get(Session, session_id)
        session.title = title
        session.sequence += 1
        session.updated_at = LATER
        session.edition.touch(LATER)
        db.session.commit()


def touch_edition(app, edition_id: int) -> None:
    with app.app_context():
        db.session.get(Edition, edition_id).touch(LATER)
        db.session.commit()


@pytest.fixture
def agenda(app):
    return build_agenda(app)


# ---------------------------------------------------------------- HTTP behaviour

@pytest.mark.parametrize("path", ["/2027/agenda.ics", "/2027/tracks/policy.ics",
                                  "/2027/sessions/{public}.ics", "/editions.ics"])
def test_public_feed_headers(client, agenda, path):
    response = client.get(path.format(**agenda))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()[:32]}"'
    assert response.last_modified is not None
    assert response.data.startswith(b"BEGIN:VCALENDAR\r\n")


def test_if_none_match_answers_304(client, agenda):
    first = client.get("/2027/agenda.ics")
    again = client.get("/2027/agenda.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "public, max-age=300"
    other = client.get("/2027/agenda.ics", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_if_modified_since_answers_304(client, agenda):
    first = client.get("/2027/agenda.ics")
    modified = first.headers["Last-Modified"]
    assert client.get("/2027/agenda.ics",
                      headers={"If-Modified-Since": modified}).status_code == 304
    older = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert client.get("/2027/agenda.ics", headers={"If-Modified-Since": older}).status_code == 200


def test_etag_changes_after_an_edit_and_not_otherwise(app, client, agenda):
    first = client.get("/2027/agenda.ics").headers["ETag"]
    assert client.get("/2027/agenda.ics").headers["ETag"] == first
    touch_edition(app, agenda["edition"])  # a new revision that changes nothing in this feed
    assert client.get("/2027/agenda.ics").headers["ETag"] == first
    edit_title(app, agenda["public"], "Opening keynote (moved)")
    response = client.get("/2027/agenda.ics", headers={"If-None-Match": first})
    assert response.status_code == 200
    assert response.headers["ETag"] != first
    assert b"SUMMARY:Opening keynote (moved)" in response.data
    assert b"SEQUENCE:1" in response.data


def test_gzip_when_accepted(client, agenda):
    plain = client.get("/2027/agenda.ics")
    zipped = client.get("/2027/agenda.ics", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert "Content-Encoding" not in plain.headers
    # Either variant's validator means the client's copy is current.
    assert client.get("/2027/agenda.ics", headers={
        "If-None-Match": zipped.headers["ETag"]}).status_code == 304
    assert client.get("/2027/agenda.ics", headers={
        "Accept-Encoding": "gzip;q=0"}).headers.get("Content-Encoding") is None


def test_head_sends_headers_without_body(client, agenda):
    get = client.get("/2027/agenda.ics")
    head = client.head("/2027/agenda.ics")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(get.data))


def test_body_is_built_once_and_shared_through_the_database(app, client, agenda, monkeypatch):
    first = client.get("/2027/agenda.ics")
    with app.app_context():
        row = db.session.scalar(sa.select(FeedCache).where(FeedCache.key.like("agenda/%")))
        assert row.etag == first.headers["ETag"].strip('"') and row.body == first.data

    def must_not_build(*args, **kwargs):
        raise AssertionError("rebuilt although nothing changed")

    monkeypatch.setattr(ical, "calendar", must_not_build)
    monkeypatch.setattr(ical, "session_event", must_not_build)
    forget_process_memory()  # another worker: only the database has the body
    assert client.get("/2027/agenda.ics").data == first.data
    monkeypatch.undo()
    edit_title(app, agenda["public"], "Edited elsewhere")
    forget_process_memory()
    assert b"SUMMARY:Edited elsewhere" in client.get("/2027/agenda.ics").data


def built_from_scratch(app, client, path: str) -> bytes:
    """The feed as a new worker builds it with no stored body: what any rebuild must equal."""
    forget_process_memory()
    with app.app_context():
        db.session.execute(sa.delete(FeedCache))
        db.session.commit()
    return client.get(path).data


def test_one_session_edit_serializes_one_event(app, client, monkeypatch):
    ids = build_agenda(app, extra_sessions=6)
    client.get("/2027/agenda.ics")
    serialized = []
    original = ical.session_event

    def counting(session, *args):
        serialized.append(session.id)
        return original(session, *args)

    monkeypatch.setattr(ical, "session_event", counting)
    edit_title(app, ids["public"], "Opening keynote (moved)")
    body = client.get("/2027/agenda.ics").data
    assert serialized == [ids["public"]]
    assert b"SUMMARY:Opening keynote (moved)" in body
    assert len(icalendar.Calendar.from_ical(body).walk("VEVENT")) == 8
    assert body == built_from_scratch(app, client, "/2027/agenda.ics")


def rename_track(edition):
    db.session.scalar(sa.select(Track).where(Track.edition_id == edition.id)).name = "Ethics"
    return b"Ethics"


def rename_speaker(edition):
    """Through the catalog, as organizers do: the speaker's sessions move (their key with them)."""
    speaker = db.session.scalar(sa.select(Speaker).where(Speaker.name == "Ada Lovelace"))
    update_speaker(speaker, now=LATER, name="Ada King", organization="Europol",
                   title=speaker.title, country=speaker.country, bio=speaker.bio)
    return b"Ada King (Europol)"


def rename_room(edition):
    db.session.scalar(sa.select(Room).where(Room.name == "Main Hall")).name = "Hall One"
    return b"LOCATION:Hall One\\, World Forum 2027"


def move_venue(edition):
    venue = db.session.get(Venue, edition.venue_id)
    venue.name, venue.latitude = "Peace Palace", 52.0866
    return b"GEO:52.0866;"


def change_time_zone(edition):
    edition.timezone = "Asia/Singapore"
    return b"Singapore time"


def drop_speaker(edition):
    delete_speaker(db.session.scalar(sa.select(Speaker).where(Speaker.name == "Ada Lovelace")),
                   now=LATER)
    return b"SUMMARY:Opening keynote"


@pytest.mark.parametrize("edit", [rename_track, rename_speaker, rename_room, move_venue,
                                  change_time_zone, drop_speaker])
def test_catalog_edits_reach_every_event_of_a_warm_worker(app, client, agenda, edit):
    """A track, room, venue or zone edit moves no session's SEQUENCE, yet each event shows it; a
    speaker's edit moves their sessions (agenda/catalog.py), so their events too."""
    before = client.get("/2027/agenda.ics").data
    with app.app_context():
        edition = db.session.get(Edition, agenda["edition"])
        expected = edit(edition)
        edition.touch(LATER)
        db.session.commit()
    body = client.get("/2027/agenda.ics").data
    assert body != before
    assert expected in body.replace(b"\r\n ", b"")
    assert body == built_from_scratch(app, client, "/2027/agenda.ics")


def test_private_events_never_reach_public_feeds(app, client, admin, agenda):
    """The organizer's variant of a closed session is cached apart from the public one."""
    organizer = client.get(new_feed_url(client).removeprefix("http://localhost")).data
    assert b"SUMMARY:Heads of unit meeting" in organizer
    public = client.get("/2027/agenda.ics").data
    assert b"Heads of unit" not in public and b"closed-link" not in public
    assert b"SUMMARY:Closed session" in public


def test_an_edit_is_seen_at_once_by_another_worker(app, app_config, agenda):
    """No per-worker memo to wait for: the next request of any worker sees a committed edit."""
    other = create_app(app_config)
    reader = other.test_client()
    try:
        old = reader.get("/2027/agenda.ics")
        assert reader.get("/2027/agenda.ics", headers={
            "If-None-Match": old.headers["ETag"]}).status_code == 304
        edit_title(app, agenda["public"], "Opening keynote (moved)")
        fresh = reader.get("/2027/agenda.ics", headers={"If-None-Match": old.headers["ETag"]})
        assert fresh.status_code == 200
        assert b"SUMMARY:Opening keynote (moved)" in fresh.data
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("path", [*PUBLIC_FEEDS, "/2027/sessions/{public}.ics", "/editions.ics"])
def test_public_feeds_set_no_cookie(client, admin, agenda, path):
    """Shared caches may keep these responses: none of them sets a cookie, even when signed in."""
    path = path.format(**agenda)
    built = client.get(path)  # signed in, so a session cookie is sent with each request
    hit = client.get(path)
    not_modified = client.get(path, headers={"If-None-Match": hit.headers["ETag"]})
    assert (built.status_code, hit.status_code, not_modified.status_code) == (200, 200, 304)
    for response in (built, hit, not_modified):
        assert "Set-Cookie" not in response.headers


def test_a_hit_is_one_query(app, client, agenda):
    """The edition's revision and the stored validators are read together; the body is in memory."""
    client.get("/2027/agenda.ics")
    statements = []
    with app.app_context():
        listener = statements_into(statements)
        engines = {db.engine, *([read_engine(db.engine)] if POSTGRES_URL else [])}
        for engine in engines:
            sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            hit = client.get("/2027/agenda.ics")
            again = client.get("/2027/agenda.ics", headers={"If-None-Match": hit.headers["ETag"]})
        finally:
            for engine in engines:
                sa.event.remove(engine, "before_cursor_execute", listener)
    assert (hit.status_code, again.status_code) == (200, 304)
    assert len(statements) == 2, statements


@pytest.mark.skipif(not POSTGRES_URL, reason="the unpinged pool of reads is PostgreSQL's")
def test_a_hit_survives_a_connection_the_server_dropped(app, client, agenda):
    """Reads are not pinged before use: a connection the server closed is replaced, once."""
    first = client.get("/2027/agenda.ics")
    with app.app_context():
        reads = read_engine(db.engine)
        with reads.connect() as connection:
            backend = connection.scalar(sa.text("SELECT pg_backend_pid()"))
        with db.engine.connect() as connection:
            assert connection.scalar(sa.text("SELECT pg_terminate_backend(:pid)"),
                                     {"pid": backend})
    again = client.get("/2027/agenda.ics")
    assert again.status_code == 200 and again.data == first.data


@pytest.mark.parametrize("path", [*PUBLIC_FEEDS, "/2027/sessions/{public}.ics"])
def test_every_public_edition_feed_is_found_by_its_one_read(app, client, agenda, monkeypatch,
                                                             path):
    """The key the hit reads in SQL is the key the build stored: a second GET builds nothing."""
    path = path.format(**agenda)
    first = client.get(path)

    def must_not_build(*args, **kwargs):
        raise AssertionError(f"{path} rebuilt although nothing changed")

    monkeypatch.setattr(service, "build_and_store", must_not_build)
    forget_process_memory()  # another worker: the body comes from the database
    assert client.get(path).data == first.data


def test_event_cache_is_bounded_and_keeps_the_most_recently_used():
    lru = events.EventCache(2)
    lru.put(("a",), b"A")
    lru.put(("b",), b"B")
    assert lru.get(("a",)) == b"A"
    lru.put(("c",), b"C")
    assert (lru.get(("a",)), lru.get(("b",)), lru.get(("c",))) == (b"A", None, b"C")
    assert len(lru) == 2


def statements_into(statements: list):
    def listener(connection, cursor, statement, *args):
        statements.append(statement)

    return listener


def test_query_count_does_not_grow_with_sessions(app, client):
    build_agenda(app, slug="small", extra_sessions=2)
    build_agenda(app, slug="large", extra_sessions=40)
    counts = {}
    for slug in ("small", "large"):
        for kind in ("agenda.ics", "schedule.xml", "schedule.json"):
            statements = []
            with app.app_context():
                listener = statements_into(statements)
                sa.event.listen(db.engine, "before_cursor_execute", listener)
                try:
                    assert client.get(f"/{slug}/{kind}").status_code == 200
                finally:
                    sa.event.remove(db.engine, "before_cursor_execute", listener)
            counts[slug, kind] = len(statements)
    for kind in ("agenda.ics", "schedule.xml", "schedule.json"):
        assert counts["small", kind] == counts["large", kind], counts
        # agenda.ics also reads and stores its events' stamps (feeds/stamps.py)
        assert counts["large", kind] <= 10, counts


# ---------------------------------------------------------------- what the feeds may show

@pytest.mark.parametrize("path", [*PUBLIC_FEEDS, "/2027/sessions/{closed}.ics", "/editions.ics"])
def test_closed_session_details_never_in_public_feeds(client, agenda, path):
    response = client.get(path.format(**agenda), headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    for secret in (b"Heads of unit", b"Confidential", b"Hidden Person", b"Secret Unit",
                   b"closed-link", b"open-link"):
        assert secret not in response.data


def test_closed_session_is_listed_as_closed_with_time_and_room(client, agenda):
    body = client.get("/2027/agenda.ics").data
    calendar = icalendar.Calendar.from_ical(body)
    closed = [e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Closed session"]
    assert len(closed) == 1
    assert closed[0].decoded("DTSTART") == datetime(2027, 3, 28, 10, 0, tzinfo=UTC)
    assert str(closed[0]["LOCATION"]).startswith("Room B, World Forum 2027")
    track = client.get("/2027/tracks/policy.ics").data
    assert b"Closed session" not in track and b"SUMMARY:Opening keynote" in track


def test_session_download_is_one_event_with_method_publish(client, agenda):
    body = client.get("/2027/sessions/{public}.ics".format(**agenda)).data
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Opening keynote"]


def test_cancelled_sessions_leave_the_feed_when_the_edition_is_archived(app, client, agenda):
    with app.app_context():
        session = db.session.get(Session, agenda["public"])
        session.status = SessionStatus.CANCELLED
        session.edition.touch(LATER)
        db.session.commit()
    assert b"STATUS:CANCELLED" in client.get("/2027/agenda.ics").data
    with app.app_context():
        edition = db.session.get(Edition, agenda["edition"])
        edition.status = EditionStatus.ARCHIVED
        edition.touch(LATER)
        db.session.commit()
    body = client.get("/2027/agenda.ics").data
    assert b"STATUS:CANCELLED" not in body and b"Opening keynote" not in body


@pytest.mark.parametrize("path", [*PUBLIC_FEEDS, "/2027/sessions/{public}.ics",
                                  "/2027/tracks/nope.ics", "/nope/agenda.ics"])
def test_drafts_and_unknown_things_404(app, client, path):
    ids = build_agenda(app, status=EditionStatus.DRAFT)
    assert client.get(path.format(**ids)).status_code == 404


def test_drafts_are_not_in_the_editions_feed(app, client):
    build_agenda(app, status=EditionStatus.DRAFT, slug="draft")
    build_agenda(app, slug="2027")
    body = client.get("/editions.ics").data
    assert b"SUMMARY:Global Meeting on AI for Law Enforcement 2027" in body
    assert b"draft" not in body


def test_session_of_another_edition_404(app, client, agenda):
    other = build_agenda(app, slug="2028")
    assert client.get(f"/2027/sessions/{other['public']}.ics").status_code == 404


def test_frab_exports_validate(client, agenda):
    xsd = etree.XMLSchema(etree.parse(str(FRAB_SCHEMAS / "schedule.xml.xsd")))
    xml = client.get("/2027/schedule.xml")
    assert xml.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert xsd.validate(etree.fromstring(xml.data)), xsd.error_log
    import jsonschema

    response = client.get("/2027/schedule.json")
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    schema = json.loads((FRAB_SCHEMAS / "schema.json").read_text())
    jsonschema.validate(json.loads(response.data), schema,
                        format_checker=jsonschema.FormatChecker())
    assert client.get("/2027/schedule.xml", headers={
        "If-None-Match": xml.headers["ETag"]}).status_code == 304


# ---------------------------------------------------------------- organizer feed

def new_feed_url(client) -> str:
    response = client.post("/manage/feeds/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    return re.search(r'value="(http://localhost/feeds/organizer/[^"]+\.ics)"', page).group(1)


def test_manage_page_needs_login(client):
    assert client.get("/manage/feeds/").status_code == 302
    assert client.post("/manage/feeds/").status_code == 302


def test_organizer_feed_has_everything_and_is_private(app, client, admin, agenda):
    assert "Create my feed address" in client.get("/manage/feeds/").get_data(as_text=True)
    url = new_feed_url(client)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.is_admin))
        assert user.feed_token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in user.feed_token_hash
        assert db.session.scalar(sa.select(AuditEntry.action)) == "feeds.token_reset"
    response = client.get(url.removeprefix("http://localhost"))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert "Access-Control-Allow-Origin" not in response.headers
    assert b"SUMMARY:Heads of unit meeting" in response.data
    assert b"closed-link" in response.data
    assert "Make a new feed address" in client.get("/manage/feeds/").get_data(as_text=True)


def test_organizer_token_reset_retires_the_old_address(client, admin, agenda):
    old = new_feed_url(client).removeprefix("http://localhost")
    assert client.get(old).status_code == 200
    new = new_feed_url(client).removeprefix("http://localhost")
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.get("/feeds/organizer/not-a-token.ics").status_code == 404


def test_organizer_sees_only_their_editions(app, client, auth):
    mine = build_agenda(app, slug="mine")
    build_agenda(app, slug="theirs")
    auth.create("organizer@example.org", is_admin=False, editions=[mine["edition"]])
    auth.login("organizer@example.org")
    body = client.get(new_feed_url(client).removeprefix("http://localhost")).data
    assert b"World Forum mine" in body and b"World Forum theirs" not in body


@pytest.fixture
def rate_limited(app_config):
    app_config["RATELIMIT_ENABLED"] = True


def test_token_feed_is_rate_limited(rate_limited, client):
    answers = [client.get("/feeds/organizer/guess-{i}.ics").status_code for i in range(31)]
    assert answers[:30] == [404] * 30 and answers[30] == 429


# ---------------------------------------------------------------- demo data in five parsers

def test_every_demo_feed_passes_icalcheck(app, client, admin, tmp_path):
    with app.app_context():
        editions = load_demo(datetime(2026, 11, 25, tzinfo=UTC),
                             badge_secret=secret_of(app.config), visa_key=data_key(app.config),
                             site=MAIL_SITE)
        db.session.commit()
        paths = ["/editions.ics"]
        for edition in editions:
            paths.append(f"/{edition.slug}/agenda.ics")
            paths += [f"/{edition.slug}/tracks/{track.slug}.ics" for track in edition.tracks]
        upcoming = editions[-1]
        sessions = db.session.scalars(sa.select(Session).where(
            Session.edition_id == upcoming.id).order_by(Session.starts_at)).all()
        closed = next(s for s in sessions if s.is_closed)
        paths += [f"/{upcoming.slug}/sessions/{s.id}.ics" for s in (sessions[0], closed)]
    paths.append(new_feed_url(client).removeprefix("http://localhost"))
    files = []
    for number, path in enumerate(paths):
        response = client.get(path)
        assert response.status_code == 200, path
        files.append(tmp_path / f"{number:02d}.ics")
        files[-1].write_bytes(response.data)
    icalcheck(*files)


# ---------------------------------------------------------------- the Subscribe panel

def test_subscribe_panel_links(app):
    with app.test_request_context("/"):
        macros = app.jinja_env.get_template("feeds/_subscribe.html").module
        html = str(macros.subscribe_panel("Agenda — GM 2027", "https://m.example.org/2027/agenda.ics"))
        head = str(macros.feed_alternate("Agenda", "https://m.example.org/2027/agenda.ics"))
    assert 'href="webcal://m.example.org/2027/agenda.ics"' in html
    assert ('href="https://calendar.google.com/calendar/render?cid='
            'webcal%3A%2F%2Fm.example.org%2F2027%2Fagenda.ics"') in html
    assert ('href="https://outlook.live.com/calendar/0/addfromweb?url='
            'https%3A%2F%2Fm.example.org%2F2027%2Fagenda.ics&amp;name='
            'Agenda%20%E2%80%94%20GM%202027"') in html
    assert 'href="https://m.example.org/2027/agenda.ics" data-feed-link="download" download' in html
    assert '<label for="subscribe-url">' in html
    assert re.search(r'<input id="subscribe-url" type="url" value="https://m.example.org/2027/'
                     r'agenda.ics" readonly', html)
    assert 'data-copy-target="subscribe-url"' in html and 'data-copied="Copied"' in html
    assert 'role="status" aria-live="polite"' in html
    assert "Google Calendar refreshes subscribed calendars only every several hours" in html
    assert "js/subscribe.js" in html
    assert head.strip() == ('<link rel="alternate" type="text/calendar" title="Agenda" '
                            'href="https://m.example.org/2027/agenda.ics">')
