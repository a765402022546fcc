"""The registration back office on a phone: at 375 px every registration's Status and its link
stay on screen (rows stack), and no back-office page scrolls sideways at 320 px."""

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from meetings.extensions import db
from meetings.models import SessionType
from meetings.registration import configuration, service
from meetings.registration.models import QuestionKind, RegistrationMode
from tests.browser.conftest import A11YCHECK, LONG_EMAIL
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import MAIL_SITE, make_edition, make_session, person, registration_category

pytestmark = pytest.mark.browser
NOW = datetime.now(UTC)


@pytest.fixture
def back_office(app, auth):
    """An open edition with capacity 1: one approved registrant, two on the waiting list."""
    with app.app_context():
        edition = make_edition(slug="2027")
        configuration.set_up(edition, now=NOW)
        configuration.update_settings(edition, opens_at=NOW - timedelta(days=1),
                                      closes_at=NOW + timedelta(days=30), capacity=1,
                                      mode=RegistrationMode.OPEN, auto_promote=True,
                                      privacy_notice="We process your data to run the meeting.",
                                      now=NOW, site=MAIL_SITE)
        question = configuration.add_question(edition, label="Which day do you attend the meeting?",
                                   kind=QuestionKind.SINGLE_CHOICE,
                                   choices_text="Both days\nFirst day only", required=True)
        make_session(edition, "Digital forensics laboratory for investigators",
                     type=SessionType.WORKSHOP, capacity=12,
                     starts_at=datetime(2027, 3, 28, 13, 0, tzinfo=UTC))
        category = registration_category(edition).id
        ids = []
        for n, email in enumerate((LONG_EMAIL, "b@example.org", "c@example.org"), start=1):
            registration = service.register(
                edition, person(n, email=email, organization="Instrumentation Laboratory "
                                "of the Massachusetts Institute of Technology", country="US"),
                category_id=category, consent=True, now=NOW, site=MAIL_SITE)
            service.verify(registration, now=NOW, site=MAIL_SITE)
            ids.append(registration.id)
        edition_id, question_id = edition.id, question.id
        db.session.commit()
    auth.create()
    return {"edition": edition_id, "registrations": ids, "question": question_id}


def log_in(page, live_url):
    page.goto(f"{live_url}/login")
    page.get_by_label("Email", exact=True).fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def back_office_pages(live_url, world) -> list[str]:
    base = f"{live_url}/manage/editions/{world['edition']}/registrations"
    return [base + "/", f"{base}/{world['registrations'][0]}", base + "/dashboard",
            base + "/settings", base + "/categories", base + "/questions",
            base + "/invitations"]


def test_the_registrations_table_keeps_status_on_screen_at_375(phone, live_url, back_office):
    log_in(phone, live_url)
    phone.goto(back_office_pages(live_url, back_office)[0])
    status_cells = phone.locator("table.stacked tbody td[data-label='Status']")
    expect(status_cells).to_have_count(3)
    for index in range(3):
        box = status_cells.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert "On the waiting list (number 1)" in phone.locator("table.stacked").inner_text()


def test_no_back_office_page_scrolls_sideways_at_320(phone, live_url, back_office):
    log_in(phone, live_url)
    phone.set_viewport_size({"width": 320, "height": 800})
    widths = {}
    for url in back_office_pages(live_url, back_office):
        phone.goto(url)
        widths[url] = phone.evaluate("document.documentElement.scrollWidth")
    assert all(width <= 320 for width in widths.values()), widths


RUN_AXE = """async () => (await axe.run(document, {runOnly: {type: "tag",
  values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})).violations
  .filter((v) => v.impact === "moderate" || v.impact === "serious" || v.impact === "critical")
  .map((v) => v.id + ": " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "))"""


def axe_source() -> str:
    path = Path(os.environ["A11YCHECK_DEPS"]) / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        subprocess.run([A11YCHECK.parent / "setup"], check=True, timeout=300)  # installs axe
    return path.read_text()


def test_back_office_pages_meet_wcag21_aa_on_a_phone(phone, live_url, back_office):
    """axe-core (what a11ycheck runs) on each page as the logged-in organizer sees it."""
    log_in(phone, live_url)
    source, problems = axe_source(), {}
    question = f"{live_url}/manage/registration-questions/{back_office['question']}/edit"
    for url in [*back_office_pages(live_url, back_office), question]:
        assert phone.goto(url).status == 200, url
        phone.evaluate(source)
        if violations := phone.evaluate(RUN_AXE):
            problems[url] = violations
    assert problems == {}
