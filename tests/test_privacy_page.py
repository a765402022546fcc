"""The privacy page of an edition, written from its settings and the retention settings."""

from datetime import UTC, date, datetime, timedelta

import pytest

from meetings.extensions import db
from meetings.models import Edition, EditionStatus
from meetings.registration import configuration
from meetings.registration.models import QuestionKind, Registration, RegistrationStatus
from tests.factories import make_edition, manage_token, open_registration, registration_category

NOW = datetime.now(UTC)
ENDS = date.today() + timedelta(days=60)


@pytest.fixture
def edition_id(app):
    with app.app_context():
        edition = make_edition(starts_on=ENDS - timedelta(days=1))
        open_registration(edition, now=NOW)
        configuration.add_question(edition, label="Allergies", kind=QuestionKind.SHORT_TEXT,
                                   choices_text="", required=False, sensitive=True)
        configuration.add_question(edition, label="Favourite topic",
                                   kind=QuestionKind.SHORT_TEXT, choices_text="",
                                   required=False)
        db.session.commit()
        return edition.id


def test_the_page_says_who_what_who_sees_and_how_long(app, client, edition_id):
    app.config.update(REGISTRATION_RETENTION_DAYS=90, SENSITIVE_DATA_RETENTION_DAYS=5)
    page = client.get("/2027/privacy").get_data(as_text=True)
    assert "The organizers of Global Meeting on AI for Law Enforcement 2027 are responsible" \
        in page
    assert "We keep your data safe." in page  # the organizers' own notice
    assert ("deleted 5 days after the meeting ends (on "
            f"{(ENDS + timedelta(days=6)).isoformat()})") in page
    assert ("erased 90 days after the meeting ends (from "
            f"{(ENDS + timedelta(days=91)).isoformat()})") in page
    assert "only the recipient, subject and times are kept" in page
    assert ("focal point: your name and email address are erased with the registrations (from "
            f"{(ENDS + timedelta(days=91)).isoformat()}); the emails we sent you, 90 days after "
            "they were sent") in page
    assert "stored only as a fingerprint (a hash), valid for 400 days" in page
    assert "“Allergies”: asked by the organizers for this meeting. Treated as sensitive" in page
    assert "“Favourite topic”: asked by the organizers for this meeting.</li>" in page
    assert "only if they appear in it themselves" in page
    assert "/2027/register/lost-link" in page


def test_the_controller_set_by_organizers_is_shown(app, client, admin, edition_id):
    url = f"/manage/editions/{edition_id}/registrations/settings"
    response = client.post(url, data={
        "mode": "open", "privacy_notice": "Notice.",
        "controller": "UNICRI, Viale Maestri del Lavoro 10, Turin. privacy@unicri.example"})
    assert response.status_code == 302
    assert "privacy@unicri.example" in client.get(url).get_data(as_text=True)
    page = client.get("/2027/privacy").get_data(as_text=True)
    assert "UNICRI, Viale Maestri del Lavoro 10, Turin." in page
    assert "are responsible for your data" not in page


def test_linked_from_the_form_the_manage_page_and_edition_pages(app, client, edition_id):
    with app.app_context():
        registration = Registration(
            edition_id=edition_id,
            category=registration_category(db.session.get(Edition, edition_id)),
            status=RegistrationStatus.APPROVED, email="ada@example.org", given_name="Ada",
            family_name="Lovelace", created_at=NOW)
        db.session.add(registration)
        db.session.flush()
        link = "/manage-registration/" + manage_token(registration, NOW)
        db.session.commit()
    for url in ("/2027/register", link, "/2027/", "/2027/agenda"):
        assert 'href="/2027/privacy"' in client.get(url).get_data(as_text=True), url


def test_a_draft_edition_has_no_privacy_page(app, client, edition_id):
    with app.app_context():
        db.session.get(Edition, edition_id).status = EditionStatus.DRAFT
        db.session.commit()
    assert client.get("/2027/privacy").status_code == 404
