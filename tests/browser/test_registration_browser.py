"""Registration in Chromium: register, confirm from the email, choose a workshop, cancel;
an organizer approves someone from the waiting list. The form (with its error state), the
manage page and the registrations table pass ../shared/a11ycheck at 1280 and 375 px."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import request
from playwright.sync_api import expect

from meetings.extensions import db
from meetings.models import Edition, SessionType
from meetings.registration import configuration
from meetings.registration.models import Registration, RegistrationMode, RegistrationStatus
from tests.browser.conftest import run_a11ycheck
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import MAIL_SITE, make_edition, make_session, sign_up
from tests.smtp import DeliveredInbox

pytestmark = pytest.mark.browser
NOW = datetime.now(UTC)


@pytest.fixture
def registration_site(app, smtp_server, auth):
    """Open registration (capacity 1, manual waiting list), one workshop, mail to aiosmtpd."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port,
                      MAIL_FROM="registration@meetings.test")
    with app.app_context():
        edition = make_edition(slug="2027")
        configuration.set_up(edition, now=NOW)
        configuration.update_settings(edition, opens_at=NOW - timedelta(days=1),
                              closes_at=NOW + timedelta(days=30), capacity=1,
                              mode=RegistrationMode.OPEN, auto_promote=False,
                              privacy_notice="We process your data **only** to run the meeting.",
                              now=NOW, site=MAIL_SITE)
        make_session(edition, "Digital forensics lab", type=SessionType.WORKSHOP, capacity=12,
                     starts_at=datetime(2027, 3, 28, 13, 0, tzinfo=UTC))
        edition_id = edition.id
        db.session.commit()
    auth.create()
    add_snapshot_route(app)
    return {"inbox": DeliveredInbox(app, smtp_server.inbox), "edition_id": edition_id}


def add_snapshot_route(app):
    """Serve states a bare URL cannot show (a failed submit, pages behind a login) to a11ycheck."""
    organizer = app.test_client()

    def snapshot(path):
        if path == "register-errors":
            return organizer.post("/2027/register", data={"email": "nope"}).get_data()
        return organizer.get("/" + path, query_string=request.args).get_data()

    app.add_url_rule("/_snapshot/<path:path>", "snapshot", snapshot)
    organizer.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})


def manage_link(inbox) -> str:
    body = inbox.bodies("plain")[-1]
    return "/manage-registration/" + body.split("/manage-registration/")[1].split()[0]


def add_waitlisted_person(app, edition_id) -> int:
    with app.app_context():
        edition = db.session.get(Edition, edition_id)
        waiting = sign_up(edition, 9, now=NOW, given_name="Wanda", family_name="Wait")
        db.session.commit()
        assert waiting.status == RegistrationStatus.WAITLISTED
        return waiting.id


def test_register_confirm_choose_cancel_and_approve_from_waiting_list(
        page, live_url, app, registration_site):
    inbox = registration_site["inbox"]
    page.goto(f"{live_url}/2027/register")
    page.get_by_role("button", name="Register").click()
    # is_visible() does not wait for the answer to the submit; wait_for does (it raises if absent).
    page.locator("#error-summary").wait_for(state="visible")
    assert page.locator("#error-summary").is_visible()
    page.get_by_label("Given name").fill("Grace")
    page.get_by_label("Family name").fill("Hopper")
    page.get_by_label("Email", exact=True).fill("grace@example.org")
    page.get_by_label("Organization", exact=True).fill("Naval Criminal Investigative Service")
    page.get_by_label("Country", exact=True).select_option("US")
    page.get_by_label("Participant category").select_option(label="Government")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    assert "Please confirm" in inbox.messages[-1]["Subject"]
    page.goto(live_url + manage_link(inbox))
    assert "Waiting for email confirmation" in page.locator("#status").inner_text()
    page.get_by_role("button", name="Confirm my registration").click()
    expect(page.locator("#status")).to_have_text("Approved", use_inner_text=True)
    manage_url = page.url

    waiting_id = add_waitlisted_person(app, registration_site["edition_id"])
    page.get_by_role("button", name="Choose Digital forensics lab").click()
    expect(page.locator(".flashes")).to_contain_text("You have a seat in “Digital forensics lab”")
    assert "1 of 12 taken" in page.content()

    for width in (1280, 375):
        result = run_a11ycheck([f"{live_url}/2027/register",
                                f"{live_url}/_snapshot/register-errors", manage_url,
                                f"{live_url}/_snapshot/manage/editions/"
                                f"{registration_site['edition_id']}/registrations/"], width)
        assert result.returncode == 0, result.stdout + result.stderr

    page.get_by_role("link", name="Cancel my registration").click()
    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(page.locator("#status")).to_have_text("Cancelled", use_inner_text=True)

    page.goto(f"{live_url}/login")
    page.get_by_label("Email", exact=True).fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    edition_id = registration_site["edition_id"]
    page.goto(f"{live_url}/manage/editions/{edition_id}/registrations/?status=waitlisted")
    page.get_by_role("link", name="Wanda Wait").click()
    page.get_by_label("Message to the registrant (optional)").fill("A seat is free: welcome!")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#status")).to_have_text("Approved", use_inner_text=True)
    assert "A seat is free: welcome!" in inbox.bodies("plain")[-1]
    with app.app_context():
        assert db.session.scalar(sa.select(Registration.status).where(
            Registration.id == waiting_id)) == RegistrationStatus.APPROVED
