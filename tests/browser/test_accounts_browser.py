"""In Chromium: an admin invites an organizer, who sets a password, turns on TOTP and logs in."""

import os
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa

from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from tests.browser.conftest import A11YCHECK
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

pytestmark = pytest.mark.browser

ORGANIZER = "nadia@example.org"
PASSWORD = "lantern orchard seventeen"
RUN_AXE = """async () => {
  const result = await window.axe.run(document, {runOnly: {type: "tag",
    values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, resultTypes: ["violations"]});
  return result.violations.filter((v) => v.impact !== "minor")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}"""


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
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_role("button", name="Set up two-factor authentication").click()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    qr.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    page.locator("#recovery-codes code").first.wait_for()  # the next page, not the one left
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


@pytest.fixture
def axe_source() -> str:
    path = Path(os.environ["A11YCHECK_DEPS"]) / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        subprocess.run([A11YCHECK.parent / "setup"], check=True, timeout=300)  # installs axe-core
    return path.read_text()


def axe_violations(page, axe_source: str) -> list[str]:
    page.evaluate(axe_source)
    return page.evaluate(RUN_AXE)


def test_account_pages_meet_wcag21_aa(app, page, live_url, auth, axe_source):
    auth.create()
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    problems = {}

    def check(name: str) -> None:
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 800})
            found = axe_violations(page, axe_source)
            if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
                found.append("the page scrolls sideways")
            if found:
                problems[f"{name} at {width}px"] = found

    for path in ("/login", "/password/forgot", "/password/reset/not-a-token"):
        page.goto(live_url + path)
        check(path)
    page.goto(f"{live_url}/login")
    with page.expect_navigation():  # checked on the answer, not during the navigation
        page.get_by_role("button", name="Log in").click()
    check("login errors")
    log_in(page, live_url, ADMIN_EMAIL, ADMIN_PASSWORD)
    for path in ("/account/", "/account/password", "/account/two-factor", "/manage/users/",
                 "/manage/users/new", "/manage/users/1/edit"):
        page.goto(live_url + path)
        check(path)
    page.goto(f"{live_url}/account/password")
    with page.expect_navigation():
        page.get_by_role("button", name="Change my password").click()
    check("password errors")
    page.goto(f"{live_url}/account/two-factor")
    page.get_by_label("Current password").fill(ADMIN_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Set up two-factor authentication").click()
    check("two-factor set-up")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    check("recovery codes")
    page.goto(f"{live_url}/account/two-factor")
    check("two-factor on")
    page.get_by_role("button", name="Log out").click()
    log_in(page, live_url, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.get_by_role("heading", name="Two-factor authentication").wait_for()
    check("/login/code")
    assert not problems, "\n".join(f"{name}: {found}" for name, found in problems.items())
    assert refused == []
