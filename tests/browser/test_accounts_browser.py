"""In Chromium: an admin invites an organizer, who sets a password, turns on TOTP and logs in."""

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa

from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

pytestmark = pytest.mark.browser

ORGANIZER = "nadia@example.org"
PASSWORD = "lantern orchard seventeen"


def log_in(page, live_url, email, password) -> None:
    page.goto(f"{live_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def invitation_link(app) -> str:
    with app.app_context():
        body = db.session.scalar(sa.select(OutboxMessage.text_body).where(
            OutboxMessage.to_address == ORGANIZER))
    return re.search(r"http://localhost(/invitation/\S+)", body).group(1)


def test_invited_organizer_sets_a_password_and_logs_in_with_totp(app, page, live_url, auth):
    auth.create()
    log_in(page, live_url, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_role("button", name="Log out").wait_for()
    page.goto(f"{live_url}/manage/users/new")
    page.get_by_label("Email").fill(ORGANIZER)
    page.get_by_label("Name").fill("Nadia")
    page.get_by_role("button", name="Send the invitation").click()
    page.get_by_text(f"Invitation sent to {ORGANIZER}").wait_for()
    page.get_by_role("button", name="Log out").click()

    page.goto(live_url + invitation_link(app))
    page.get_by_label("New password", exact=True).fill("aaaaaaaaaa")
    page.get_by_label("New password again").fill("aaaaaaaaaa")
    page.get_by_role("button", name="Set my password").click()
    page.get_by_text("too easy to guess").first.wait_for()
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password again").fill(PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    page.get_by_text("Your password is set").wait_for()

    log_in(page, live_url, ORGANIZER, PASSWORD)
    page.get_by_role("button", name="Log out").wait_for()
    page.goto(f"{live_url}/account/two-factor")
    page.get_by_role("button", name="Set up two-factor authentication").click()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    qr.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("button", name="Log out").click()

    log_in(page, live_url, ORGANIZER, PASSWORD)
    page.get_by_role("heading", name="Two-factor authentication").wait_for()
    next_code = pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))
    page.get_by_label("Code").fill(next_code)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("You are logged in.").wait_for()
    assert page.get_by_role("button", name="Log out").is_visible()
