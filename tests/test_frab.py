"""meetings.frab without the app: frab XML and JSON, validated against the published schemas."""

import json
from datetime import UTC, date, datetime

import jsonschema
import pytest
from lxml import etree

from meetings import frab
from meetings.agenda.visibility import ORGANIZER, public_view
from meetings.models import SessionAccess, SessionStatus, SpeakerRole
from tests.conftest import SHARED
from tests.exporters import (
    SITE,
    check_snapshot,
    make_session,
    sample_agenda,
    singapore_edition,
    thousand_sessions,
)

FRAB = SHARED / "schemas" / "frab"


@pytest.fixture(scope="module")
def xsd():
    return etree.XMLSchema(etree.parse(str(FRAB / "schedule.xml.xsd")))


@pytest.fixture(scope="module")
def json_validator():
    schema = json.loads((FRAB / "schema.json").read_text())
    # Every format jsonschema knows (uuid too, which draft-06 itself does not list).
    return jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())


def public(sessions: list) -> list:
    """The sessions as a visitor may see them, as the feeds hand them to the exporter."""
    return [public_view(session) for session in sessions]


def options() -> frab.ScheduleOptions:
    return frab.ScheduleOptions(
        edition_url=f"{SITE}/2027/", agenda_url=f"{SITE}/2027/agenda",
        session_url=lambda s: f"{SITE}/{s.edition.slug}/sessions/{s.id}")


def assert_valid_xml(xsd, body: bytes) -> etree._Element:
    document = etree.fromstring(body)
    assert xsd.validate(document), xsd.error_log
    return document


def assert_valid_json(validator, body: bytes) -> dict:
    data = json.loads(body)
    errors = [error.message for error in validator.iter_errors(data)]
    assert not errors
    return data


def events(data: dict) -> list[dict]:
    return [event for day in data["schedule"]["conference"]["days"]
            for room in day["rooms"].values() for event in room]


def test_xml_matches_snapshot_and_schema(xsd):
    edition, sessions = sample_agenda()
    body = frab.schedule_xml(edition, public(sessions), options())
    check_snapshot("schedule.xml", body)
    assert_valid_xml(xsd, body)


def test_json_matches_snapshot_and_schema(json_validator):
    edition, sessions = sample_agenda()
    body = frab.schedule_json(edition, public(sessions), options())
    check_snapshot("schedule.json", body)
    assert_valid_json(json_validator, body)


def test_days_follow_local_dates_and_durations_are_h_mm(json_validator):
    edition, sessions = sample_agenda()
    body = frab.schedule_json(edition, public(sessions), options())
    data = assert_valid_json(json_validator, body)
    days = data["schedule"]["conference"]["days"]
    assert [day["date"] for day in days] == ["2027-03-28", "2027-03-29"]
    # The DST day starts at +01:00 and ends (next midnight) at +02:00.
    assert days[0]["day_start"] == "2027-03-28T00:00:00+01:00"
    assert days[0]["day_end"] == "2027-03-29T00:00:00+02:00"
    night = next(e for e in events(data) if e["id"] == 4)
    assert night["date"] == "2027-03-28T23:30:00+02:00" and night["start"] == "23:30"
    assert night["duration"] == "2:00"
    assert night in days[0]["rooms"]["Room to be announced"]
    keynote = next(e for e in events(data) if e["id"] == 1)
    assert keynote["guid"] == sessions[0].uid
    assert keynote["duration"] == "1:00"
    assert keynote["persons"] == [
        {"id": 1, "name": "Ada Lovelace", "biography": "Works on AI."},
        {"id": 2, "name": "Alan Turing", "biography": None},
    ]
    assert keynote["track"] == "Policy, Law; Ethics"
    assert "secret-link" not in json.dumps(data)


def test_closed_sessions_have_no_persons_or_abstract(xsd, json_validator):
    edition, sessions = sample_agenda()
    body = frab.schedule_json(edition, public(sessions), options())
    data = assert_valid_json(json_validator, body)
    closed = next(e for e in events(data) if e["id"] == 2)
    assert closed["title"] == "Closed session"
    assert closed["persons"] == [] and closed["abstract"] == "" and closed["track"] is None
    assert closed["start"] == "11:30" and closed["room"] == "Room B"
    xml = frab.schedule_xml(edition, public(sessions), options())
    assert b"Heads of unit" not in xml and b"Confidential" not in xml
    event = assert_valid_xml(xsd, xml).find(".//event[@id='2']")
    assert event.find("persons").findall("person") == []
    assert event.findtext("abstract") == ""


