"""Review fixes: closed-session speakers, venue rights, guarded deletes, date bounds."""

import re
from datetime import UTC, datetime

import pytest

from meetings.attendance.models import AgendaChoice, WorkshopSeat, WorkshopStatus
from meetings.extensions import db
from meetings.models import Session, SessionAccess, Venue
from meetings.registration.models import Registration, RegistrationCategory, RegistrationStatus
from tests.factories import make_edition, make_session, make_speaker, make_venue

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def field_error(html: str, field_id: str) -> str:
    found = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', html, re.S)
    return found.group(1) if found else ""


def test_speaker_of_only_closed_sessions_is_not_listed(app, client):
    with app.app_context():
        edition = make_edition()
        secret = make_speaker(edition, name="Secret Agent", organization="Hidden Bureau")
        shown = make_speaker(edition, name="Grace Hopper")
        make_speaker(edition, name="Idle Speaker")
        make_session(edition, title="Closed briefing", speakers=[secret, shown],
                     access=SessionAccess.CLOSED)
        make_session(edition, title="Open panel", speakers=[shown],
                     starts_at=datetime(2027, 3, 28, 10, 0, tzinfo=UTC))
        db.session.commit()
    page = client.get("/2027/speakers").get_data(as_text=True)
    assert "Grace Hopper" in page and "Open panel" in page
    for hidden in ("Secret Agent", "Hidden Bureau", "Idle Speaker", "Closed briefing"):
        assert hidden not in page


def test_venue_changes_need_every_edition_of_the_venue(app, client, auth):
    with app.app_context():
        venue = make_venue()
        mine = make_edition(venue=venue)
        make_edition(slug="2028", venue=venue, ordinal=6)
        free = make_venue(name="Empty Hall")
        db.session.commit()
        ids = {"venue": venue.id, "room": venue.rooms[0].id, "mine": mine.id, "free": free.id}
    auth.create("org@example.org", is_admin=False, editions=[ids["mine"]])
    auth.login("org@example.org")
    for url in (f"/manage/venues/{ids['venue']}/edit", f"/manage/venues/{ids['venue']}/delete",
                f"/manage/venues/{ids['venue']}/rooms/new", f"/manage/rooms/{ids['room']}/edit",
                f"/manage/rooms/{ids['room']}/delete"):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={"name": "Renamed"}).status_code == 403, url
    assert client.get(f"/manage/venues/{ids['free']}/edit").status_code == 200
    assert client.get("/manage/venues/new").status_code == 200
    with app.app_context():
        assert db.session.get(Venue, ids["venue"]).name == "World Forum"


@pytest.mark.parametrize("kind", ["seat", "choice"])
def test_session_chosen_by_attendees_cannot_be_deleted(app, client, admin, kind):
    with app.app_context():
        edition = make_edition()
        session = make_session(edition, title="Hands-on workshop")
        category = RegistrationCategory(edition_id=edition.id, code="gov", name="Government")
        db.session.add(category)
        db.session.flush()
        registration = Registration(edition_id=edition.id, category_id=category.id,
                                    status=RegistrationStatus.APPROVED, email="a@example.org")
        db.session.add(registration)
        db.session.flush()
        if kind == "seat":
            db.session.add(WorkshopSeat(registration_id=registration.id, session_id=session.id,
                                        status=WorkshopStatus.CONFIRMED, created_at=NOW))
        else:
            db.session.add(AgendaChoice(registration_id=registration.id, session_id=session.id,
                                        created_at=NOW))
        db.session.commit()
        session_id = session.id
    response = client.post(f"/manage/sessions/{session_id}/delete")
    assert response.status_code == 200
    assert "Attendees have chosen this session: cancel it instead" in response.get_data(
        as_text=True)
    with app.app_context():
        assert db.session.get(Session, session_id) is not None


def test_far_dates_are_field_errors(app, client, admin):
    with app.app_context():
        venue = make_venue()
        edition = make_edition(venue=venue)
        db.session.commit()
        ids = {"venue": venue.id, "edition": edition.id, "room": venue.rooms[0].id}
    session = {"title": "Keynote", "type": "keynote", "start": "0001-01-01T10:00",
               "end": "2027-03-28T11:00", "room": str(ids["room"]), "language": "en",
               "access": "public", "status": "scheduled"}
    response = client.post(f"/manage/editions/{ids['edition']}/sessions/new", data=session)
    assert response.status_code == 200
    assert "Enter a year from 1900 to 2200." in field_error(response.get_data(as_text=True),
                                                            "start")
    base = {"ordinal": "6", "title": "Far edition", "slug": "far", "starts_on": "2028-03-28",
            "ends_on": "9999-12-31", "format": "in_person", "venue_id": str(ids["venue"]),
            "timezone": "", "host_event": "", "description": ""}
    for changes, field, message in (
            ({}, "ends_on", "Enter a year from 2000 to 2100."),
            ({"starts_on": "1999-12-31", "ends_on": "2000-01-01"}, "starts_on",
             "Enter a year from 2000 to 2100."),
            ({"ends_on": "2028-04-28"}, "ends_on", "An edition lasts at most 31 days.")):
        response = client.post("/manage/editions/new", data={**base, **changes})
        assert response.status_code == 200
        assert message in field_error(response.get_data(as_text=True), field)
