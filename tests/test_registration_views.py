"""The public registration pages and the self-service page, through the test client."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from meetings import create_app
from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.models import EditionStatus, SessionType
from meetings.registration import configuration
from meetings.registration.models import Registration, RegistrationMode
from tests.conftest import build_test_config
from tests.factories import (
    SUITE_START,
    make_session,
    open_edition,
    registration_category,
    registration_form,
)
from tests.recorded_clock import RecordedClock
from tests.smtp import DeliveredInbox


@pytest.fixture
def edition_ids(app):
    with app.app_context():
        edition = open_edition(capacity=1, now=SUITE_START)
        ids = {"edition": edition.id, "category": registration_category(edition).id}
        db.session.commit()
    return ids


@pytest.fixture
def mailing(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port,
                      MAIL_FROM="registration@meetings.test")
    return DeliveredInbox(app, smtp_server.inbox)


def last_link(inbox) -> str:
    body = inbox.bodies("plain")[-1]
    return "/manage-registration/" + body.split("/manage-registration/")[1].split()[0]


def register(client, edition_ids, **overrides):
    data = registration_form(edition_ids["category"], **overrides)
    return client.post("/2027/register", data=data)


def test_register_verify_and_manage(client, app, edition_ids, mailing):
    page = client.get("/2027/register").get_data(as_text=True)
    assert "We keep your data safe." in page and 'name="consent"' in page
    assert 'checked' not in page.split('name="consent"')[1].split(">")[0]
    response = register(client, edition_ids)
    assert response.status_code == 302 and response.headers["Location"].endswith("/register/sent")
    assert "Please confirm" in mailing.messages[0]["Subject"]
    link = last_link(mailing)
    page = client.get(link).get_data(as_text=True)
    assert "Waiting for email confirmation" in page
    client.post(link + "/verify")
    assert "Approved" in client.get(link).get_data(as_text=True)
    assert "approved" in mailing.messages[-1]["Subject"]
    assert client.get(link).headers["Cache-Control"] == "no-store"


def test_second_registration_looks_the_same_and_mails_the_link(client, app, edition_ids, mailing):
    first = register(client, edition_ids)
    second = register(client, edition_ids, given_name="Someone", email="ADA@example.org")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1
    assert "You already have a registration" in mailing.bodies("plain")[-1]
    assert client.get(last_link(mailing)).status_code == 200


@pytest.mark.parametrize(("overrides", "message"), [
    ({"consent": None}, "Please accept the privacy notice"),
    ({"country": "XX"}, "Not a valid choice"),
    ({"category": "999999"}, "Not a valid choice"),
    ({"category": "abc"}, "Invalid Choice"),
    ({"email": "not-an-email"}, "Invalid email address"),
    ({"given_name": "x" * 101}, "Field cannot be longer than 100 characters"),
    ({"organization": ""}, "This field is required"),
    ({"dietary": "x" * 501}, "Field cannot be longer than 500 characters"),
])
def test_bad_input_is_reported_beside_the_field(client, edition_ids, overrides, message):
    response = register(client, edition_ids, **overrides)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page and 'class="error"' in page


def test_xss_is_escaped_and_stored_as_text(client, app, edition_ids):
    register(client, edition_ids, organization="<script>alert(1)</script>")
    with app.app_context():
        stored = db.session.scalar(sa.select(Registration.organization))
        assert stored == "<script>alert(1)</script>"


def test_closed_registration_says_so(client, app, edition_ids):
    with app.app_context():
        settings = configuration.settings_of(edition_ids["edition"])
        settings.closes_at = SUITE_START - timedelta(hours=1)
        settings.opens_at = SUITE_START - timedelta(days=2)
        db.session.commit()
    assert "Registration closed on" in client.get("/2027/register").get_data(as_text=True)
    page = register(client, edition_ids).get_data(as_text=True)
    assert "Registration is not open at this time." in page


def test_invitation_code_is_checked_beside_its_field(client, app, edition_ids):
    with app.app_context():
        configuration.settings_of(edition_ids["edition"]).mode = RegistrationMode.INVITATION
        db.session.commit()
    page = register(client, edition_ids, invitation_code="forged").get_data(as_text=True)
    assert 'id="invitation_code-error"' in page and "not valid" in page


def test_honeypot_keeps_nothing(client, app, edition_ids):
    response = register(client, edition_ids, website="http://spam.example")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


def test_draft_edition_and_bad_tokens_are_404(client, app, edition_ids):
    for token in ("nope", "x" * 43, "a" * 500):
        assert client.get(f"/manage-registration/{token}").status_code == 404
    with app.app_context():
        from meetings.models import Edition
        db.session.get(Edition, edition_ids["edition"]).status = EditionStatus.DRAFT
        db.session.commit()
    assert client.get("/2027/register").status_code == 404


def test_self_service_edit_workshops_data_cancel(client, app, edition_ids, mailing):
    with app.app_context():
        from meetings.models import Edition
        edition = db.session.get(Edition, edition_ids["edition"])
        lab = make_session(edition, "Forensics lab", type=SessionType.WORKSHOP, capacity=10,
                           starts_at=datetime(2027, 3, 28, 13, 0, tzinfo=UTC)).id
        db.session.commit()
    register(client, edition_ids, listed="y")
    link = last_link(mailing)
    client.post(link + "/verify")
    response = client.post(link + "/edit", data={
        "given_name": "Augusta", "family_name": "King", "organization": "UNICRI",
        "country": "GB", "language": "fr", "listed": "y"})
    assert response.status_code == 302
    client.post(f"{link}/workshops/{lab}", data={"action": "choose"})
    page = client.get(link).get_data(as_text=True)
    assert "Augusta King" in page and "Place confirmed" in page
    assert "Augusta King" in client.get(link + "/participants").get_data(as_text=True)
    data = json.loads(client.get(link + "/data.json").get_data(as_text=True))
    assert data["registration"]["given_name"] == "Augusta"
    assert data["workshops"][0]["status"] == "confirmed"
    assert [h["to"] for h in data["history"] if h["to"]] == ["unverified", "approved"]
    assert "Are you sure?" in client.get(link + "/cancel").get_data(as_text=True)
    client.post(link + "/cancel")
    assert "Cancelled" in client.get(link).get_data(as_text=True)
    assert client.get(link + "/participants").status_code == 404


def test_erase_from_the_manage_page(client, app, edition_ids, mailing):
    register(client, edition_ids)
    link = last_link(mailing)
    client.post(link + "/verify")
    assert "erased" in client.post(link + "/erase").get_data(as_text=True)
    assert client.get(link).status_code == 404
    with app.app_context():
        assert db.session.scalar(sa.select(Registration)) is None  # only an anonymous count
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_lost_link_answers_the_same_and_is_rate_limited(app, app_config, edition_ids, mailing):
    config = dict(app_config, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                  RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
                  MAIL_SERVER=app.config["MAIL_SERVER"], MAIL_PORT=app.config["MAIL_PORT"])
    limited = create_app(build_test_config(config["SQLALCHEMY_DATABASE_URI"], **config))
    client = limited.test_client()
    register(client, edition_ids)
    known = client.post("/2027/register/lost-link", data={"email": "ada@example.org"})
    unknown = client.post("/2027/register/lost-link", data={"email": "who@example.org"})
    assert known.headers["Location"] == unknown.headers["Location"]
    assert "Here is the link" in mailing.bodies("plain")[-1]
    statuses = [client.post("/2027/register/lost-link", data={"email": "x@example.org"})
                .status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    with limited.app_context():
        db.engine.dispose()


def test_registering_is_rate_limited(app, app_config, edition_ids):
    config = dict(app_config, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                  RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}")
    limited = create_app(build_test_config(config["SQLALCHEMY_DATABASE_URI"], **config))
    client = limited.test_client()
    statuses = [client.post("/2027/register", data={}).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    assert client.get("/2027/register").status_code == 200
    with limited.app_context():
        db.engine.dispose()


def test_lost_link_takes_as_long_for_an_unknown_address_as_for_a_registered_one(
        client, app, edition_ids, mailing, monkeypatch):
    """The answer's timing must not tell who registered: both branches end at the same floor."""
    from meetings.web import uniform_timing

    register(client, edition_ids)
    finished = {}
    for email in ("ada@example.org", "nobody@example.org"):
        clock = RecordedClock()
        monkeypatch.setattr(uniform_timing, "time", clock)
        started = clock.now
        assert client.post("/2027/register/lost-link", data={"email": email}).status_code == 302
        finished[email] = (clock.now - started, len(clock.slept))
    floor = uniform_timing.LOST_LINK_FLOOR
    assert all(count == 1 and abs(total - floor) < 0.05 for total, count in finished.values())
    assert "Here is the link" in mailing.bodies("plain")[-1]
