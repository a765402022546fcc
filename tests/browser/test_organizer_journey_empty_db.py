"""An organizer from an empty database to an open registration, in Chromium at 1280 px: the first
administrator comes from the CLI, then everything is done through the pages (venue and room,
edition, track, session, registration setup, categories, dates and privacy notice, publish); an
anonymous visitor then finds the Register button and the form. No page passed scrolls sideways at
320 px, and every page passed meets WCAG 2.1 AA (../shared/a11ycheck)."""

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import request

from meetings.extensions import db
from meetings.models import Edition, User
from tests.browser.conftest import run_a11ycheck
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

pytestmark = pytest.mark.browser

ZONE = "Europe/Lisbon"
SLUG = "first-meeting"
TITLE = "First Meeting on AI for Law Enforcement"


PUBLIC = ["/", "/login", f"/{SLUG}/", f"/{SLUG}/register", f"/{SLUG}/agenda", f"/{SLUG}/privacy"]


def first_day() -> date:
    """A Monday about two months ahead, so the edition is the upcoming one."""
    day = date.today() + timedelta(days=60)
    return day - timedelta(days=day.weekday())


def local(moment: datetime) -> str:
    """A datetime-local input's value."""
    return moment.strftime("%Y-%m-%dT%H:%M")


class Journey:
    """The organizer's page, and every GET page it passed (to check at 320 px and with axe)."""

    def __init__(self, page, live_url):
        self.page, self.live_url, self.passed = page, live_url, []

    def goto(self, path: str) -> None:
        assert self.page.goto(self.live_url + path).ok, path
        self.note()

    def click(self, name: str, role: str = "link") -> None:
        self.page.get_by_role(role, name=name, exact=True).first.click()
        self.page.wait_for_load_state()
        self.note()

    def see(self, text: str) -> None:
        self.page.get_by_text(text).first.wait_for()
        self.note()

    def note(self) -> None:
        path = self.page.url.removeprefix(self.live_url)
        if path not in self.passed:
            self.passed.append(path)


def log_in(journey: Journey) -> None:
    journey.goto("/login")
    page = journey.page
    page.get_by_label("Email", exact=True).fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()
    journey.note()


def create_venue(journey: Journey) -> None:
    page = journey.page
    journey.goto("/manage/venues/")
    journey.click("New venue")
    page.get_by_label("Name", exact=True).fill("Lisbon Congress Centre")
    page.get_by_label("City").fill("Lisbon")
    page.get_by_label("Country").select_option("PT")
    page.get_by_label("Time zone").fill(ZONE)
    page.get_by_role("button", name="Create venue").click()
    journey.see("Venue created")
    journey.click("Add a room")
    page.get_by_label("Room name").fill("Auditorium I")
    page.get_by_label("Capacity").fill("300")
    page.get_by_role("button", name="Add room").click()
    journey.see("Room added")


def create_edition(journey: Journey, day: date) -> int:
    page = journey.page
    journey.goto("/manage/")
    journey.click("New edition")
    page.get_by_label("Ordinal").fill("1")
    page.get_by_label("Address (slug)").fill(SLUG)
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("First day").fill(day.isoformat())
    page.get_by_label("Last day").fill((day + timedelta(days=1)).isoformat())
    page.get_by_label("Format").select_option(label="In person")
    page.get_by_label("Venue", exact=True).select_option(label="Lisbon Congress Centre, Lisbon")
    page.get_by_label("Time zone").fill(ZONE)
    page.get_by_role("button", name="Create draft").click()
    journey.see("Edition created as a draft")
    return int(re.search(r"/manage/editions/(\d+)/", page.url).group(1))


def add_track_and_session(journey: Journey, edition_id: int, day: date) -> None:
    page = journey.page
    journey.goto(f"/manage/editions/{edition_id}/")
    journey.click("Tracks")
    page.get_by_label("Name", exact=True).fill("Policy")
    page.get_by_role("button", name="Add track").click()
    journey.see("Track added")
    journey.goto(f"/manage/editions/{edition_id}/")
    journey.click("Agenda")
    journey.click("New session")
    page.get_by_label("Title", exact=True).fill("Opening plenary")
    page.get_by_label("Starts").fill(f"{day.isoformat()}T09:30")
    page.get_by_label("Ends").fill(f"{day.isoformat()}T10:30")
    page.get_by_label("Room", exact=True).select_option(label="Auditorium I")
    page.get_by_label("Track", exact=True).select_option(label="Policy")
    page.get_by_role("button", name="Save").click()
    journey.see("Session added")
    assert "Opening plenary" in page.locator(".agenda-manage-grid").inner_text()


