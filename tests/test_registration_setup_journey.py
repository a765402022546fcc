"""An organizer sets registration up: every back-office page of an edition without settings leads
to setup (never a 404), registration starts closed and opens only with dates and a privacy
notice, and an edition that is over never takes registrations."""

from datetime import UTC, date, datetime, timedelta

import pytest

from meetings.errors import DomainError
from meetings.extensions import db
from meetings.models import EditionStatus
from meetings.registration import configuration, service
from meetings.registration.models import RegistrationMode, RegistrationStatus
from tests.factories import (
    FIXED_NOW,
    MAIL_SITE,
    make_edition,
    open_edition,
    open_registration,
    person,
    registration_category,
    registration_form,
)


def settings_args(**changes) -> dict:
    args = dict(opens_at=FIXED_NOW - timedelta(days=1), closes_at=FIXED_NOW + timedelta(days=30),
                capacity=None, mode=RegistrationMode.OPEN, auto_promote=True,
                privacy_notice="We keep your data safe.", now=FIXED_NOW)
    args.update(changes)
    return args


@pytest.mark.parametrize("page", ["settings", "categories", "questions", "invitations"])
def test_every_page_of_an_edition_without_registration_leads_to_setup(app, client, admin, page):
    with app.app_context():
        edition_id = make_edition(slug="2031").id
        db.session.commit()
    base = f"/manage/editions/{edition_id}/registrations"
    response = client.get(f"{base}/{page}", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.request.path == base + "/setup"
    assert "Set up registration" in text and "starts closed" in text


def test_setup_page_of_a_past_edition_says_it_takes_no_registrations(app, client, admin):
    with app.app_context():
        edition_id = make_edition(slug="2024", starts_on=date(2024, 2, 20)).id
        db.session.commit()
    text = client.get(f"/manage/editions/{edition_id}/registrations/settings",
                      follow_redirects=True).get_data(as_text=True)
    assert "This edition is over" in text and "Set up registration" in text


def test_set_up_registration_starts_closed(app, client, admin):
    with app.app_context():
        edition = make_edition(slug="2031", starts_on=date(2031, 3, 1))
        edition_id, slug = edition.id, edition.slug
        db.session.commit()
    client.post(f"/manage/editions/{edition_id}/registrations/setup")
    with app.app_context():
        settings = configuration.settings_of(edition_id)
        assert settings.privacy_notice == "" and settings.opens_at is None
        assert not settings.is_open(datetime.now(UTC))
        category = registration_category(settings.edition).id
    page = client.post(f"/{slug}/register", data=registration_form(category))
    assert "not open" in page.get_data(as_text=True)
    with app.app_context():
        assert service.registration_by_email(edition_id, "ada@example.org") is None


@pytest.mark.parametrize("changes, field", [
    ({"privacy_notice": "  "}, "privacy_notice"),
    ({"opens_at": None}, "opens_at"),
    ({"closes_at": None}, "closes_at"),
])
def test_registration_cannot_open_without_dates_and_a_privacy_notice(app, changes, field):
    with app.app_context():
        edition = make_edition()
        configuration.set_up(edition, now=FIXED_NOW)
        with pytest.raises(DomainError) as raised:
            configuration.update_settings(edition, **settings_args(**changes), site=MAIL_SITE)
        assert raised.value.field == field


def test_without_dates_the_settings_save_and_registration_stays_closed(app):
    with app.app_context():
        edition = make_edition()
        settings = configuration.set_up(edition, now=FIXED_NOW)
        configuration.update_settings(edition, **settings_args(opens_at=None, closes_at=None,
                                                               privacy_notice="", capacity=50),
                                      site=MAIL_SITE)
        assert settings.capacity == 50 and not settings.is_open(FIXED_NOW)


def test_the_settings_form_shows_the_missing_privacy_notice_on_its_field(app, client, admin):
    with app.app_context():
        edition = make_edition(slug="2031", starts_on=date(2031, 3, 1))
        configuration.set_up(edition, now=FIXED_NOW)
        edition_id = edition.id
        db.session.commit()
    page = client.post(f"/manage/editions/{edition_id}/registrations/settings", data={
        "opens_at": "2030-01-01T09:00", "closes_at": "2031-02-01T09:00", "mode": "open",
        "privacy_notice": ""}).get_data(as_text=True)
    assert "Write the privacy notice before registration opens" in page
    with app.app_context():
        assert configuration.settings_of(edition_id).opens_at is None


def test_an_archived_edition_never_takes_registrations(app):
    with app.app_context():
        edition = open_edition()
        edition.status = EditionStatus.ARCHIVED
        with pytest.raises(DomainError, match="over"):
            service.register(edition, person(1), consent=True, now=FIXED_NOW,
                             category_id=registration_category(edition).id, site=MAIL_SITE)
        with pytest.raises(DomainError, match="over") as raised:
            configuration.update_settings(edition, **settings_args(), site=MAIL_SITE)
        assert raised.value.field == "opens_at"


def test_a_past_edition_never_takes_registrations_whatever_its_dates(app):
    with app.app_context():
        edition = open_edition()  # 28–29 March 2027, open until 9 February
        settings = configuration.settings_of(edition.id)
        settings.closes_at = datetime(2027, 6, 1, tzinfo=UTC)
        after = datetime(2027, 3, 30, 8, 0, tzinfo=UTC)  # the day after, in Amsterdam
        with pytest.raises(DomainError, match="over"):
            service.register(edition, person(1), consent=True, now=after,
                             category_id=registration_category(edition).id, site=MAIL_SITE)
        last_day = datetime(2027, 3, 29, 20, 0, tzinfo=UTC)
        registration = service.register(edition, person(2), consent=True, now=last_day,
                                        category_id=registration_category(edition).id,
                                        site=MAIL_SITE)
        assert registration.status == RegistrationStatus.UNVERIFIED


def test_the_public_form_of_an_archived_edition_says_why(app, client):
    with app.app_context():
        edition = open_edition(now=datetime.now(UTC))
        edition.status = EditionStatus.ARCHIVED
        category, edition_id = registration_category(edition).id, edition.id
        db.session.commit()
    page = client.post("/2027/register", data=registration_form(category)).get_data(as_text=True)
    assert "This edition is over: it no longer takes registrations." in page
    with app.app_context():
        assert service.registration_by_email(edition_id, "ada@example.org") is None


def test_the_form_of_an_edition_that_is_over_says_so_before_anyone_types(app, client):
    with app.app_context():
        edition = make_edition(slug="2024", starts_on=date(2024, 3, 28))
        open_registration(edition, now=datetime(2024, 1, 10, tzinfo=UTC))
        # Dates that still say "open" (set before the rule existed): the edition being over wins.
        configuration.settings_of(edition.id).closes_at = datetime(2030, 1, 1, tzinfo=UTC)
        db.session.commit()
    page = client.get("/2024/register").get_data(as_text=True)
    assert "This edition is over: it no longer takes registrations." in page
    assert 'name="given_name"' not in page