def test_cancelled_session_is_marked(json_validator):
    edition, sessions = sample_agenda()
    body = frab.schedule_json(edition, public(sessions), options())
    data = assert_valid_json(json_validator, body)
    cancelled = next(e for e in events(data) if e["id"] == 3)
    assert cancelled["title"] == "Cancelled: الذكاء الاصطناعي وإنفاذ القانون"
    assert cancelled["subtitle"] == "This session is cancelled."
    assert cancelled["slug"] == "2027-3-session"  # an Arabic title gives no ASCII words


def test_singapore_edition_validates(xsd, json_validator):
    edition, sessions = singapore_edition()
    xml = assert_valid_xml(xsd, frab.schedule_xml(edition, public(sessions), options()))
    day = xml.find("day")
    assert day.get("start") == "2026-11-03T00:00:00+08:00"
    late = xml.find(".//event[@id='20']")
    assert late.findtext("date") == "2026-11-03T23:30:00+08:00"
    assert late.findtext("duration") == "1:30"
    body = frab.schedule_json(edition, public(sessions), options())
    data = assert_valid_json(json_validator, body)
    assert data["schedule"]["conference"]["time_zone_name"] == "Asia/Singapore"
    assert data["schedule"]["conference"]["acronym"] == "2026"


def test_thousand_sessions_validate(xsd, json_validator):
    edition, sessions = thousand_sessions()
    xml = assert_valid_xml(xsd, frab.schedule_xml(edition, public(sessions), options()))
    assert len(xml.findall(".//event")) == 1000
    assert [d.get("date") for d in xml.findall("day")] == ["2027-03-28", "2027-03-29",
                                                           "2027-03-30"]
    body = frab.schedule_json(edition, public(sessions), options())
    data = assert_valid_json(json_validator, body)
    assert len(events(data)) == 1000


@pytest.mark.parametrize(("slug", "acronym"), [
    ("2027", "2027"), ("gm-2027", "gm_2027"), ("ab", "ab__"), ("Rome", "rome"),
])
def test_acronym_fits_both_schemas(slug, acronym, xsd, json_validator):
    edition, sessions = sample_agenda()
    edition.slug = slug
    assert frab.conference_acronym(slug) == acronym
    assert_valid_xml(xsd, frab.schedule_xml(edition, public(sessions), options()))
    assert_valid_json(json_validator, frab.schedule_json(edition, public(sessions), options()))


def test_session_outside_the_edition_dates_still_gets_a_day(xsd):
    edition, sessions = sample_agenda()
    sessions.append(make_session(edition, 9, "Pre-event visit",
                                 datetime(2027, 3, 27, 12, 0, tzinfo=UTC),
                                 access=SessionAccess.PUBLIC, status=SessionStatus.SCHEDULED,
                                 speakers=[]))
    xml = assert_valid_xml(xsd, frab.schedule_xml(edition, public(sessions), options()))
    assert [(d.get("index"), d.get("date")) for d in xml.findall("day")] == [
        ("1", "2027-03-27"), ("2", "2027-03-28"), ("3", "2027-03-29")]
    assert edition.days == [date(2027, 3, 28), date(2027, 3, 29)]
    assert SpeakerRole.SPEAKER  # roles are not part of the frab person object


def test_markup_and_control_characters_stay_valid_xml(xsd):
    edition, sessions = sample_agenda()
    sessions[0].title = 'Tags <b>&amp; "quotes"\x07 bell\r\nnew line'
    sessions[1].room.name = 'Room "A" & <B>\nnorth'
    xml = assert_valid_xml(xsd, frab.schedule_xml(edition, public(sessions), options()))
    assert xml.find(".//event[@id='1']").findtext("title") == (
        'Tags <b>&amp; "quotes" bell\r\nnew line')
    assert {room.get("name") for room in xml.findall("day/room")} == {
        "Main Hall", 'Room "A" & <B>\nnorth', "Room to be announced"}


def test_sessions_that_are_not_a_viewers_view_are_refused():
    edition, sessions = sample_agenda()
    with pytest.raises(AttributeError, match="withheld"):
        frab.schedule_json(edition, sessions, options())


def test_what_the_view_shows_is_what_the_schedule_shows(json_validator):
    edition, sessions = sample_agenda()
    views = [public_view(session, ORGANIZER) for session in sessions]
    data = assert_valid_json(json_validator, frab.schedule_json(edition, views, options()))
    closed = next(e for e in events(data) if e["id"] == 2)
    assert closed["title"] != "Closed session" and closed["abstract"]


def test_only_the_tracks_given_are_listed(json_validator):
    edition, sessions = sample_agenda()
    assert edition.tracks
    hidden = frab.ScheduleOptions(**{**vars(options()), "tracks": ()})
    data = assert_valid_json(json_validator, frab.schedule_json(edition, public(sessions), hidden))
    assert data["schedule"]["conference"]["tracks"] == []
    assert b"<track " not in frab.schedule_xml(edition, public(sessions), hidden)
