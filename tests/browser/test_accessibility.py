"""WCAG 2.1 A/AA on the demo data at 1280 and 375 px: public pages through ../shared/a11ycheck,
back-office pages (behind the login) and form error states through axe-core in Playwright."""

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from meetings.badges.keys import secret_of
from meetings.demo import load_demo
from meetings.extensions import db
from meetings.models import (
    Session,
    SessionAccess,
    SessionStatus,
    utcnow,
)
from meetings.visas.crypto import data_key
from tests.browser.conftest import A11YCHECK, run_a11ycheck
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import MAIL_SITE

pytestmark = pytest.mark.browser

WIDTHS = (1280, 375)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"moderate", "serious", "critical", None}  # None: axe gave none; count it
RUN_AXE = """async (tags) => {
  const result = await window.axe.run(document, {runOnly: {type: "tag", values: tags},
                                                 resultTypes: ["violations"]});
  return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.flat(Infinity).join(" "))}));
}"""


@dataclass
class Demo:
    """Ids and slugs of the demo data the pages are built from."""

    upcoming: str
    upcoming_id: int
    past: str
    virtual: str
    session_id: int
    closed_id: int
    cancelled_id: int
    venue_id: int
    track_id: int
    track_slug: str
    speaker_id: int
    room_id: int


def first_id(query: sa.Select) -> int:
    return db.session.scalars(query.order_by(Session.starts_at).limit(1)).one()


@pytest.fixture
def demo(app) -> Demo:
    with app.app_context():
        editions = load_demo(utcnow(), badge_secret=secret_of(app.config),
                             visa_key=data_key(app.config), site=MAIL_SITE)
        db.session.commit()
        upcoming = editions[-1]
        track = upcoming.tracks[0]
        of_upcoming = sa.select(Session.id).where(Session.edition_id == upcoming.id)
        return Demo(
            upcoming=upcoming.slug, upcoming_id=upcoming.id, past="2019", virtual="2020",
            session_id=first_id(of_upcoming.where(Session.access == SessionAccess.PUBLIC,
                                                  Session.speaker_links.any())),
            closed_id=first_id(of_upcoming.where(Session.access == SessionAccess.CLOSED)),
            cancelled_id=first_id(of_upcoming.where(Session.status == SessionStatus.CANCELLED)),
            venue_id=upcoming.venue_id,
            track_id=track.id, track_slug=track.slug,
            speaker_id=upcoming.speakers[0].id, room_id=upcoming.venue.rooms[0].id,
        )


def public_paths(demo: Demo) -> list[str]:
    slug = demo.upcoming
    return [
        "/", f"/{slug}/", f"/{slug}/agenda", f"/{slug}/agenda?track={demo.track_slug}&type=panel",
        f"/{slug}/sessions/{demo.session_id}", f"/{slug}/sessions/{demo.closed_id}",
        f"/{slug}/sessions/{demo.cancelled_id}", f"/{slug}/speakers", f"/{slug}/venue",
        f"/{demo.past}/", f"/{demo.virtual}/agenda", f"/{slug}/register",
        f"/{slug}/register/lost-link", f"/{slug}/privacy", "/login",
    ]


def manage_paths(demo: Demo) -> list[str]:
    edition = f"/manage/editions/{demo.upcoming_id}"
    return [
        "/manage/", f"{edition}/", f"{edition}/edit", "/manage/editions/new", f"{edition}/copy",
        "/manage/venues/", f"/manage/venues/{demo.venue_id}/edit",
        f"/manage/rooms/{demo.room_id}/edit",
        f"{edition}/agenda", f"/manage/sessions/{demo.session_id}/edit",
        f"/manage/sessions/{demo.cancelled_id}/edit", f"{edition}/sessions/new",
        f"{edition}/tracks", f"/manage/tracks/{demo.track_id}/edit",
        f"{edition}/speakers", f"/manage/speakers/{demo.speaker_id}/edit",
        "/manage/users/", "/manage/users/new", "/manage/audit/",
        f"{edition}/checkin", f"{edition}/checkin/staff",
    ]


def test_public_pages_pass_a11ycheck(live_url, demo):
    urls = [live_url + path for path in public_paths(demo)]
    with ThreadPoolExecutor(len(WIDTHS)) as pool:  # one a11ycheck per width, side by side
        results = pool.map(lambda width: (width, run_a11ycheck(urls, width)), WIDTHS)
    for width, result in results:
        assert result.returncode == 0, f"width {width}:\n{result.stdout}{result.stderr}"
        assert result.stdout.count("PASS ") == len(urls), result.stdout


