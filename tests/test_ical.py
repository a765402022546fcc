"""meetings.ical without the app: objects in memory, export, read back, check in five parsers."""

import re
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from meetings import ical
from meetings.markup import plain_text
from tests.exporters import (
    CREATED,
    NOW,
    SITE,
    check_snapshot,
    make_edition,
    make_session,
    make_venue,
    sample_agenda,
    singapore_edition,
    thousand_sessions,
)
from tests.shared import icalcheck


def options(**overrides) -> ical.FeedOptions:
    values = dict(domain="meetings.example.org",
                  session_url=lambda s: f"{SITE}/{s.edition.slug}/sessions/{s.id}",
                  country_name={"NL": "Netherlands", "SG": "Singapore"}.get)
    values.update(overrides)
    return ical.FeedOptions(**values)


def info(name="Global Meeting on AI for Law Enforcement 2027 — Agenda") -> ical.CalendarInfo:
    return ical.CalendarInfo(name=name, description="Every session.", url=f"{SITE}/2027/agenda")


def agenda_bytes(sessions, **overrides) -> bytes:
    return ical.agenda_calendar(sessions, info(), options(**overrides), NOW)


def events_by_uid(body: bytes) -> dict:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def event_number(body: bytes, number: int):
    """The VEVENT of session `number` (see make_session's UIDs)."""
    uid = f"6f1c{number:04d}-0000-4000-8000-{number:012d}@meetings.example.org"
    return events_by_uid(body)[uid]


# ---------------------------------------------------------------- tests

def test_agenda_matches_snapshot_byte_for_byte():
    edition, sessions = sample_agenda()
    check_snapshot("agenda.ics", agenda_bytes(sessions))


def test_same_objects_give_the_same_bytes():
    edition, sessions = sample_agenda()
    assert agenda_bytes(sessions) == agenda_bytes(sessions)


def test_remembered_lines_give_the_bytes_a_fresh_process_writes():
    """Times, places and categories shared between events are made once; the bytes are the
    same as when each event makes all its lines itself."""
    edition, sessions = sample_agenda()
    ical.forget_lines()
    first = agenda_bytes(sessions)
    assert agenda_bytes(sessions) == first
    edition.venue.latitude = -0.0  # GEO is written for each event: -0.0 and 0.0 differ
    ical.forget_lines()
    negative = agenda_bytes(sessions)
    edition.venue.latitude = 0.0
    assert b"GEO:-0;" in negative and b"GEO:0;" in agenda_bytes(sessions)


@pytest.mark.parametrize("code", [*range(0x00, 0xA1), 0x2028, 0x2029, 0xE9, 0x5B57])
def test_clean_leaves_ordinary_text_as_it_is_and_changes_the_rest(code):
    text = f"a{chr(code)}b\r\nc"
    expected = ical._LINE_BREAKS.sub("\n", text).translate(ical._CONTROLS)
    assert ical.clean(text) == expected
    assert ical.clean(f"a{chr(code)}b") == ical._LINE_BREAKS.sub(
        "\n", f"a{chr(code)}b").translate(ical._CONTROLS)


def test_calendar_properties_and_no_method():
    edition, sessions = sample_agenda()
    calendar = icalendar.Calendar.from_ical(agenda_bytes(sessions))
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert "METHOD" not in calendar
    assert str(calendar["X-WR-CALNAME"]) == "Global Meeting on AI for Law Enforcement 2027 — Agenda"
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"])
    assert str(calendar["X-WR-CALDESC"]) == str(calendar["DESCRIPTION"]) == "Every session."
    assert str(calendar["URL"]) == f"{SITE}/2027/agenda"
    body = agenda_bytes(sessions)
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in body


