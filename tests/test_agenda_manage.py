"""Organizer pages of the agenda: grid, session, track and speaker forms."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from meetings.extensions import db
from meetings.models import AuditEntry, Session, SessionStatus, Speaker, Track
from tests.factories import (
    make_edition,
    make_session,
    make_speaker,
    make_track,
    make_venue,
)


@pytest.fixture
def setup(app):
    """An Amsterdam edition (28–29 March 2027) with two rooms, a track and two speakers."""
    with app.app_context():
        venue = make_venue()
        edition = make_edition(venue=venue)
        track = make_track(edition)
        ada, grace = make_speaker(edition), make_speaker(edition, name="Grace Hopper")
        db.session.commit()
        return {"edition": edition.id, "main": venue.rooms[0].id, "room_b": venue.rooms[1].id,
                "track": track.id, "ada": ada.id, "grace": grace.id}


def form(setup, **changes) -> dict:
    data = {"title": "Opening keynote", "type": "keynote", "start": "2027-03-28T10:00",
            "end": "2027-03-28T11:00", "room": str(setup["main"]), "track": str(setup["track"]),
            "speaker_1": str(setup["ada"]), "role_1": "speaker", "description": "Hello",
            "language": "en", "access": "public", "status": "scheduled", "capacity": "",
            "online_url": ""}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def only_session(app) -> Session:
    with app.app_context():
        session = db.session.scalar(sa.select(Session))
        db.session.expunge_all()
        return session


def test_manage_pages_need_login_and_the_right_edition(app, client, auth, setup):
    edition = setup["edition"]
    assert client.get(f"/manage/editions/{edition}/agenda").status_code == 302
    assert client.post(f"/manage/editions/{edition}/sessions/new").status_code == 302
    with app.app_context():
        other = make_edition(slug="other")
        db.session.commit()
        other_id = other.id
    auth.create(email="org@example.org", is_admin=False, editions=[other_id])
    auth.login(email="org@example.org")
    for url in (f"/manage/editions/{edition}/agenda", f"/manage/editions/{edition}/sessions/new",
                f"/manage/editions/{edition}/tracks", f"/manage/editions/{edition}/speakers",
                f"/manage/tracks/{setup['track']}/edit", f"/manage/speakers/{setup['ada']}/edit"):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/manage/editions/{other_id}/agenda").status_code == 200
    assert client.get("/manage/sessions/99999/edit").status_code == 404


def test_create_session_by_form(app, client, admin, setup):
    response = client.post(f"/manage/editions/{setup['edition']}/sessions/new",
                           data=form(setup, speaker_2=str(setup["grace"]), role_2="moderator"))
    assert response.status_code == 302
    assert "day=2027-03-28" in response.headers["Location"]
    with app.app_context():
        session = db.session.scalar(sa.select(Session))
        assert session.starts_at == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
        assert [(link.speaker.name, link.role.value) for link in session.speaker_links] == [
            ("Ada Lovelace", "speaker"), ("Grace Hopper", "moderator")]
        assert db.session.scalar(sa.select(AuditEntry.action)) == "session.create"


@pytest.mark.parametrize(("changes", "field_id", "text"), [
    ({"title": ""}, "title", "This field is required."),
    ({"title": "x" * 301}, "title", "longer than 300"),
    ({"start": "tomorrow"}, "start", "Not a valid datetime value."),
    ({"start": "0001-01-01T10:00"}, "start", "Enter a year from 1900 to 2200."),
    ({"end": "2027-03-28T09:00"}, "end", "The end must be after the start."),
    ({"start": "2027-03-28T02:30", "end": "2027-03-28T04:00"}, "start", "does not exist"),
    ({"start": "2027-04-02T10:00", "end": "2027-04-02T11:00"}, "start", "during the edition"),
    ({"room": "abc"}, "room", "Not a valid choice"),
    ({"type": "banquet"}, "type", "Not a valid choice"),
    ({"capacity": "0"}, "capacity", "between 1 and"),
    ({"capacity": "25"}, "capacity", "Only workshops and side events"),
    ({"online_url": "javascript:alert(1)"}, "online_url", "https://"),
    ({"speaker_2": str(999999)}, "speaker_2", "Not a valid choice"),
    ({"speaker_3": "1", "speaker_1": "1"}, "speaker_3", "listed twice"),
])
def test_session_form_errors(client, admin, setup, changes, field_id, text):
    if changes.get("speaker_3") == "1":
        changes = {"speaker_3": str(setup["ada"]), "speaker_1": str(setup["ada"])}
    response = client.post(f"/manage/editions/{setup['edition']}/sessions/new",
                           data=form(setup, **changes))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', html, re.S)
    assert error and text in error.group(1), html[html.find("error-summary"):][:800]
    assert 'class="error-summary"' in html


def test_double_booked_room_and_speaker_warning(app, client, admin, setup):
    client.post(f"/manage/editions/{setup['edition']}/sessions/new", data=form(setup))
    clash = client.post(f"/manage/editions/{setup['edition']}/sessions/new",
                        data=form(setup, title="Clash", start="2027-03-28T10:30",
                                  end="2027-03-28T11:30"))
    html = clash.get_data(as_text=True)
    assert clash.status_code == 200 and "already booked" in html and "Opening keynote" in html
    warned = client.post(f"/manage/editions/{setup['edition']}/sessions/new",
                         data=form(setup, title="Parallel", room=str(setup["room_b"])),
                         follow_redirects=True)
    html = warned.get_data(as_text=True)
    assert '<p class="flash flash-warning">Ada Lovelace is also in “Opening keynote”' in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Session)) == 2


def test_edit_session_by_form(app, client, admin, setup):
    client.post(f"/manage/editions/{setup['edition']}/sessions/new", data=form(setup))
    session_id = only_session(app).id
    page = client.get(f"/manage/sessions/{session_id}/edit").get_data(as_text=True)
    assert 'value="2027-03-28T10:00"' in page and 'value="Opening keynote"' in page
    client.post(f"/manage/sessions/{session_id}/edit", data=form(setup))
    assert only_session(app).sequence == 0
    response = client.post(f"/manage/sessions/{session_id}/edit",
                           data=form(setup, title="Keynote", room=""))
    assert response.status_code == 302
    session = only_session(app)
    assert (session.title, session.room_id, session.sequence) == ("Keynote", None, 1)


def test_cancel_restore_and_delete(app, client, admin, setup):
    client.post(f"/manage/editions/{setup['edition']}/sessions/new", data=form(setup))
    session_id = only_session(app).id
    client.post(f"/manage/sessions/{session_id}/cancel")
    assert only_session(app).status == SessionStatus.CANCELLED
    page = client.get(f"/manage/sessions/{session_id}/edit").get_data(as_text=True)
    assert "Schedule again" in page
    client.post(f"/manage/editions/{setup['edition']}/sessions/new",
                data=form(setup, title="Replacement"))
    response = client.post(f"/manage/sessions/{session_id}/restore", follow_redirects=True)
    assert "already booked" in response.get_data(as_text=True)
    assert only_session(app).status == SessionStatus.CANCELLED
    confirm = client.get(f"/manage/sessions/{session_id}/delete").get_data(as_text=True)
    assert "Are you sure?" in confirm
    assert client.post(f"/manage/sessions/{session_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Session, session_id) is None
        actions = db.session.scalars(sa.select(AuditEntry.action)).all()
        assert {"session.cancel", "session.delete"} <= set(actions)


def test_grid_shows_rooms_slots_and_sessions(app, client, admin, setup):
    with app.app_context():
        from meetings.models import Edition
        edition = db.session.get(Edition, setup["edition"])
        make_session(edition, title="In the hall", room=edition.venue.rooms[0],
                     starts_at=datetime(2027, 3, 28, 8, 0, tzinfo=UTC), minutes=90)
        make_session(edition, title="Roomless", starts_at=datetime(2027, 3, 28, 5, 0, tzinfo=UTC))
        make_session(edition, title="Next day", starts_at=datetime(2027, 3, 29, 8, 0, tzinfo=UTC))
        db.session.commit()
    html = client.get(f"/manage/editions/{setup['edition']}/agenda").get_data(as_text=True)
    assert '<th scope="col">Main Hall' in html and '<th scope="col">Unassigned' in html
    assert '<th scope="row">07:00</th>' in html and '<th scope="row">18:30</th>' in html
    assert '<th scope="row">19:00</th>' not in html and '<th scope="row">06:30</th>' not in html
    assert 'rowspan="3"' in html and "In the hall" in html and "Roomless" in html
    assert "Add session<span class=\"visually-hidden\"> in Main Hall at 11:30</span>" in html
    assert "in Main Hall at 09:30<" in html and "in Room B at 10:30<" in html
    for covered in ("10:00", "10:30", "11:00"):  # "In the hall", 10:00–11:30
        assert f"in Main Hall at {covered}<" not in html
    assert (f'/manage/editions/{setup["edition"]}/sessions/new?room={setup["main"]}'
            '&amp;start=2027-03-28T11:30') in html
    assert "without a room at 12:00" in html
    assert 'aria-current="page">Sun 28 Mar' in html and "Next day" in html  # in the list
    assert 'tabindex="1"' not in html
    day2 = client.get(f"/manage/editions/{setup['edition']}/agenda?day=2027-03-29")
    assert "in Main Hall at 10:00<" in day2.get_data(as_text=True)
    assert client.get(f"/manage/editions/{setup['edition']}/agenda?day=junk").status_code == 200


def test_prefilled_create_form(client, admin, setup):
    html = client.get(f"/manage/editions/{setup['edition']}/sessions/new"
                      f"?room={setup['main']}&start=2027-03-28T10:30").get_data(as_text=True)
    assert 'value="2027-03-28T10:30"' in html and 'value="2027-03-28T11:30"' in html
    assert f'<option selected value="{setup["main"]}">' in html
    junk = client.get(f"/manage/editions/{setup['edition']}/sessions/new?room=x&start=y")
    assert junk.status_code == 200


def test_tracks_pages(app, client, admin, setup):
    url = f"/manage/editions/{setup['edition']}/tracks"
    created = client.post(url, data={"name": "Ethics & Rights", "colour": "#AA0000"})
    assert created.status_code == 302
    html = client.post(url, data={"name": "ethics & rights", "colour": "#000000"}).get_data(
        as_text=True)
    assert "already has a track with this name" in html
    html = client.post(url, data={"name": "X", "colour": "blue"}).get_data(as_text=True)
    assert 'id="colour-error"' in html
    html = client.post(url, data={"name": "X", "colour": "#000000", "slug": "Bad Slug"}).get_data(
        as_text=True)
    assert 'id="slug-error"' in html
    with app.app_context():
        track = db.session.scalar(sa.select(Track).where(Track.slug == "ethics-rights"))
        make_session(track.edition, track=track)
        db.session.commit()
        track_id = track.id
    page = client.get(url).get_data(as_text=True)
    assert "ethics-rights" in page and "--track: #aa0000" in page
    assert client.post(f"/manage/tracks/{track_id}/edit",
                       data={"name": "Ethics", "colour": "#00aa00"}).status_code == 302
    confirm = client.get(f"/manage/tracks/{track_id}/delete").get_data(as_text=True)
    assert "1 session uses this track. It stays on the agenda, without a track." in confirm
    assert client.post(f"/manage/tracks/{track_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Track, track_id) is None
        assert db.session.scalar(sa.select(Session.track_id)) is None


def test_speakers_pages(app, client, admin, setup):
    url = f"/manage/editions/{setup['edition']}/speakers"
    new = f"/manage/editions/{setup['edition']}/speakers/new"
    assert client.post(new, data={"name": "Alan Turing", "country": "GB",
                                  "organization": "NPL"}).status_code == 302
    html = client.post(new, data={"name": "X", "country": "ZZ"}).get_data(as_text=True)
    assert 'id="country-error"' in html
    html = client.post(new, data={"name": "", "country": ""}).get_data(as_text=True)
    assert 'id="name-error"' in html
    page = client.get(url).get_data(as_text=True)
    assert "Alan Turing" in page and "United Kingdom" in page
    with app.app_context():
        alan = db.session.scalar(sa.select(Speaker).where(Speaker.name == "Alan Turing"))
        make_session(alan.edition, speakers=[alan])
        db.session.commit()
        alan_id = alan.id
    assert client.post(f"/manage/speakers/{alan_id}/edit",
                       data={"name": "Alan M. Turing", "country": "GB"}).status_code == 302
    confirm = client.get(f"/manage/speakers/{alan_id}/delete").get_data(as_text=True)
    assert "taken off 1 session" in confirm
    assert client.post(f"/manage/speakers/{alan_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Speaker, alan_id) is None
        assert only_session(app).sequence == 2
        actions = set(db.session.scalars(sa.select(AuditEntry.action)))
        assert {"speaker.create", "speaker.update", "speaker.delete"} <= actions


def test_manage_pages_escape_text(app, client, admin, setup):
    xss = '<script>alert("x")</script>'
    with app.app_context():
        from meetings.models import Edition
        edition = db.session.get(Edition, setup["edition"])
        speaker = make_speaker(edition, name=xss, organization=xss)
        track = make_track(edition, name=xss)
        session = make_session(edition, title=xss, track=track, speakers=[speaker],
                               starts_at=datetime(2027, 3, 28, 8, 0, tzinfo=UTC))
        db.session.commit()
        ids = (session.id, track.id, speaker.id)
    edition = setup["edition"]
    for url in (f"/manage/editions/{edition}/agenda", f"/manage/sessions/{ids[0]}/edit",
                f"/manage/sessions/{ids[0]}/delete", f"/manage/editions/{edition}/tracks",
                f"/manage/tracks/{ids[1]}/delete", f"/manage/editions/{edition}/speakers",
                f"/manage/speakers/{ids[2]}/delete"):
        html = client.get(url).get_data(as_text=True)
        assert xss not in html and "&lt;script&gt;" in html, url


def test_edit_keeps_speakers_beyond_the_form_rows(app, client, admin, setup):
    with app.app_context():
        from meetings.models import Edition
        edition = db.session.get(Edition, setup["edition"])
        people = [make_speaker(edition, name=f"Person {i}") for i in range(8)]
        session = make_session(edition, speakers=people)
        db.session.commit()
        session_id, people_ids = session.id, [person.id for person in people]
    html = client.get(f"/manage/sessions/{session_id}/edit").get_data(as_text=True)
    assert "This session has 2 more speakers" in html
    data = {"title": "Big panel", "type": "panel", "start": "2027-03-28T10:00",
            "end": "2027-03-28T11:00", "language": "en", "access": "public",
            "status": "scheduled"}
    for row, person_id in enumerate(people_ids[:6], start=1):
        data[f"speaker_{row}"], data[f"role_{row}"] = str(person_id), "panellist"
    assert client.post(f"/manage/sessions/{session_id}/edit", data=data).status_code == 302
    with app.app_context():
        names = [link.speaker.name for link in db.session.get(Session, session_id).speaker_links]
        assert names == [f"Person {i}" for i in range(8)]


def test_the_grid_has_one_tab_stop_per_room_and_session_not_per_empty_slot(app, client, admin,
                                                                            setup):
    with app.app_context():
        from meetings.models import Edition
        edition = db.session.get(Edition, setup["edition"])
        make_session(edition, title="In the hall", room=edition.venue.rooms[0],
                     starts_at=datetime(2027, 3, 28, 8, 0, tzinfo=UTC), minutes=90)
        db.session.commit()
    html = client.get(f"/manage/editions/{setup['edition']}/agenda").get_data(as_text=True)
    table = html[html.index("<table class=\"agenda-manage-grid\""):html.index("</table>")]
    links = re.findall(r"<a [^>]*>", table)
    focusable = [link for link in links if 'tabindex="-1"' not in link]
    # Two rooms and "Unassigned" each get one "Add session" link, plus the one session.
    assert len(focusable) == 4 and len(links) > 40
    assert "Add session<span class=\"visually-hidden\"> in Main Hall on this day</span>" in table
