"""The new-edition form: consistent defaults, every error at once, a searchable zone list."""

import re

import pytest
import sqlalchemy as sa

from meetings.editions import service
from meetings.editions.rules import EditionFields, InvalidEdition
from meetings.errors import DomainError, NotAllowed
from meetings.extensions import db
from meetings.models import Edition, EditionFormat
from tests.factories import make_edition, make_user, make_venue


def new_form_page(client) -> str:
    return client.get("/manage/editions/new").get_data(as_text=True)


def ordinal_value(page: str) -> str:
    return re.search(r'<input[^>]*name="ordinal"[^>]*value="([^"]*)"', page).group(1)


def selected(page: str, value: str) -> bool:
    return f'selected value="{value}"' in page or f'value="{value}" selected' in page


def test_without_venues_the_form_starts_virtual_and_first(app, client, admin):
    page = new_form_page(client)
    assert selected(page, "virtual") and selected(page, "0")
    assert ordinal_value(page) == "1"


def test_the_form_starts_on_the_latest_editions_venue_in_person(app, client, admin):
    with app.app_context():
        make_venue(name="Other Hall")
        venue = make_venue(name="World Forum")
        make_edition(venue=venue, ordinal=7)
        db.session.commit()
        venue_id = venue.id
    page = new_form_page(client)
    assert selected(page, "in_person") and selected(page, str(venue_id))
    assert ordinal_value(page) == "8"


def test_time_zone_is_a_searchable_list(app, client, admin):
    page = new_form_page(client)
    assert 'list="timezone-names"' in page
    assert '<datalist id="timezone-names">' in page and '<option value="Europe/Amsterdam">' in page


def test_every_error_shows_at_once(app, client, admin):
    """A shape error (no title) and rule errors (venue, zone, slug) in one answer."""
    response = client.post("/manage/editions/new", data={
        "ordinal": "5", "title": "", "slug": "manage", "starts_on": "2027-03-28",
        "ends_on": "2027-03-27", "format": "in_person", "venue_id": "0",
        "timezone": "Mars/Olympus"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for field in ("title", "slug", "ends_on", "venue_id", "timezone"):
        assert f'id="{field}-error"' in page, field
    assert "Choose the venue of an in-person or hybrid edition." in page
    assert "Enter an IANA time zone" in page


def test_service_reports_every_broken_rule(app):
    with app.app_context():
        admin = make_user(is_admin=True)
        fields = EditionFields(ordinal=1, title=" ", slug="", starts_on=None, ends_on=None,
                               timezone="", format=EditionFormat.HYBRID, venue=None)
        with pytest.raises(InvalidEdition) as raised:
            service.create_edition(fields, creator=admin, now=None)
        assert {p.field for p in raised.value.problems} == {"title", "venue_id", "timezone"}


def test_in_person_without_venue_is_refused_by_the_service(app):
    with app.app_context():
        admin = make_user(is_admin=True)
        fields = EditionFields(ordinal=1, title="Meeting", slug="", starts_on=None,
                               ends_on=None, timezone="UTC", format=EditionFormat.IN_PERSON,
                               venue=None)
        with pytest.raises(DomainError) as raised:
            service.create_edition(fields, creator=admin, now=None)
        assert raised.value.field == "venue_id"
        assert db.session.scalar(sa.select(sa.func.count(Edition.id))) == 0


def test_organizers_may_not_create_through_the_service(app):
    with app.app_context():
        organizer = make_user()
        fields = EditionFields(ordinal=1, title="Meeting", slug="m", starts_on=None,
                               ends_on=None, timezone="UTC", format=EditionFormat.VIRTUAL,
                               venue=None)
        with pytest.raises(NotAllowed):
            service.create_edition(fields, creator=organizer, now=None)
