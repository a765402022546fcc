"""The attendee's journey on a phone (375 px): from the home page through the form to a confirmed
seat and a workshop place, the link read from the mail the SMTP server received. No page passed
scrolls sideways at 320 px (nor the organizer's view of the registration), and every page passes
../shared/a11ycheck at 375 px."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from meetings.extensions import db
from meetings.models import SessionType
from meetings.registration import configuration
from meetings.registration.models import QuestionKind, RegistrationMode, RegistrationStatus
from tests.browser.conftest import LONG_EMAIL, PHONE, run_a11ycheck
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import MAIL_SITE, make_edition, make_session, make_venue, registration_category
from tests.smtp import DeliveredInbox

pytestmark = pytest.mark.browser
NOW = datetime.now(UTC)


@pytest.fixture
def meeting(app, smtp_server, auth):
    """An open edition at a venue: capacity 5, a single-choice question, one workshop."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port,
                      MAIL_FROM="registration@meetings.test")
    with app.app_context():
        edition = make_edition(slug="2027", venue=make_venue())
        configuration.set_up(edition, now=NOW)
        configuration.update_settings(edition, opens_at=NOW - timedelta(days=1),
                                      closes_at=NOW + timedelta(days=30), capacity=5,
                                      mode=RegistrationMode.OPEN, auto_promote=True,
                                      privacy_notice="We process your data to run the meeting.",
                                      now=NOW, site=MAIL_SITE)
        configuration.add_question(edition, label="Which day do you attend?",
                                   kind=QuestionKind.SINGLE_CHOICE,
                                   choices_text="Both days\nFirst day only", required=True)
        workshop = make_session(edition, "Digital forensics lab", type=SessionType.WORKSHOP,
                                capacity=12, starts_at=datetime(2027, 3, 28, 13, 0, tzinfo=UTC))
        ids = {"edition": edition.id, "workshop": workshop.id,
               "category": registration_category(edition).id}
        db.session.commit()
    auth.create()
    return {"inbox": DeliveredInbox(app, smtp_server.inbox), **ids}


WIDER_THAN_VIEWPORT = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest(".table-scroll"))
  .slice(0, 5).map((e) => e.tagName + "." + e.className + " " + e.textContent.slice(0, 40))"""


def page_width_at_320(page) -> int:
    """The document's width when the page is drawn 320 px wide."""
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 320:
        print("too wide:", page.url, page.evaluate(WIDER_THAN_VIEWPORT))
    page.set_viewport_size(PHONE)
    return width


def manage_link(inbox) -> str:
    body = inbox.bodies("plain")[-1]
    return "/manage-registration/" + body.split("/manage-registration/")[1].split()[0]


def test_register_on_a_phone_from_the_home_page_to_a_workshop_seat(
        phone, live_url, app, meeting):
    page, inbox, visited = phone, meeting["inbox"], []

    def passed():
        visited.append(page.url)
        assert page_width_at_320(page) <= 320, page.url

    page.goto(live_url + "/")
    passed()
    page.get_by_role("link", name="Global Meeting on AI for Law Enforcement 2027").first.click()
    page.wait_for_url("**/2027/")  # measured on the edition's page, not during the navigation
    passed()
    page.locator(".edition-nav").get_by_role("link", name="Register").click()
    page.get_by_role("heading", name="Before you register").wait_for()
    assert "Registration closes on" in page.locator("#before-you-register").inner_text()
    category = page.get_by_label("Participant category")
    assert category.evaluate("s => s.options[s.selectedIndex].text") == "— choose —"
    # The single-choice question is a group named by its legend; each radio has its own label.
    group = page.get_by_role("group", name="Which day do you attend?")
    expect(group.get_by_role("radio")).to_have_count(2)
    passed()

    page.get_by_label("Given name").fill("Margaret")
    page.get_by_label("Family name").fill("Hamilton")
    page.get_by_label("Email", exact=True).fill(LONG_EMAIL)
    page.get_by_label("Organization", exact=True).fill("Massachusetts Institute of Technology "
                                                       "Instrumentation Laboratory")
    page.get_by_label("Country", exact=True).select_option("US")
    group.get_by_label("First day only").check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()
    # No category chosen: the form says so instead of registering someone as law enforcement.
    page.locator("#error-summary").wait_for(state="visible")
    assert "Choose your participant category." in page.locator("#error-summary").inner_text()
    page.get_by_label("Participant category").select_option(label="Government")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    passed()

    assert "Please confirm" in inbox.messages[-1]["Subject"]
    page.goto(live_url + manage_link(inbox))
    page.get_by_role("button", name="Confirm my registration").click()
    expect(page.locator("#status")).to_have_text("Approved", use_inner_text=True)
    expect(page.locator("#meeting")).to_contain_text("See the agenda", use_inner_text=True)
    page.get_by_role("button", name="Choose Digital forensics lab").click()
    expect(page.locator(".flashes")).to_contain_text("You have a seat in “Digital forensics lab”")
    agenda = page.locator("#agenda ~ .table-scroll").first.inner_text()
    assert "Digital forensics lab" in agenda
    manage_url = page.url.split("#")[0]
    passed()

    page.goto(f"{live_url}/2027/sessions/{meeting['workshop']}")
    expect(page.locator("#seats")).to_have_text("11 of 12 left", use_inner_text=True)
    page.get_by_role("heading", name="Choose this workshop").wait_for()
    passed()

    page.goto(manage_url)
    page.get_by_role("link", name="Cancel my registration").click()
    page.wait_for_url("**/cancel")
    passed()
    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(page.locator("#status")).to_have_text("Cancelled", use_inner_text=True)
    page.get_by_role("link", name="Register again").wait_for()
    passed()

    result = run_a11ycheck(sorted(set(visited)), 375)
    assert result.returncode == 0, result.stdout + result.stderr


def test_organizers_registration_detail_fits_a_phone(phone, live_url, app, meeting):
    with app.app_context():
        from meetings.models import Edition
        from meetings.registration import service

        edition = db.session.get(Edition, meeting["edition"])
        registration = service.register(
            edition, service.Registrant(given_name="Margaret", family_name="Hamilton",
                                        email=LONG_EMAIL, organization="Instrumentation Laboratory",
                                        country="US", answers={}),
            category_id=meeting["category"], consent=True, now=NOW, site=MAIL_SITE)
        service.verify(registration, now=NOW, site=MAIL_SITE)
        assert registration.status == RegistrationStatus.APPROVED
        registration_id = registration.id
        db.session.commit()
    page = phone
    page.goto(f"{live_url}/login")
    page.get_by_label("Email", exact=True).fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_url}/manage/editions/{meeting['edition']}/registrations/{registration_id}")
    page.locator("#status").wait_for()
    assert page_width_at_320(page) <= 320
