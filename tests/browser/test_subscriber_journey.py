"""A subscriber from the home page to a parsed agenda feed that follows a session's move, in
Chromium; "my time zone" relabels cards, hour axis and the zone sentence; nothing scrolls
sideways at 320 px, and a11ycheck passes on the pages passed."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from meetings.agenda.service import mark_changed
from meetings.extensions import db
from meetings.models import Session
from tests.browser.conftest import run_a11ycheck
from tests.factories import make_edition, make_session, make_venue

pytestmark = pytest.mark.browser
MOVED = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


def no_sideways_scroll(page, url: str) -> bool:
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(url)
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    return fits


def keynote(feed: bytes):
    events = Calendar.from_ical(feed).walk("VEVENT")
    return next(e for e in events if str(e["SUMMARY"]) == "Opening keynote")


def test_subscriber_follows_a_session_move(page, live_url, app):
    with app.app_context():
        edition = make_edition(venue=make_venue())
        session_id = make_session(edition, room=edition.venue.rooms[0]).id
        db.session.commit()

    page.goto(live_url + "/")
    home_feed = page.locator("#subscribe-editions-url").input_value()
    assert home_feed.endswith("/editions.ics")
    page.get_by_role("link", name="Agenda").first.click()
    page.wait_for_url("**/2027/agenda")

    # The browser is in New York: 10:00 in Amsterdam (CEST) is 04:00 there.
    assert page.locator(".agenda-hour time").first.inner_text() == "10:00"
    page.get_by_role("button", name="Show times in my time zone").click()
    note = page.locator(".tz-note").inner_text()
    assert note == "Times are in your time zone (America/New_York)."
    assert page.locator(".agenda-hour time").first.inner_text() == "04:00"
    page.get_by_role("button", name="Show times in Amsterdam time").click()
    expect(page.locator(".tz-note")).to_have_text(re.compile(r"^Times are in Amsterdam time"))

    address = page.locator("#subscribe-url").input_value()
    assert page.locator("[data-feed-link=webcal]").get_attribute("href") == (
        "webcal://" + address.split("://", 1)[1])
    path = "/" + address.split("/", 3)[3]
    before = page.request.get(live_url + path)
    assert before.ok
    first = keynote(before.body())

    with app.app_context():
        session = db.session.get(Session, session_id)
        mark_changed(session, MOVED)
        session.starts_at += timedelta(hours=2)
        session.ends_at += timedelta(hours=2)
        db.session.commit()

    after = page.request.get(live_url + path,
                             headers={"If-None-Match": before.headers["etag"]})
    assert after.status == 200
    moved = keynote(after.body())
    assert moved.decoded("DTSTART") == first.decoded("DTSTART") + timedelta(hours=2)
    assert int(moved["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert moved.decoded("LAST-MODIFIED") > first.decoded("LAST-MODIFIED")

    for url in (live_url + "/", live_url + "/2027/agenda"):
        assert no_sideways_scroll(page, url), f"{url} scrolls sideways at 320 px"
    result = run_a11ycheck([live_url + "/", live_url + "/2027/agenda"], 320)
    assert result.returncode == 0, result.stdout + result.stderr