def test_event_carries_every_property_in_utc():
    edition, sessions = sample_agenda()
    event = event_number(agenda_bytes(sessions), 1)
    assert event.decoded("DTSTART") == datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2027, 3, 28, 9, 0, tzinfo=UTC)
    assert event["DTSTART"].to_ical() == b"20270328T080000Z"
    assert str(event["SUMMARY"]) == "Opening keynote"
    assert str(event["LOCATION"]) == (
        "Main Hall, World Forum, Churchillplein 10, The Hague, Netherlands")
    assert event["GEO"].to_ical() == "52.0894;4.2829"
    assert str(event["URL"]) == f"{SITE}/2027/sessions/1"
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Policy, Law; Ethics", "Keynote"]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("SEQUENCE") == 0
    assert event.decoded("CREATED") == CREATED
    assert event.decoded("DTSTAMP") == event.decoded("LAST-MODIFIED") == CREATED + timedelta(days=1)


def test_description_is_plain_text_with_local_time_and_link():
    edition, sessions = sample_agenda()
    event = event_number(agenda_bytes(sessions), 1)
    assert str(event["DESCRIPTION"]) == (
        "Keynote · Track: Policy, Law; Ethics\n\n"
        "Speakers: Ada Lovelace (INTERPOL), Alan Turing (moderator)\n\n"
        "Commas, semicolons; a backslash \\ and\nsecond paragraph.\n\n"
        # 28 March 2027: Amsterdam is on summer time from 01:00 UTC.
        "2027-03-28, 10:00–11:00 Amsterdam time (CEST)\n\n"
        f"{SITE}/2027/sessions/1"
    )


def test_closed_session_shows_time_and_room_only_in_public_feeds():
    edition, sessions = sample_agenda()
    body = agenda_bytes(sessions)
    event = event_number(body, 2)
    assert str(event["SUMMARY"]) == "Closed session"
    assert str(event["LOCATION"]).startswith("Room B, World Forum")
    assert str(event["DESCRIPTION"]) == "2027-03-28, 11:30–12:30 Amsterdam time (CEST)"
    assert "URL" not in event and "CATEGORIES" not in event
    for secret in (b"Heads of unit", b"Confidential", b"secret-link"):
        assert secret not in body


def test_private_feed_shows_closed_details_and_online_links():
    edition, sessions = sample_agenda()
    body = agenda_bytes(sessions, private=True)
    closed = event_number(body, 2)
    assert str(closed["SUMMARY"]) == "Heads of unit (closed)"
    assert "Confidential agenda item." in str(closed["DESCRIPTION"])
    keynote = event_number(body, 1)
    assert "Join online: https://stream.example.org/secret-link" in str(keynote["DESCRIPTION"])


def test_cancelled_session_says_so_in_its_summary():
    edition, sessions = sample_agenda()
    event = event_number(agenda_bytes(sessions), 3)
    assert str(event["SUMMARY"]) == "Cancelled: الذكاء الاصطناعي وإنفاذ القانون"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 2
    assert str(event["DESCRIPTION"]).startswith("This session is cancelled.")


def test_session_without_room_is_at_the_edition_venue_and_crosses_midnight():
    edition, sessions = sample_agenda()
    event = event_number(agenda_bytes(sessions), 4)
    assert str(event["LOCATION"]) == "World Forum, Churchillplein 10, The Hague, Netherlands"
    assert ("2027-03-28 23:30 CEST – 2027-03-29 01:30 CEST, Amsterdam time"
            in str(event["DESCRIPTION"]))


@pytest.mark.parametrize(("start", "minutes", "zone", "expected"), [
    (datetime(2027, 3, 28, 0, 30, tzinfo=UTC), 60, "Europe/Amsterdam",
     "2027-03-28, 01:30 CET – 03:30 CEST, Amsterdam time"),
    (datetime(2027, 1, 26, 9, 0, tzinfo=UTC), 90, "Europe/Amsterdam",
     "2027-01-26, 10:00–11:30 Amsterdam time (CET)"),
    (datetime(2027, 1, 26, 2, 0, tzinfo=UTC), 90, "Asia/Singapore",
     "2027-01-26, 10:00–11:30 Singapore time (UTC+08)"),
])
def test_local_time_line(start, minutes, zone, expected):
    end = start + timedelta(minutes=minutes)
    assert ical.local_time_line(start, end, zone, ical.Labels()) == expected


