"""SEQUENCE and LAST-MODIFIED of each calendar event move when what the event says changes, and
only then: a room renamed, a venue edited or a time zone changed moves them; an edit to another
session, or to the agenda, leaves an event that reads the same alone."""

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from meetings.agenda.service import cancel_session
from meetings.extensions import db
from meetings.models import Edition, Room, Session, Venue
from meetings.venues.service import RoomFields, VenueFields, update_room, update_venue
from tests.factories import make_edition, make_session, make_venue

EDIT = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


def events(client, path: str) -> dict[str, dict]:
    """The feed's events by SUMMARY: SEQUENCE, LAST-MODIFIED, LOCATION and DESCRIPTION."""
    response = client.get(path, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    found = {}
    for event in Calendar.from_ical(response.data).walk("VEVENT"):
        found[str(event["SUMMARY"])] = {
            "sequence": int(event["SEQUENCE"]), "modified": event.decoded("LAST-MODIFIED"),
            "location": str(event.get("LOCATION", "")), "description": str(event["DESCRIPTION"])}
    return found


def world(app) -> dict:
    with app.app_context():
        venue = make_venue()
        edition = make_edition(venue=venue)
        hall, room_b = venue.rooms
        make_session(edition, "In the hall", room=hall)
        other = make_session(edition, "In room B", room=room_b,
                             starts_at=datetime(2027, 3, 28, 11, 0, tzinfo=UTC))
        db.session.commit()
        return {"edition": edition.id, "venue": venue.id, "room_b": room_b.id,
                "other": other.id}


def test_room_rename_moves_only_the_events_in_that_room(app, client):
    ids = world(app)
    before = events(client, "/2027/agenda.ics")
    with app.app_context():
        update_room(db.session.get(Room, ids["room_b"]), RoomFields(name="Room Beta"), now=EDIT)
        db.session.commit()
    after = events(client, "/2027/agenda.ics")
    assert after["In room B"]["location"].startswith("Room Beta")
    assert after["In room B"]["sequence"] == before["In room B"]["sequence"] + 1
    assert after["In room B"]["modified"] > before["In room B"]["modified"]
    assert after["In the hall"] == before["In the hall"]


def test_venue_edit_moves_sessions_and_the_edition_event(app, client):
    ids = world(app)
    sessions, editions = events(client, "/2027/agenda.ics"), events(client, "/editions.ics")
    with app.app_context():
        venue = db.session.get(Venue, ids["venue"])
        update_venue(venue, VenueFields(name=venue.name, address="Johan de Wittlaan 30",
                                        city=venue.city, country=venue.country,
                                        timezone=venue.timezone, latitude=venue.latitude,
                                        longitude=venue.longitude), now=EDIT)
        db.session.commit()
    after, editions_after = events(client, "/2027/agenda.ics"), events(client, "/editions.ics")
    for title in ("In the hall", "In room B"):
        assert "Johan de Wittlaan 30" in after[title]["location"]
        assert after[title]["sequence"] == sessions[title]["sequence"] + 1
    (title, edition_event), = editions_after.items()
    assert "Johan de Wittlaan 30" in edition_event["location"]
    assert edition_event["sequence"] == editions[title]["sequence"] + 1
    assert edition_event["modified"] > editions[title]["modified"]


def test_time_zone_change_moves_the_description_and_the_sequence(app, client):
    ids = world(app)
    before = events(client, "/2027/agenda.ics")
    with app.app_context():
        edition = db.session.get(Edition, ids["edition"])
        edition.timezone = "Europe/London"  # instants kept: local times in the text change
        edition.touch(EDIT)
        db.session.commit()
    after = events(client, "/2027/agenda.ics")
    assert "London time" in after["In the hall"]["description"]
    assert after["In the hall"]["sequence"] == before["In the hall"]["sequence"] + 1
    assert after["In the hall"]["modified"] > before["In the hall"]["modified"]


def test_unrelated_agenda_edits_leave_other_events_alone(app, client):
    ids = world(app)
    sessions, editions = events(client, "/2027/agenda.ics"), events(client, "/editions.ics")
    for day in range(3):  # each edit moves the edition's revision
        with app.app_context():
            other = db.session.get(Session, ids["other"])
            if other.is_cancelled:
                other.status = other.status.SCHEDULED
                other.edition.touch(EDIT + timedelta(days=day))
            else:
                cancel_session(other, now=EDIT + timedelta(days=day))
            db.session.commit()
        after = events(client, "/2027/agenda.ics")
        assert after["In the hall"] == sessions["In the hall"]
        assert events(client, "/editions.ics") == editions


def test_a_session_edit_moves_its_own_sequence_once_per_change(app, client):
    ids = world(app)
    before = events(client, "/2027/agenda.ics")
    with app.app_context():
        cancel_session(db.session.get(Session, ids["other"]), now=EDIT)
        db.session.commit()
    after = events(client, "/2027/agenda.ics")
    again = events(client, "/2027/agenda.ics")
    assert after["Cancelled: In room B"]["sequence"] > before["In room B"]["sequence"]
    assert again == after


def test_speaker_edit_moves_only_the_events_they_speak_in(app, client):
    """A worker whose events are cached serializes again the sessions of an edited speaker."""
    from meetings.agenda.catalog import update_speaker
    from meetings.models import Speaker
    from tests.factories import make_speaker

    with app.app_context():
        edition = make_edition(venue=make_venue())
        speaker = make_speaker(edition, name="Ada Lovelace", organization="INTERPOL")
        make_session(edition, "With Ada", speakers=[speaker])
        make_session(edition, "Without Ada", starts_at=datetime(2027, 3, 28, 11, 0, tzinfo=UTC))
        db.session.commit()
        speaker_id = speaker.id
    before = events(client, "/2027/agenda.ics")
    assert "UNICRI" not in before["With Ada"]["description"]
    with app.app_context():
        update_speaker(db.session.get(Speaker, speaker_id), name="Ada Lovelace",
                       organization="UNICRI", title="", country="FR", bio="", now=EDIT)
        db.session.commit()
    after = events(client, "/2027/agenda.ics")
    assert "UNICRI" in after["With Ada"]["description"]
    assert after["With Ada"]["sequence"] == before["With Ada"]["sequence"] + 1
    assert after["Without Ada"] == before["Without Ada"]
