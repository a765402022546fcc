"""A cancelled session says so wherever its title shows: calendars that ignore STATUS and
conference apps that read only title and subtitle, even where its replacement takes its room."""

import json
from datetime import UTC, datetime

import jsonschema
from icalendar import Calendar
from lxml import etree

from meetings.agenda.service import cancel_session
from meetings.extensions import db
from meetings.models import SessionAccess
from tests.conftest import SHARED
from tests.factories import make_edition, make_session, make_venue

FRAB = SHARED / "schemas" / "frab"
NOW = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


def cancelled_and_replaced(app) -> None:
    with app.app_context():
        edition = make_edition(venue=make_venue())
        hall = edition.venue.rooms[0]
        cancel_session(make_session(edition, "Old panel", room=hall), now=NOW)
        cancel_session(make_session(edition, "Closed briefing", room=hall,
                                    access=SessionAccess.CLOSED), now=NOW)
        make_session(edition, "New panel", room=hall)  # same room, same time
        db.session.commit()


def test_cancelled_summary_and_status_in_the_agenda_feed(app, client):
    cancelled_and_replaced(app)
    body = client.get("/2027/agenda.ics", headers={"Accept-Encoding": "identity"}).data
    events = {str(e["SUMMARY"]): str(e["STATUS"])
              for e in Calendar.from_ical(body).walk("VEVENT")}
    assert events == {"Cancelled: Old panel": "CANCELLED",
                      "Cancelled: Closed session": "CANCELLED",
                      "New panel": "CONFIRMED"}


def test_cancelled_title_and_subtitle_in_the_frab_schedule(app, client):
    cancelled_and_replaced(app)
    data = client.get("/2027/schedule.json").get_json()
    schema = json.loads((FRAB / "schema.json").read_text())
    jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    rooms = data["schedule"]["conference"]["days"][0]["rooms"]
    titles = {(e["title"], e["subtitle"]) for events in rooms.values() for e in events}
    assert titles == {("Cancelled: Old panel", "This session is cancelled."),
                      ("Cancelled: Closed session", "This session is cancelled."),
                      ("New panel", "")}
    xml = client.get("/2027/schedule.xml").data
    etree.XMLSchema(etree.parse(str(FRAB / "schedule.xml.xsd"))).assertValid(
        etree.fromstring(xml))
    assert b"<title>Cancelled: Old panel</title>" in xml
