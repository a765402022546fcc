"""What a subscriber finds on the pages: a Subscribe panel on the home page, the frab files on
the agenda, jump links between days, the hour axis as instants (for "my time zone"), and a
track whose closed sessions are not in its feed saying so."""

import re
from datetime import UTC, datetime

from icalendar import Calendar

from meetings.extensions import db
from meetings.models import SessionAccess
from tests.factories import make_edition, make_session, make_track


def agenda_with_closed_track_sessions(app) -> None:
    with app.app_context():
        edition = make_edition()
        policy = make_track(edition, "Policy")
        make_session(edition, "Open policy talk", track=policy)
        for hour in (11, 13):
            make_session(edition, "Secret briefing", track=policy, access=SessionAccess.CLOSED,
                         starts_at=datetime(2027, 3, 29, hour, 0, tzinfo=UTC))
        db.session.commit()


def test_home_page_has_a_subscribe_panel_for_every_edition(app, client):
    with app.app_context():
        make_edition()
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert 'id="subscribe-editions-heading"' in page
    assert 'href="webcal://localhost/editions.ics"' in page
    assert 'value="http://localhost/editions.ics"' in page
    assert "Add to Google Calendar" in page and "Add to Outlook.com" in page


def test_agenda_page_advertises_the_frab_files_and_links_its_days(app, client):
    agenda_with_closed_track_sessions(app)
    page = client.get("/2027/agenda").get_data(as_text=True)
    assert "For conference apps" in page
    assert 'href="http://localhost/2027/schedule.xml"' in page
    assert 'href="http://localhost/2027/schedule.json"' in page
    jumps = re.search(r'<nav class="day-jumps".*?</nav>', page, re.S).group(0)
    assert re.findall(r'href="#(day-[0-9-]+)"', jumps) == ["day-2027-03-28", "day-2027-03-29"]
    assert 'id="day-2027-03-29"' in page


def test_hour_axis_and_zone_sentence_carry_what_my_time_zone_needs(app, client):
    agenda_with_closed_track_sessions(app)
    page = client.get("/2027/agenda").get_data(as_text=True)
    # 10:00 in Amsterdam on 28 March 2027 (CEST) is 08:00 UTC.
    assert '<time datetime="2027-03-28T08:00:00Z">10:00</time>' in page
    assert 'data-local-note="Times are in your time zone ({zone})."' in page


def test_track_with_closed_sessions_says_they_are_not_in_its_feed(app, client):
    agenda_with_closed_track_sessions(app)
    page = client.get("/2027/agenda?track=policy").get_data(as_text=True)
    assert "2 closed sessions of this track are not in its calendar" in page
    body = client.get("/2027/tracks/policy.ics", headers={"Accept-Encoding": "identity"}).data
    calendar = Calendar.from_ical(body)
    assert "2 closed sessions of this track are not listed" in str(calendar["X-WR-CALDESC"])
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Open policy talk"]
