"""Public agenda pages: agenda by day, session detail, speakers."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from meetings.extensions import db
from meetings.models import (
    Edition,
    EditionStatus,
    Session,
    SessionAccess,
    SessionStatus,
    SessionType,
    SpeakerRole,
)
from tests.factories import make_edition, make_session, make_speaker, make_track, make_venue

XSS = '<script>alert("x")</script>'
SECRET_URL = "https://meet.example.org/secret-room"


@pytest.fixture
def agenda(app):
    """A published Amsterdam edition with an open, a closed and a cancelled session."""
    with app.app_context():
        venue = make_venue()
        main, room_b = venue.rooms
        edition = make_edition(venue=venue)
        policy = make_track(edition, name="Policy", colour="#aa0000")
        tech = make_track(edition, name="Technology", colour="#00aa00")
        ada = make_speaker(edition)
        grace = make_speaker(edition, name="Grace Hopper", organization="US Navy", country="US")
        make_session(edition, title="Late panel", room=main, track=tech, type=SessionType.PANEL,
                     starts_at=datetime(2027, 3, 28, 13, 0, tzinfo=UTC), speakers=[grace],
                     online_url=SECRET_URL)
        make_session(edition, title="Opening keynote", room=main, track=policy,
                     type=SessionType.KEYNOTE, starts_at=datetime(2027, 3, 28, 7, 0, tzinfo=UTC),
                     speakers=[ada, grace], description="Welcome **everyone**.",
                     online_url=SECRET_URL, chatham_house=True)
        make_session(edition, title="Operational briefing", room=room_b,
                     access=SessionAccess.CLOSED, starts_at=datetime(2027, 3, 28, 9, 0, tzinfo=UTC),
                     speakers=[grace], description="Undercover details", online_url=SECRET_URL)
        make_session(edition, title="Dropped workshop", room=room_b, type=SessionType.WORKSHOP,
                     status=SessionStatus.CANCELLED, capacity=20,
                     starts_at=datetime(2027, 3, 29, 8, 0, tzinfo=UTC))
        db.session.commit()
        ids = {s.title: s.id for s in db.session.scalars(sa.select(Session))}
    return ids


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_agenda_by_day_in_time_order_with_local_times(client, agenda):
    html = page(client, "/2027/agenda")
    closed = html.index(f'/2027/sessions/{agenda["Operational briefing"]}"')
    assert html.index("Opening keynote") < closed < html.index("Late panel") < html.index(
        "Dropped workshop")
    assert html.index("Sunday, March 28, 2027") < html.index("Late panel")
    assert html.index("Monday, March 29, 2027") < html.index("Dropped workshop")
    assert '<time datetime="2027-03-28T07:00:00Z">09:00</time>' in html
    assert '<time datetime="2027-03-28T08:00:00Z">10:00</time>' in html
    assert "CEST" in html and "Europe/Amsterdam" in html
    assert "Grace Hopper" in html and "Main Hall" in html
    assert 'src="/static/js/agenda.js"' in html and "Show times in my time zone" in html
    assert 'href="/static/css/agenda.css"' in html


def test_agenda_head_has_feeds_and_subscribe_panel(client, agenda):
    html = page(client, "/2027/agenda")
    assert re.search(r'<link rel="alternate" type="text/calendar"[^>]*'
                     r'href="http://localhost/2027/agenda.ics"', html)
    assert 'href="http://localhost/2027/tracks/policy.ics"' in html
    assert 'href="http://localhost/2027/tracks/technology.ics"' in html
    assert 'class="subscribe"' in html


def test_singapore_edition_shows_singapore_time(app, client):
    with app.app_context():
        edition = make_edition(slug="2019", starts_on=date(2019, 7, 3), timezone="Asia/Singapore")
        make_session(edition, title="Welcome", starts_at=datetime(2019, 7, 3, 1, 0, tzinfo=UTC))
        db.session.commit()
    html = page(client, "/2019/agenda")
    assert '<time datetime="2019-07-03T01:00:00Z">09:00</time>' in html
    assert "+08" in html and "Wednesday, July 3, 2019" in html


@pytest.mark.parametrize(("query", "shown", "hidden"), [
    ("?track=policy", ["Opening keynote"], ["Late panel", "Operational briefing"]),
    ("?type=panel", ["Late panel"], ["Opening keynote", "Dropped workshop"]),
    ("?track=technology&type=panel", ["Late panel"], ["Opening keynote"]),
    ("?track=technology&type=keynote", [], ["Late panel", "Opening keynote"]),
    ("?track=nope&type=<b>", ["Late panel", "Opening keynote", "Dropped workshop"], []),
])
def test_filters_by_track_and_type(client, agenda, query, shown, hidden):
    html = page(client, "/2027/agenda" + query)
    for title in shown:
        assert title in html
    for title in hidden:
        assert title not in html
    assert '<button type="submit" class="button">Filter</button>' in html


def test_filter_form_keeps_the_choice(client, agenda):
    html = page(client, "/2027/agenda?track=policy&type=keynote")
    assert '<option value="policy" selected>' in html
    assert '<option value="keynote" selected>' in html
    assert "Show all sessions" in html


def test_closed_session_shows_time_and_room_but_no_speakers_or_description(client, agenda):
    html = page(client, "/2027/agenda?track=&type=")
    block = html[html.index(f'/2027/sessions/{agenda["Operational briefing"]}"'):
                 html.index("Late panel")]
    assert ">Closed session</a>" in block and "Closed session — law enforcement only" in block
    assert "Room B" in block and "11:00" in block and "Grace Hopper" not in block
    assert "Operational briefing" not in html
    detail = page(client, f"/2027/sessions/{agenda['Operational briefing']}")
    assert "Closed session — law enforcement only" in detail and "Room B" in detail
    assert "Grace Hopper" not in detail and "Undercover" not in detail
    assert "Operational briefing" not in detail and "Plenary" not in detail


def test_cancelled_session_is_marked(client, agenda):
    html = page(client, "/2027/agenda")
    block = html[html.index("Monday, March 29"):]
    assert 'class="cancelled-title">Dropped workshop' in block
    assert '<span class="badge badge-cancelled">Cancelled</span>' in block
    detail = page(client, f"/2027/sessions/{agenda['Dropped workshop']}")
    assert "This session has been cancelled." in detail


def test_online_url_never_public(client, agenda):
    urls = ["/2027/agenda", "/2027/speakers"] + [f"/2027/sessions/{i}" for i in agenda.values()]
    for url in urls:
        assert "secret-room" not in page(client, url)


def test_session_detail(client, agenda):
    html = page(client, f"/2027/sessions/{agenda['Opening keynote']}")
    assert "<h1>Opening keynote</h1>" in html
    assert "Welcome <strong>everyone</strong>." in html
    assert "Held under the Chatham House Rule" in html
    assert "Ada Lovelace" in html and "INTERPOL" in html and "France" in html
    assert "Keynote" in html and "Policy" in html and "English" in html and "Public" in html
    assert "Main Hall" in html and "World Forum" in html
    assert f'href="/2027/sessions/{agenda["Opening keynote"]}.ics"' in html
    assert "Sunday, March 28, 2027" in html and ">09:00</time>" in html


def test_speaker_roles_on_session_page(app, client, agenda):
    with app.app_context():
        session = db.session.get(Session, agenda["Opening keynote"])
        session.speaker_links[1].role = SpeakerRole.MODERATOR
        db.session.commit()
    html = page(client, f"/2027/sessions/{agenda['Opening keynote']}")
    assert "Grace Hopper</strong> (Moderator)" in html


def test_speakers_page(client, agenda):
    html = page(client, "/2027/speakers")
    assert html.index("Ada Lovelace") < html.index("Grace Hopper")
    assert "US Navy" in html and "United States" in html and "Works on responsible AI." in html
    grace = html[html.index("Grace Hopper"):]
    assert "Late panel" in grace and "Opening keynote" in grace
    assert "Operational briefing" not in html


def test_draft_edition_and_foreign_sessions_are_not_found(app, client, agenda):
    with app.app_context():
        draft = make_edition(slug="draft", status=EditionStatus.DRAFT)
        hidden = make_session(draft, title="Hidden")
        db.session.commit()
        hidden_id = hidden.id
    for url in ("/draft/agenda", "/draft/speakers", f"/draft/sessions/{hidden_id}",
                f"/2027/sessions/{hidden_id}", "/nothing/agenda", "/2027/sessions/999999"):
        assert client.get(url).status_code == 404, url


def test_text_is_escaped(app, client):
    with app.app_context():
        edition = make_edition()
        track = make_track(edition, name=XSS)
        speaker = make_speaker(edition, name=XSS, organization=XSS)
        speaker.bio = XSS + "[x](javascript:alert(1))"
        make_session(edition, title=XSS, description=XSS, track=track, speakers=[speaker])
        db.session.commit()
        session_id = db.session.scalar(sa.select(Session.id))
    for url in ("/2027/agenda", "/2027/speakers", f"/2027/sessions/{session_id}"):
        html = page(client, url)
        assert XSS not in html and "&lt;script&gt;" in html and "href=\"javascript:" not in html


def count_queries(app, client, url: str) -> int:
    statements = []

    def count(*args):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        page(client, url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def add_sessions(app, count: int) -> None:
    with app.app_context():
        edition = db.session.scalar(sa.select(Edition).where(Edition.slug == "2027"))
        rooms = edition.venue.rooms
        tracks = edition.tracks
        people = edition.speakers
        for i in range(count):
            make_session(edition, title=f"Generated {i}", room=rooms[i % 2],
                         track=tracks[i % len(tracks)], speakers=[people[i % len(people)]],
                         starts_at=datetime(2027, 3, 28, 6, 0, tzinfo=UTC)
                         + timedelta(minutes=30 * i))
        db.session.commit()


def test_agenda_uses_a_constant_number_of_queries(app, client, agenda):
    add_sessions(app, 6)
    few = count_queries(app, client, "/2027/agenda")
    add_sessions(app, 50)
    many = count_queries(app, client, "/2027/agenda")
    assert few == many
    assert few <= 8
    speakers_few = count_queries(app, client, "/2027/speakers")
    add_sessions(app, 10)
    assert count_queries(app, client, "/2027/speakers") == speakers_few