def test_single_session_download_carries_method_publish():
    edition, sessions = sample_agenda()
    body = ical.session_calendar(sessions[0], info(), options(), NOW)
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert len(calendar.walk("VEVENT")) == 1


def test_editions_calendar_has_all_day_events():
    venue = make_venue()
    edition = make_edition(venue=venue, days=3)
    body = ical.editions_calendar([edition], info("Editions"), "meetings.example.org",
                                  lambda e: f"{SITE}/{e.slug}/", NOW)
    assert b"DTSTART;VALUE=DATE:20270328\r\n" in body
    assert b"DTEND;VALUE=DATE:20270331\r\n" in body  # the day after the last day
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == date(2027, 3, 28)
    assert str(event["UID"]) == "edition-1@meetings.example.org"
    assert str(event["DESCRIPTION"]) == f"The fifth edition.\n\n{SITE}/2027/"


def test_lines_are_folded_at_75_octets_without_splitting_characters():
    edition, sessions = sample_agenda()
    sessions[0].title = "人工智能与执法 " * 20 + "🚓" * 30
    sessions[0].description = "C:\\path " * 100 + ",;" * 100
    body = agenda_bytes(sessions)
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # every physical line is valid UTF-8 on its own
    event = event_number(body, 1)
    assert str(event["SUMMARY"]) == sessions[0].title
    assert sessions[0].description in str(event["DESCRIPTION"])


def summary_line(title: str) -> str:
    """The unfolded SUMMARY line of a one-session feed whose session has this title."""
    edition, sessions = sample_agenda()
    sessions[0].title = title
    body = agenda_bytes(sessions[:1]).decode().replace("\r\n ", "")
    return next(line for line in body.split("\r\n") if line.startswith("SUMMARY:"))


def test_text_escaping_round_trips():
    value = 'a, b; c \\ d\ne\r\nf\x07g "quoted" \ttab'
    assert summary_line(value) == 'SUMMARY:a\\, b\\; c \\\\ d\\ne\\nfg "quoted" \ttab'
    edition, sessions = sample_agenda()
    sessions[0].title = value
    event = event_number(agenda_bytes(sessions), 1)
    assert str(event["SUMMARY"]) == 'a, b; c \\ d\ne\nfg "quoted" \ttab'


def test_control_characters_are_dropped_everywhere():
    edition, sessions = sample_agenda()
    sessions[0].title = "Open\x00ing\x1b[31m\x7f\x9b"
    sessions[0].description = "Abs\x08tract"
    edition.venue.name = "World\x07 Forum"
    body = agenda_bytes(sessions[:1])
    assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", body.replace(b"\r\n", b""))
    event = event_number(body, 1)
    assert str(event["SUMMARY"]) == "Opening[31m"
    assert "Abstract" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]).startswith("Main Hall, World Forum,")


def test_a_literal_backslash_n_keeps_its_backslash():
    """icalendar's vText would read the two characters as a line break; RFC 5545 escapes them."""
    assert summary_line("Share C:\\New and \\\\N") == "SUMMARY:Share C:\\\\New and \\\\\\\\N"


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1e",
                                       "\r", "\n", "\r\n"])
def test_unicode_line_separators_cannot_inject_lines(separator):
    """Code that splits lines the way Python or JavaScript do sees no injected property."""
    injected = f"Opening{separator}ATTENDEE:mailto:evil@example.org"
    edition, sessions = sample_agenda()
    sessions[0].title = injected
    sessions[0].description = injected
    edition.venue.name = injected
    body = ical.agenda_calendar(sessions[:1], info(), options(
        session_url=lambda s: f"https://x.example/a{separator}b"), NOW).decode()
    assert body.splitlines() == body.split("\r\n")[:-1]  # CRLF is the only line break left
    assert not any(line.startswith("ATTENDEE") for line in body.splitlines())
    assert summary_line(injected) == "SUMMARY:Opening\\nATTENDEE:mailto:evil@example.org"
    event = event_number(body.encode(), 1)
    assert str(event["URL"]) == "https://x.example/ab"
    assert str(event["SUMMARY"]) == "Opening\nATTENDEE:mailto:evil@example.org"


