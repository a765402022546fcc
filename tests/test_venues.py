"""Venues and rooms: CRUD through the views, the rules, and the public venue page."""

import pytest
import sqlalchemy as sa

from meetings.errors import DomainError
from meetings.extensions import db
from meetings.models import AuditEntry, Edition, EditionFormat, EditionStatus, Room, Venue
from meetings.venues import service
from tests.factories import make_edition, make_session, make_venue

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def venue_data(**overrides) -> dict:
    data = {
        "name": "World Forum", "address": "Churchillplein 10", "city": "The Hague",
        "country": "NL", "timezone": "Europe/Amsterdam", "latitude": "52.0894",
        "longitude": "4.2829", "accessibility_notes": "Step-free *entrance*.",
    }
    data.update(overrides)
    return data


def setup_venue(app, status=EditionStatus.PUBLISHED, with_edition=True) -> dict:
    with app.app_context():
        venue = make_venue()
        edition = make_edition(venue=venue, status=status) if with_edition else None
        db.session.commit()
        return {"venue": venue.id, "rooms": [room.id for room in venue.rooms],
                "edition": edition.id if edition else None}


def revision(edition_id: int) -> int:
    return db.session.get(Edition, edition_id).revision


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


# Venues -------------------------------------------------------------------------------------

def test_create_venue(app, client, auth):
    auth.create("org@example.org", is_admin=False)
    auth.login("org@example.org")
    response = client.post("/manage/venues/new", data=venue_data(country="nl"))
    assert response.status_code == 302
    with app.app_context():
        venue = db.session.scalar(sa.select(Venue))
        assert (venue.name, venue.country, venue.latitude) == ("World Forum", "NL", 52.0894)
        assert response.headers["Location"].endswith(f"/manage/venues/{venue.id}/edit")
        assert actions() == ["venue.create"]
    page = client.get("/manage/venues/").get_data(as_text=True)
    assert "World Forum" in page and "The Hague, Netherlands" in page


def test_venue_without_coordinates(app, client, admin):
    data = venue_data(latitude="", longitude="")
    assert client.post("/manage/venues/new", data=data).status_code == 302
    with app.app_context():
        venue = db.session.scalar(sa.select(Venue))
        assert venue.latitude is None and venue.longitude is None


def test_edit_venue_touches_its_editions(app, client, admin):
    ids = setup_venue(app)
    page = client.get(f"/manage/venues/{ids['venue']}/edit").get_data(as_text=True)
    assert 'value="Churchillplein 10"' in page and "Main Hall" in page
    response = client.post(f"/manage/venues/{ids['venue']}/edit",
                           data=venue_data(name="World Forum The Hague"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Venue, ids["venue"]).name == "World Forum The Hague"
        assert revision(ids["edition"]) == 1
        assert actions() == ["venue.update"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "This field is required."),
    ("name", "x" * 201, "Field cannot be longer than 200 characters."),
    ("address", "x" * 501, "Field cannot be longer than 500 characters."),
    ("city", "x" * 121, "Field cannot be longer than 120 characters."),
    ("country", "XX", "Choose a country from the list."),
    ("country", "Netherlands", "Choose a country from the list."),
    ("country", XSS, "Choose a country from the list."),
    ("timezone", "Europe/Atlantis", "Enter an IANA time zone"),
    ("timezone", XSS, "Enter an IANA time zone"),
    ("latitude", "", "Give both latitude and longitude, or neither."),
    ("longitude", "", "Give both latitude and longitude, or neither."),
    ("latitude", "91", "Number must be between -90 and 90."),
    ("longitude", "-181", "Number must be between -180 and 180."),
    ("latitude", "north", "Not a valid float value."),
    ("latitude", "nan", "Number must be between -90 and 90."),
    ("accessibility_notes", "x" * 10001, "Field cannot be longer than 10000 characters."),
])
def test_bad_venue_input_is_shown_beside_the_field(app, client, admin, field, value, message):
    response = client.post("/manage/venues/new", data=venue_data(**{field: value}))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert f'id="{field}-error"' in page
    assert XSS not in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Venue)) == 0


@pytest.mark.parametrize("field", ["name", "address", "city", "accessibility_notes"])
def test_xss_in_venue_text_is_saved_and_escaped(app, client, admin, field):
    ids = setup_venue(app)
    client.post(f"/manage/venues/{ids['venue']}/edit", data=venue_data(**{field: XSS}))
    with app.app_context():
        assert getattr(db.session.get(Venue, ids["venue"]), field) == XSS
    for url in ("/2027/venue", "/2027/", "/manage/venues/", f"/manage/venues/{ids['venue']}/edit",
                f"/manage/venues/{ids['venue']}/delete",
                f"/manage/editions/{ids['edition']}/"):
        page = client.get(url).get_data(as_text=True)
        assert XSS not in page, url
    assert ESCAPED in client.get("/2027/venue").get_data(as_text=True)


