"""The participant list: only approved attendees who appear in it themselves may see it."""

from datetime import UTC, date, datetime, timedelta

import pytest

from meetings.extensions import db
from meetings.registration.models import Registration, RegistrationStatus
from tests.factories import make_edition, manage_token, open_registration, registration_category

NOW = datetime.now(UTC)


def attendee(edition, given: str, *, listed: bool,
             status: RegistrationStatus = RegistrationStatus.APPROVED) -> str:
    """A registration of `edition`; returns its manage link."""
    registration = Registration(
        edition=edition, category=registration_category(edition), status=status,
        email=f"{given.lower()}@example.org", given_name=given, family_name="Example",
        organization=f"{given} Agency", country="NL", listed=listed, created_at=NOW)
    db.session.add(registration)
    db.session.flush()
    return "/manage-registration/" + manage_token(registration, NOW)


@pytest.fixture
def links(app):
    with app.app_context():
        edition = make_edition(starts_on=date.today() + timedelta(days=60))
        open_registration(edition, now=NOW)
        made = {"listed": attendee(edition, "Listed", listed=True),
                "unlisted": attendee(edition, "Unlisted", listed=False),
                "pending": attendee(edition, "Pending", listed=True,
                                    status=RegistrationStatus.PENDING)}
        db.session.commit()
        return made


def test_a_listed_attendee_sees_the_list(client, links):
    page = client.get(links["listed"] + "/participants").get_data(as_text=True)
    assert "Listed Example" in page and "Listed Agency" in page
    assert "Unlisted Example" not in page and "Pending Example" not in page


def test_an_unlisted_attendee_sees_why_and_how_to_opt_in(client, links):
    response = client.get(links["unlisted"] + "/participants")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Listed Example" not in page and "Listed Agency" not in page
    assert "You chose not to appear in it, so you do not see it either." in page
    assert links["unlisted"] + "/edit" in page


def test_opting_in_shows_the_list(client, links):
    link = links["unlisted"]
    response = client.post(link + "/edit", data={
        "given_name": "Unlisted", "family_name": "Example", "organization": "Unlisted Agency",
        "country": "NL", "language": "en", "listed": "y"})
    assert response.status_code == 302
    page = client.get(link + "/participants").get_data(as_text=True)
    assert "Listed Example" in page and "Unlisted Example" in page


def test_not_yet_approved_attendees_get_no_list(client, links):
    assert client.get(links["pending"] + "/participants").status_code == 404