def test_coordinates_never_use_an_exponent():
    edition, sessions = sample_agenda()
    edition.venue.latitude, edition.venue.longitude = 0.00001, 4.2829000000000001
    assert b"\r\nGEO:0.00001;4.2829\r\n" in agenda_bytes(sessions[:1])


def test_fold_keeps_backslash_escapes_on_one_line():
    line = ("DESCRIPTION:" + "x" * 62 + "\\,yyyy").encode()
    folded = ical.fold(line)
    assert folded.split(b"\r\n")[0].endswith(b"x")
    assert ical.fold(b"short") == b"short\r\n"


@pytest.mark.parametrize("markdown", [
    "Plain abstract, with commas; semicolons.", "Two\nlines", "Two\n\nparagraphs",
    "  indented", "**bold** and _em_", "1. first\n2. second", "- item", "# Heading",
    "a &amp; b", "<b>html</b>", "line  \nbreak", "Tab\there", "\tcode", "=====", "",
])
def test_plain_text_fast_path_matches_the_markdown_renderer(markdown):
    import html

    import nh3

    from meetings.markup import _markdown

    slow = html.unescape(nh3.clean(_markdown.render(markdown), tags=set())).strip()
    assert plain_text(markdown) == slow


# ---------------------------------------------------------------- five parsers agree

def test_edge_cases_pass_icalcheck(tmp_path):
    edition, sessions = sample_agenda()
    files = {
        "agenda.ics": agenda_bytes(sessions),
        "private.ics": agenda_bytes(sessions, private=True),
        "dst_day.ics": agenda_bytes([make_session(
            edition, 30, "Across the DST change", datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
            minutes=60, room=edition.venue.rooms[0])]),
        "singapore.ics": agenda_bytes(singapore_edition()[1]),
        "single.ics": ical.session_calendar(sessions[2], info(), options(), NOW),
        "editions.ics": ical.editions_calendar([edition, singapore_edition()[0]], info("Editions"),
                                               "meetings.example.org", lambda e: SITE, NOW),
        "thousand.ics": agenda_bytes(thousand_sessions()[1]),
        "text_edges.ics": agenda_bytes([make_session(
            edition, 31, "Share C:\\New and \\\\N; a\u2028b\x85c\x0bd\x1b[0m e\u2029f",
            datetime(2027, 3, 29, 9, 0, tzinfo=UTC), room=edition.venue.rooms[1],
            description="Line\x0cbreak, tab\there \x00 and 🚓" * 5)]),
    }
    moved = sessions[0]
    files["before_move.ics"] = agenda_bytes([moved])
    moved.starts_at += timedelta(hours=2)
    moved.ends_at += timedelta(hours=2)
    moved.sequence += 1
    moved.updated_at = NOW
    files["after_move.ics"] = agenda_bytes([moved])
    paths = []
    for name, body in files.items():
        (tmp_path / name).write_bytes(body)
        paths.append(tmp_path / name)
    icalcheck(*paths)
    before = events_by_uid(files["before_move.ics"])
    after = events_by_uid(files["after_move.ics"])
    assert before.keys() == after.keys()
    uid = next(iter(after))
    assert after[uid].decoded("SEQUENCE") == before[uid].decoded("SEQUENCE") + 1
    assert after[uid].decoded("DTSTART") - before[uid].decoded("DTSTART") == timedelta(hours=2)
    assert len(events_by_uid(files["thousand.ics"])) == 1000


def test_every_uid_is_unique_and_stable():
    edition, sessions = thousand_sessions()
    uids = re.findall(rb"\r\nUID:([^\r]+)", agenda_bytes(sessions))
    assert len(uids) == len(set(uids)) == 1000
    assert uids[0] == b"6f1c0001-0000-4000-8000-000000000001@meetings.example.org"
