"""Delegations in Chromium at 1280 px, the proof of issue 12: the secretariat asks for approval in
stages and invites a focal point; the focal point chooses a password from the mailed link, accepts,
nominates two delegates and endorses a person who registered themself claiming the delegation; the
delegates register from their nominations; the secretariat approves the three and prints the first
delegate's badge; a substitution cancels the first delegate and revokes that badge. Someone signed
in with another address cannot take the focal point invitation. The organizer's delegations page,
the focal point's delegation page, the invitation page and the registration form with its
Delegation select pass ../shared/a11ycheck and do not scroll sideways."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import request
from playwright.sync_api import expect

from meetings.badges.models import Badge
from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.registration import configuration
from meetings.registration.models import Registration, RegistrationMode, RegistrationStatus
from tests.browser.conftest import run_a11ycheck
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import MAIL_SITE, make_edition

pytestmark = pytest.mark.browser

NOW = datetime.now(UTC)
SLUG = "2027"
ORG = "Kenya Police Service"
FOCAL = ("Amina Njoroge", "amina.njoroge@police.example", "savanna lantern orchard 42")
OTHER = ("peter@elsewhere.example", "another address entirely 7")
SELF = ("Daniel", "Mwangi", "daniel.mwangi@police.example")
FIRST = ("Wanjiru Kamau", "wanjiru.kamau@police.example")
SECOND = ("Otieno Ochieng", "otieno.ochieng@police.example")
SUBSTITUTE = ("Achieng Odhiambo", "achieng.odhiambo@police.example")


@pytest.fixture
def meeting(app, auth):
    """A published edition whose registration is open (general categories, no approval of its
    own), the secretariat's account, another person's account; pages as someone signed in sees
    them, for a11ycheck (which opens bare URLs), under /_as/<email>/<path>."""
    with app.app_context():
        edition = make_edition(slug=SLUG, starts_on=date.today() + timedelta(days=90))
        configuration.set_up(edition, now=NOW)
        configuration.update_settings(
            edition, opens_at=NOW - timedelta(days=1), closes_at=NOW + timedelta(days=30),
            capacity=None, mode=RegistrationMode.OPEN, auto_promote=True,
            privacy_notice="We process your data **only** to run the meeting.", now=NOW,
            site=MAIL_SITE)
        edition_id = edition.id
        db.session.commit()
    auth.create()
    auth.create(email=OTHER[0], password=OTHER[1], is_admin=False)
    clients = {}

    def signed_in(email, path):
        if email not in clients:
            password = {ADMIN_EMAIL: ADMIN_PASSWORD, FOCAL[1]: FOCAL[2]}[email]
            clients[email] = app.test_client()
            clients[email].post("/login", data={"email": email, "password": password})
        response = clients[email].get("/" + path, query_string=request.args)
        return response.get_data(), response.status_code

    app.add_url_rule("/_as/<email>/<path:path>", "signed_in_as", signed_in)
    return edition_id


def mailed_path(app, to: str, pattern: str) -> str:
    """The path of the last link matching `pattern` mailed to `to` (from the outbox)."""
    with app.app_context():
        bodies = db.session.scalars(sa.select(OutboxMessage.text_body).where(
            OutboxMessage.to_address == to).order_by(OutboxMessage.id.desc())).all()
    for body in bodies:
        if found := re.search(r"https?://[^/\s]+(" + pattern + r"\S*)", body):
            return found.group(1)
    raise AssertionError(f"no {pattern} link mailed to {to}")


def new_page(browser):
    """Another person's browser: a fresh context, signed in as nobody."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    return context.new_page()


