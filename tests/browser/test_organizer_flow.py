"""An organizer builds and publishes an edition in Chromium; a visitor reads its agenda."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

pytestmark = pytest.mark.browser

ZONE = "Asia/Singapore"
VISITOR_ZONE = "America/New_York"
SLUG = "browser-flow"
ROOMS = [("Plenary Hall", "400"), ("Workshop Room", "40"), ("Board Room", "20")]


def first_day() -> date:
    """A Monday about two months ahead, so the edition is the upcoming one."""
    day = date.today() + timedelta(days=60)
    return day - timedelta(days=day.weekday())


def log_in(page, live_url) -> None:
    page.goto(f"{live_url}/login")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def create_venue_with_rooms(page, live_url) -> None:
    page.goto(f"{live_url}/manage/venues/new")
    page.get_by_label("Name").fill("Marina Conference Centre")
    page.get_by_label("City").fill("Singapore")
    page.get_by_label("Country").select_option("SG")
    page.get_by_label("Time zone").fill(ZONE)
    page.get_by_role("button", name="Create venue").click()
    page.get_by_text("Venue created").wait_for()
    for name, capacity in ROOMS:
        page.get_by_role("link", name="Add a room").click()
        page.get_by_label("Room name").fill(name)
        page.get_by_label("Capacity").fill(capacity)
        page.get_by_role("button", name="Add room").click()
        page.get_by_text("Room added").wait_for()
    rooms = page.get_by_role("region", name="Rooms").get_by_role("rowheader")
    assert sorted(rooms.all_inner_texts()) == sorted(name for name, _ in ROOMS)


def create_edition(page, live_url, day: date) -> int:
    page.goto(f"{live_url}/manage/editions/new")
    page.get_by_label("Ordinal").fill("9")
    page.get_by_label("Address (slug)").fill(SLUG)
    page.get_by_label("Title", exact=True).fill("Browser Flow Meeting")
    page.get_by_label("First day").fill(day.isoformat())
    page.get_by_label("Last day").fill((day + timedelta(days=1)).isoformat())
    page.get_by_label("Format").select_option(label="In person")
    venue = page.get_by_label("Venue", exact=True)
    venue.select_option(label="Marina Conference Centre, Singapore")
    page.get_by_label("Time zone").fill(ZONE)
    page.get_by_role("button", name="Create draft").click()
    page.get_by_text("Edition created as a draft").wait_for()
    return int(re.search(r"/manage/editions/(\d+)/", page.url).group(1))


def fill_session(page, title: str, start: datetime | None = None, end: datetime | None = None,
                 room: str | None = None) -> None:
    page.get_by_label("Title", exact=True).fill(title)
    if start is not None:
        page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    if end is not None:
        page.get_by_label("Ends").fill(end.strftime("%Y-%m-%dT%H:%M"))
    if room is not None:
        page.get_by_label("Room", exact=True).select_option(label=room)
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Session added").wait_for()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute)


def add_sessions(page, live_url, edition_id: int, day: date) -> list[tuple[str, datetime]]:
    """Three sessions, entered out of time order; returns them in time order with local starts."""
    second_day = day + timedelta(days=1)
    page.goto(f"{live_url}/manage/editions/{edition_id}/agenda")
    page.get_by_role("link", name="New session").click()
    fill_session(page, "Closing plenary", at(second_day, 14), at(second_day, 15, 30),
                 "Board Room")
    page.goto(f"{live_url}/manage/editions/{edition_id}/agenda?day={day.isoformat()}")
    # The grid's "Add session" link prefills the room and the start time.
    page.get_by_role("link", name="Add session in Plenary Hall at 09:00").click()
    assert page.get_by_label("Starts").input_value() == f"{day.isoformat()}T09:00"
    assert page.get_by_label("Room", exact=True).locator("option:checked").inner_text() == \
        "Plenary Hall"
    fill_session(page, "Opening keynote")
    page.get_by_role("link", name="New session").click()
    fill_session(page, "Panel on facial recognition", at(day, 11, 30), at(day, 12, 30),
                 "Workshop Room")
    grid = page.locator(".agenda-manage-grid")
    expect(grid).to_contain_text("Opening keynote", use_inner_text=True)
    expect(grid).to_contain_text("Panel on facial recognition", use_inner_text=True)
    return [("Opening keynote", at(day, 9)), ("Panel on facial recognition", at(day, 11, 30)),
            ("Closing plenary", at(second_day, 14))]


def expected_visitor_time(local_start: datetime) -> tuple[str, bool]:
    """The visitor's clock time (HH:MM) and whether it falls on another calendar day."""
    instant = local_start.replace(tzinfo=ZoneInfo(ZONE))
    visitor = instant.astimezone(ZoneInfo(VISITOR_ZONE))
    return f"{visitor:%H:%M}", visitor.date() != local_start.date()


def test_organizer_builds_and_publishes_an_edition_visitor_reads_agenda(page, live_url, auth,
                                                                        browser):
    auth.create()
    day = first_day()
    log_in(page, live_url)
    create_venue_with_rooms(page, live_url)
    edition_id = create_edition(page, live_url, day)
    sessions = add_sessions(page, live_url, edition_id, day)

    visitor = browser.new_context(locale="en-GB", timezone_id=VISITOR_ZONE,
                                  viewport={"width": 1280, "height": 900})
    visitor.set_default_timeout(10_000)
    anonymous = visitor.new_page()
    assert anonymous.goto(f"{live_url}/{SLUG}/agenda").status == 404  # still a draft

    page.goto(f"{live_url}/manage/editions/{edition_id}/")
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_role("button", name="Unpublish (back to draft)").wait_for()

    response = anonymous.goto(f"{live_url}/{SLUG}/agenda")
    assert response.status == 200
    cards = anonymous.locator("article.agenda-session")
    assert cards.locator("h3").all_inner_texts() == [title for title, _ in sessions]
    starts = cards.locator(".when time:first-of-type")
    assert starts.all_inner_texts() == [f"{start:%H:%M}" for _, start in sessions]
    assert anonymous.locator(".when .tz").first.inner_text() == "+08"
    expect(anonymous.locator(".tz-note")).to_contain_text("Singapore", use_inner_text=True)

    anonymous.get_by_role("button", name="Show times in my time zone").click()
    anonymous.get_by_role("status").filter(has_text=VISITOR_ZONE).wait_for()
    switch = anonymous.get_by_role("button", name="Show times in Singapore time")
    assert switch.get_attribute("aria-pressed") is None
    shown = starts.all_inner_texts()
    for text, (_, start) in zip(shown, sessions, strict=True):
        clock, other_day = expected_visitor_time(start)
        assert text.endswith(clock), (text, clock)
        assert (text != clock) == other_day, text  # another day shows the date too
    assert anonymous.locator(".when .tz").first.inner_text() != "+08"
    switch.click()
    assert starts.all_inner_texts() == [f"{start:%H:%M}" for _, start in sessions]
    visitor.close()