def set_up_registration(journey: Journey, edition_id: int, day: date) -> None:
    page = journey.page
    journey.goto(f"/manage/editions/{edition_id}/")
    journey.click("Registration settings")  # leads to setup, never a 404
    page.get_by_role("button", name="Set up registration").click()
    journey.see("Registration is set up and closed")
    journey.click("Categories and quotas")
    page.get_by_label("Name", exact=True).fill("Academia")
    page.get_by_label("Quota").fill("40")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("rowheader", name="Academia").wait_for()
    journey.note()
    journey.click("Settings and capacity")
    now = datetime.now(ZoneInfo(ZONE)).replace(second=0, microsecond=0)
    page.get_by_label("Opens at (edition time)").fill(local(now - timedelta(hours=1)))
    page.get_by_label("Closes at (edition time)").fill(
        local(datetime.combine(day - timedelta(days=7), datetime.min.time()).replace(hour=18)))
    page.get_by_label("Total capacity").fill("250")
    page.get_by_label("Privacy notice (Markdown)").fill(
        "We process your data **only** to run the meeting, and delete it a year after.")
    page.get_by_role("button", name="Save").click()
    journey.see("Registration settings saved")


def publish(journey: Journey, edition_id: int) -> None:
    journey.goto(f"/manage/editions/{edition_id}/")
    journey.page.get_by_role("button", name="Publish", exact=True).click()
    journey.page.get_by_role("button", name="Unpublish (back to draft)").wait_for()


def serve_as_organizer(app):
    """a11ycheck opens bare URLs, without the organizer's login: serve each back-office page as
    the logged-in organizer sees it under /_as-organizer/ (the same HTML, styles and scripts).
    Returns the function that logs that organizer in (once the account exists)."""
    organizer = app.test_client()

    def as_organizer(path):
        response = organizer.get("/" + path, query_string=request.args)
        return response.get_data(), response.status_code

    app.add_url_rule("/_as-organizer/<path:path>", "as_organizer", as_organizer)
    return lambda: organizer.post("/login", data={"email": ADMIN_EMAIL,
                                                  "password": ADMIN_PASSWORD}).status_code


def test_organizer_goes_from_an_empty_database_to_an_open_registration(
        app, runner, page, browser, live_url):
    organizer_logs_in = serve_as_organizer(app)  # before the app serves its first request
    with app.app_context():  # an empty database: no demo data, no account
        assert db.session.scalar(sa.select(sa.func.count(Edition.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    result = runner.invoke(args=["meetings", "create-admin", ADMIN_EMAIL, "--password-stdin"],
                           input=ADMIN_PASSWORD + "\n")
    assert result.exit_code == 0, result.output

    journey, day = Journey(page, live_url), first_day()
    log_in(journey)
    create_venue(journey)
    edition_id = create_edition(journey, day)
    add_track_and_session(journey, edition_id, day)
    set_up_registration(journey, edition_id, day)
    publish(journey, edition_id)

    visitor = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    visitor.set_default_timeout(10_000)
    anonymous = visitor.new_page()
    anonymous.goto(f"{live_url}/")
    anonymous.get_by_role("link", name=TITLE).first.click()
    anonymous.get_by_role("link", name="Register", exact=True).first.click()
    anonymous.wait_for_url(f"**/{SLUG}/register")
    assert anonymous.get_by_label("Participant category").is_visible()
    assert "Academia" in anonymous.get_by_label("Participant category").inner_text()
    assert anonymous.get_by_role("button", name="Register").is_visible()
    visitor.close()

    back_office = [path for path in journey.passed if path.startswith("/manage/")]
    page.set_viewport_size({"width": 320, "height": 800})
    wide = {}
    for path in back_office + PUBLIC:
        page.goto(live_url + path)
        if (width := page.evaluate("document.documentElement.scrollWidth")) > 320:
            wide[path] = width
    assert wide == {}, "pages that scroll sideways at 320 px"

    assert organizer_logs_in() == 302
    urls = [live_url + path for path in PUBLIC] + [
        f"{live_url}/_as-organizer{path}" for path in back_office]
    with ThreadPoolExecutor(2) as pool:  # one a11ycheck per width, side by side
        results = pool.map(lambda width: run_a11ycheck(urls, width), (1280, 320))
    for result in results:
        assert result.returncode == 0, result.stdout + result.stderr