def log_in(page, live_url, email, password) -> None:
    page.goto(f"{live_url}/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def flash(page, text: str) -> None:
    page.locator(".flashes").get_by_text(text).first.wait_for()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def set_up_delegation(page, live_url, edition_id: int) -> int:
    """The secretariat: approval in stages, the delegation, its focal point invited."""
    log_in(page, live_url, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"{live_url}/manage/editions/{edition_id}/")
    page.get_by_role("link", name="Delegations and focal points").click()
    page.get_by_role("heading", name="Approval in stages").wait_for()
    page.get_by_label("Approval in stages").select_option(value="delegations")
    page.get_by_role("button", name="Save rule").click()
    flash(page, "Approval rule saved.")
    page.get_by_label("Organization", exact=True).fill(ORG)
    page.get_by_label("Kind").select_option(label="Police force")
    page.get_by_label("Country", exact=True).select_option("KE")
    page.get_by_label("Quota of seats (empty: no limit of its own)").fill("4")
    page.get_by_role("button", name="Add delegation").click()
    flash(page, "Delegation added.")
    card = page.locator("section.card", has=page.get_by_role("heading", name=ORG))
    delegation_id = int(card.get_attribute("id").removeprefix("delegation-"))
    expect(card).to_contain_text("0 of 4 seats held", use_inner_text=True)
    card.get_by_label("Focal point's name").fill(FOCAL[0])
    card.get_by_label("Focal point's email").fill(FOCAL[1])
    card.get_by_role("button", name=f"Invite focal point {ORG}").click()
    flash(page, f"Invitation sent to {FOCAL[1]}")
    assert "invited, not accepted yet" in page.locator(f"#delegation-{delegation_id}").inner_text()
    assert fits(page)
    return delegation_id


def wrong_account_is_refused(browser, live_url, accept_path: str) -> None:
    other = new_page(browser)
    log_in(other, live_url, OTHER[0], OTHER[1])
    answer = other.goto(live_url + accept_path)
    assert answer.status == 403
    assert "This invitation was sent to another address" in other.get_by_role("alert").inner_text()
    expect(other.get_by_role("button", name=re.compile("Accept"))).to_have_count(0)
    other.context.close()


def focal_point_accepts(app, browser, live_url, accept_path: str, delegation_id: int):
    """From the invitation link, not signed in: a password link, a password, sign in, accept."""
    focal = new_page(browser)
    focal.goto(live_url + accept_path)
    expect(focal.locator("main")).to_contain_text("a•••@police.example", use_inner_text=True)
    focal.get_by_role("button", name="Email me a link to choose a password").click()
    flash(focal, "a link to choose a password is on its way")
    assert "/invitation/" not in focal.content()
    focal.goto(live_url + mailed_path(app, FOCAL[1], "/invitation/"))
    focal.get_by_label("New password", exact=True).fill(FOCAL[2])
    focal.get_by_label("New password again").fill(FOCAL[2])
    focal.get_by_role("button", name="Set my password").click()
    flash(focal, "Your password is set")
    focal.goto(live_url + accept_path)
    focal.get_by_role("link", name="Sign in with this address").click()
    focal.get_by_label("Email", exact=True).fill(FOCAL[1])
    focal.get_by_label("Password").fill(FOCAL[2])
    focal.get_by_role("button", name="Log in").click()
    focal.wait_for_url(f"**{accept_path}")
    focal.get_by_role("button", name=f"Accept: I am the focal point of {ORG}").click()
    flash(focal, f"You are now a focal point of {ORG}.")
    assert focal.url == f"{live_url}/delegations/{delegation_id}"
    focal.get_by_role("heading", name=f"Delegation of {ORG}").wait_for()
    return focal


def self_registers(browser, app, live_url) -> None:
    """A third person registers themself, claiming the delegation, and confirms the address."""
    person = new_page(browser)
    person.goto(f"{live_url}/{SLUG}/register")
    person.get_by_label("Given name").fill(SELF[0])
    person.get_by_label("Family name").fill(SELF[1])
    person.get_by_label("Email", exact=True).fill(SELF[2])
    person.get_by_label("Organization", exact=True).fill(ORG)
    person.get_by_label("Country", exact=True).select_option("KE")
    person.get_by_label("Participant category").select_option(label="Government")
    person.get_by_label("Delegation", exact=True).select_option(label=f"{ORG} (Kenya)")
    person.get_by_label("I have read the privacy notice").check()
    person.get_by_role("button", name="Register").click()
    person.get_by_role("heading", name="Check your email").wait_for()
    confirm(person, live_url + mailed_path(app, SELF[2], "/manage-registration/"))
    person.context.close()


def confirm(page, manage_url: str) -> None:
    page.goto(manage_url)
    page.get_by_role("button", name="Confirm my registration").click()
    # Members of a delegation wait for the secretariat when the edition approves in stages.
    expect(page.locator("#status")).to_have_text("Waiting for approval (seat held)")


def nominate(focal, name: str, email: str) -> None:
    focal.get_by_label("Delegate's full name").fill(name)
    focal.get_by_label("Delegate's email").fill(email)
    focal.get_by_label("Participant category", exact=True).select_option(label="Government")
    focal.get_by_role("button", name="Nominate", exact=True).click()
    flash(focal, f"{name} is nominated: an invitation to register went to {email}.")


def registers_from_nomination(browser, app, live_url, name: str, email: str) -> None:
    delegate = new_page(browser)
    delegate.goto(live_url + mailed_path(app, email, f"/{SLUG}/register\\?code="))
    notice = delegate.locator("#nomination").inner_text()
    assert f"You are nominated by {ORG} as Government" in notice
    assert delegate.get_by_label("Email", exact=True).input_value() == email
    assert delegate.get_by_label("Organization", exact=True).input_value() == ORG
    assert delegate.get_by_label("Participant category").count() == 0  # fixed by the nomination
    given, family = name.split(" ", 1)
    delegate.get_by_label("Given name").fill(given)
    delegate.get_by_label("Family name").fill(family)
    delegate.get_by_label("Country", exact=True).select_option("KE")
    delegate.get_by_label("I have read the privacy notice").check()
    delegate.get_by_role("button", name="Register").click()
    delegate.get_by_role("heading", name="Check your email").wait_for()
    confirm(delegate, live_url + mailed_path(app, email, "/manage-registration/"))
    delegate.context.close()


def delegate_row(page, name: str):
    return page.locator("#delegates-table tbody tr", has=page.get_by_role("rowheader", name=name))


def registration_of(app, email: str) -> Registration:
    with app.app_context():
        registration = db.session.scalar(sa.select(Registration).where(
            Registration.email == email))
        db.session.expunge(registration)
        return registration


def secretariat_approves(page, live_url, edition_id: int, names: list[str]) -> None:
    page.goto(f"{live_url}/manage/editions/{edition_id}/registrations/?status=pending")
    for name in names:
        page.get_by_label(f"Select {name}").check()
    page.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_load_state()


def print_badge(page, live_url, edition_id: int, name: str) -> None:
    page.goto(f"{live_url}/manage/editions/{edition_id}/badges/")
    page.get_by_label("Those selected").check()
    page.get_by_label(f"Select {name}").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF and mark printed").click()
    assert download.value.suggested_filename == f"badges-{SLUG}.pdf"


def test_focal_point_nominates_endorses_and_substitutes_a_delegate(
        app, browser, page, live_url, meeting):
    edition_id = meeting
    delegation_id = set_up_delegation(page, live_url, edition_id)
    accept_path = mailed_path(app, FOCAL[1], "/delegations/accept/")

    wrong_account_is_refused(browser, live_url, accept_path)
    anonymous_accept = live_url + accept_path  # a11ycheck sees it as the invited person first does
    focal = focal_point_accepts(app, browser, live_url, accept_path, delegation_id)

    self_registers(browser, app, live_url)
    nominate(focal, *FIRST)
    nominate(focal, *SECOND)
    nominations = focal.locator("h2#nominations + ul").inner_text()
    assert FIRST[1] in nominations and SECOND[1] in nominations
    for name, email in (FIRST, SECOND):
        registers_from_nomination(browser, app, live_url, name, email)
    for _name, email in (FIRST, SECOND):
        delegate = registration_of(app, email)
        assert delegate.delegation_id == delegation_id and delegate.organization == ORG

    focal.reload()
    assert "None." in focal.locator("h2#nominations + p").inner_text()  # both nominations used
    self_name = f"{SELF[0]} {SELF[1]}"
    waiting = focal.get_by_role("region", name="Waiting for your endorsement")
    expect(waiting.get_by_role("rowheader", name=self_name)).to_have_count(1)
    waiting.get_by_role("button", name=f"Endorse {self_name}").click()
    flash(focal, "Endorsed: the organizers can now decide on this registration.")
    expect(focal.locator("main")).to_contain_text("Nobody is waiting for your endorsement.")
    assert delegate_row(focal, self_name).locator("td").nth(1).inner_text() == "endorsed"

    delegates = [FIRST[0], SECOND[0], self_name]
    secretariat_approves(page, live_url, edition_id, delegates)
    for email in (FIRST[1], SECOND[1], SELF[2]):
        assert registration_of(app, email).status == RegistrationStatus.APPROVED, email
    print_badge(page, live_url, edition_id, FIRST[0])

    focal.reload()
    for name in delegates:
        assert delegate_row(focal, name).locator("td").first.inner_text() == "Approved", name
    assert delegate_row(focal, FIRST[0]).locator("td").nth(3).inner_text() == "printed"
    assert re.search(r"\b3 of 4 held\D+\b0\b", focal.locator("#seats").inner_text())

    focal.get_by_label("Delegate to replace").select_option(label=FIRST[0])
    focal.get_by_label("Substitute's full name").fill(SUBSTITUTE[0])
    focal.get_by_label("Substitute's email").fill(SUBSTITUTE[1])
    focal.get_by_role("button", name="Substitute", exact=True).click()
    flash(focal, f"The substitution is done: the registration replaced is cancelled and "
                 f"{SUBSTITUTE[0]} is nominated.")
    assert delegate_row(focal, FIRST[0]).locator("td").first.inner_text() == "Cancelled"
    assert delegate_row(focal, SECOND[0]).locator("td").first.inner_text() == "Approved"
    nominations = focal.locator("h2#nominations + ul").inner_text()
    assert SUBSTITUTE[0] in nominations and SUBSTITUTE[1] in nominations
    assert re.search(r"\b2 of 4 held\D+\b1\b", focal.locator("#seats").inner_text())
    assert fits(focal)

    first = registration_of(app, FIRST[1])
    with app.app_context():
        [badge] = db.session.scalars(sa.select(Badge).where(
            Badge.registration_id == first.id)).all()
        assert badge.printed_at is not None and badge.revoked_at is not None
        serial = badge.serial
    revoked = focal.request.get(f"{live_url}/{SLUG}/checkin/revoked.json").json()
    assert serial in revoked["serials"]

    page.goto(f"{live_url}/manage/editions/{edition_id}/delegations/")
    assert "2 of 4 seats held" in page.locator(f"#delegation-{delegation_id}").inner_text()
    card = page.locator(f"#delegation-{delegation_id}").inner_text()
    assert f"{FOCAL[0]} <{FOCAL[1]}> — accepted" in card and "not accepted yet" not in card
    assert fits(page)
    focal.context.close()

    checked = {  # each URL and what it must show (not a login page)
        f"{live_url}/_as/{ADMIN_EMAIL}/manage/editions/{edition_id}/delegations/":
            "Invite focal point",
        f"{live_url}/_as/{FOCAL[1]}/delegations/{delegation_id}": "Substitute a delegate",
        anonymous_accept: "Email me a link to choose a password",
        f"{live_url}/_as/{FOCAL[1]}{accept_path}": "Open the delegation's page",
        f"{live_url}/{SLUG}/register": f"{ORG} (Kenya)",
    }
    bare = browser.new_context()  # as a11ycheck opens them: no cookies
    for url, text in checked.items():
        answer = bare.request.get(url)
        assert answer.status == 200 and text in answer.text(), url
    bare.close()
    result = run_a11ycheck(list(checked), 1280)
    assert result.returncode == 0, result.stdout + result.stderr