@pytest.fixture
def axe_source() -> str:
    deps = Path(os.environ["A11YCHECK_DEPS"])
    path = deps / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        subprocess.run([A11YCHECK.parent / "setup"], check=True, timeout=300)  # installs axe-core
    return path.read_text()


@pytest.fixture
def organizer(page, live_url, auth):
    """The `page` logged in as an admin, recording Content-Security-Policy refusals."""
    auth.create()
    page.refused = watch_console(page)
    page.goto(f"{live_url}/login")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()
    return page


def axe_failures(page, axe_source: str) -> list[str]:
    """Run axe-core (WCAG 2.1 A/AA) on the loaded page; its violations of moderate or worse."""
    for frame in page.frames:
        frame.evaluate(axe_source)
    violations = page.evaluate(RUN_AXE, TAGS)
    return [f"{v['id']} [{v['impact']}] {v['help']}: {', '.join(v['targets'][:5])}"
            for v in violations if v["impact"] in FAILING_IMPACTS]


def reflows(page) -> bool:
    """No horizontal scrolling of the whole page (WCAG 1.4.10); wide tables scroll in place."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def check_pages(page, live_url: str, paths: list[str], axe_source: str) -> dict[str, list]:
    problems = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            response = page.goto(live_url + path)
            assert response.status == 200, f"{path}: HTTP {response.status}"
            failures = axe_failures(page, axe_source)
            if not reflows(page):
                failures.append("the page scrolls sideways")
            if failures:
                problems[f"{path} at {width}px"] = failures
    return problems


def watch_console(page) -> list[str]:
    """Collect Content-Security-Policy refusals and uncaught script errors of `page`."""
    problems = []
    page.on("console", lambda message: problems.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    return problems


def test_public_pages_reflow_and_run_no_refused_scripts(page, live_url, demo):
    problems = watch_console(page)
    page.set_viewport_size({"width": 375, "height": 800})
    for path in public_paths(demo):
        assert page.goto(live_url + path).status == 200, path
        assert reflows(page), f"{path} scrolls sideways at 375px"
    assert problems == []


def test_back_office_pages_meet_wcag21_aa(organizer, live_url, demo, axe_source):
    problems = check_pages(organizer, live_url, manage_paths(demo), axe_source)
    assert not problems, "\n".join(f"{page}: {found}" for page, found in problems.items())
    assert organizer.refused == []


def submit_bad_edition(page, live_url, demo):
    page.goto(f"{live_url}/manage/editions/{demo.upcoming_id}/edit")
    page.get_by_label("Title", exact=True).fill("")
    page.get_by_label("Last day").fill("2001-01-01")
    page.get_by_label("Time zone").fill("Mars/Olympus_Mons")
    page.get_by_role("button", name="Save").click()


def submit_bad_session(page, live_url, demo):
    page.goto(f"{live_url}/manage/sessions/{demo.session_id}/edit")
    page.get_by_label("Ends").fill("2001-01-01T08:00")
    page.get_by_label("Seats").fill("0")
    page.get_by_role("button", name="Save").click()


def submit_bad_venue(page, live_url, demo):
    page.goto(f"{live_url}/manage/venues/{demo.venue_id}/edit")
    page.get_by_label("City").fill("")
    page.get_by_label("Latitude").fill("95")
    page.get_by_role("button", name="Save").click()


def submit_bad_login(page, live_url, demo):
    page.context.clear_cookies()
    page.goto(f"{live_url}/login")
    page.get_by_label("Email").fill("not an address")
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("submit", [submit_bad_edition, submit_bad_session, submit_bad_venue,
                                    submit_bad_login])
def test_form_error_states_meet_wcag21_aa(organizer, live_url, demo, axe_source, submit):
    for width in WIDTHS:
        organizer.set_viewport_size({"width": width, "height": 800})
        submit(organizer, live_url, demo)
        summary = organizer.get_by_role("alert")
        summary.wait_for()
        assert summary.get_by_role("link").count() >= 1
        invalid = organizer.locator("[aria-invalid=true]")
        assert invalid.count() >= 1
        for i in range(invalid.count()):  # every invalid field names its error message
            described = invalid.nth(i).get_attribute("aria-describedby") or ""
            assert any(organizer.locator(f"#{ref}.error").count() for ref in described.split())
        assert axe_failures(organizer, axe_source) == [], f"{submit.__name__} at {width}px"
        assert reflows(organizer), f"{submit.__name__} scrolls sideways at {width}px"
    assert organizer.refused == []