def test_delete_venue_through_confirmation(app, client, admin):
    ids = setup_venue(app, with_edition=False)
    page = client.get(f"/manage/venues/{ids['venue']}/delete").get_data(as_text=True)
    assert "2 rooms" in page and "Yes, delete this venue" in page
    assert client.post(f"/manage/venues/{ids['venue']}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Venue, ids["venue"]) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Room)) == 0
        assert actions() == ["venue.delete"]


def test_delete_venue_used_by_an_edition_is_refused(app, client, admin):
    ids = setup_venue(app)
    page = client.get(f"/manage/venues/{ids['venue']}/delete").get_data(as_text=True)
    assert "cannot be deleted while editions use it" in page
    response = client.post(f"/manage/venues/{ids['venue']}/delete", follow_redirects=True)
    assert response.status_code == 200
    assert "This venue is used by Global Meeting on AI for Law Enforcement 2027" in (
        response.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Venue, ids["venue"]) is not None


# Rooms --------------------------------------------------------------------------------------

def test_room_create_edit_delete(app, client, admin):
    ids = setup_venue(app)
    response = client.post(f"/manage/venues/{ids['venue']}/rooms/new",
                           data={"name": "Hall C", "capacity": "80", "floor": "2"})
    assert response.status_code == 302
    with app.app_context():
        room = db.session.scalar(sa.select(Room).where(Room.name == "Hall C"))
        assert (room.capacity, room.floor) == (80, "2")
        room_id = room.id
        assert revision(ids["edition"]) == 1
    assert 'value="Hall C"' in client.get(f"/manage/rooms/{room_id}/edit").get_data(as_text=True)
    client.post(f"/manage/rooms/{room_id}/edit", data={"name": "Hall D", "capacity": "",
                                                       "floor": ""})
    assert "Yes, delete this room" in client.get(f"/manage/rooms/{room_id}/delete").get_data(
        as_text=True)
    assert client.post(f"/manage/rooms/{room_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Room, room_id) is None
        assert revision(ids["edition"]) == 3
        assert actions() == ["room.create", "room.update", "room.delete"]


def test_delete_room_used_by_sessions_is_refused(app, client, admin):
    ids = setup_venue(app)
    with app.app_context():
        edition = db.session.get(Edition, ids["edition"])
        room = db.session.get(Room, ids["rooms"][0])
        make_session(edition, room=room)
        make_session(edition, room=room, title="Second")
        db.session.commit()
    page = client.get(f"/manage/rooms/{ids['rooms'][0]}/delete").get_data(as_text=True)
    assert "2 sessions take place in this room" in page
    response = client.post(f"/manage/rooms/{ids['rooms'][0]}/delete", follow_redirects=True)
    assert "2 sessions take place in this room" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Room, ids["rooms"][0]) is not None
        assert revision(ids["edition"]) == 0


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "This field is required."),
    ("name", "main hall", "This venue already has a room with this name."),
    ("name", "x" * 121, "Field cannot be longer than 120 characters."),
    ("capacity", "0", "Number must be between 1 and 100000."),
    ("capacity", "-5", "Number must be between 1 and 100000."),
    ("capacity", "many", "Not a valid integer value."),
    ("floor", "x" * 41, "Field cannot be longer than 40 characters."),
])
def test_bad_room_input_is_shown_beside_the_field(app, client, admin, field, value, message):
    ids = setup_venue(app)
    data = {"name": "Hall C", "capacity": "10", "floor": "1", field: value}
    response = client.post(f"/manage/venues/{ids['venue']}/rooms/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page and f'id="{field}-error"' in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Room)) == 2


def test_renaming_a_room_to_its_own_name_is_allowed(app, client, admin):
    ids = setup_venue(app)
    response = client.post(f"/manage/rooms/{ids['rooms'][0]}/edit",
                           data={"name": "Main Hall", "capacity": "300", "floor": "1"})
    assert response.status_code == 302


@pytest.mark.parametrize("field", ["name", "floor"])
def test_xss_in_room_text_is_escaped(app, client, admin, field):
    ids = setup_venue(app)
    data = {"name": "Hall C", "capacity": "", "floor": "", field: XSS}
    client.post(f"/manage/venues/{ids['venue']}/rooms/new", data=data)
    for url in ("/2027/venue", f"/manage/venues/{ids['venue']}/edit", "/manage/venues/"):
        assert XSS not in client.get(url).get_data(as_text=True), url
    for url in ("/2027/venue", f"/manage/venues/{ids['venue']}/edit"):
        assert ESCAPED in client.get(url).get_data(as_text=True), url


# Public venue page ---------------------------------------------------------------------------

def test_public_venue_page(app, client):
    setup_venue(app)
    page = client.get("/2027/venue").get_data(as_text=True)
    assert "World Forum" in page and "Churchillplein 10" in page and "Netherlands" in page
    assert ('href="https://www.openstreetmap.org/?mlat=52.0894&amp;mlon=4.2829'
            '#map=17/52.0894/4.2829"') in page
    assert "Main Hall" in page and "200 seats" in page
    assert "Step-free access at the main entrance." in page
    assert 'aria-current="page"' in page


def test_venue_page_without_coordinates_has_no_map_link(app, client):
    with app.app_context():
        venue = make_venue()
        venue.latitude = venue.longitude = None
        make_edition(venue=venue)
        db.session.commit()
    page = client.get("/2027/venue").get_data(as_text=True)
    assert "openstreetmap" not in page


def test_venue_page_404s(app, client, auth):
    ids = setup_venue(app, status=EditionStatus.DRAFT)
    with app.app_context():
        virtual = make_edition(slug="2020")
        virtual.format = EditionFormat.VIRTUAL
        db.session.commit()
    assert client.get("/2027/venue").status_code == 404
    assert client.get("/2020/venue").status_code == 404
    assert client.get("/nothing/venue").status_code == 404
    auth.create("org@example.org", is_admin=False, editions=[ids["edition"]])
    auth.login("org@example.org")
    preview = client.get("/2027/venue")
    assert preview.status_code == 200 and "Draft — not public" in preview.get_data(as_text=True)


@pytest.mark.parametrize(("latitude", "longitude", "field"), [
    (float("nan"), 4.0, "latitude"), (52.0, float("inf"), "longitude"), (None, 4.0, "latitude"),
])
def test_coordinates_are_checked_by_the_service(latitude, longitude, field):
    with pytest.raises(DomainError) as caught:
        service.check_coordinates(latitude, longitude)
    assert caught.value.field == field
