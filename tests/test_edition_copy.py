"""Copying an edition: a new title proposed, registration setup copied, registration closed."""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from meetings.delegations import service as delegations
from meetings.editions.copying import copy_edition
from meetings.extensions import db
from meetings.models import Edition
from meetings.registration import configuration
from meetings.registration.models import (
    EndorsementRule,
    OrganizationKind,
    QuestionKind,
    RegistrationCategory,
    RegistrationQuestion,
)
from tests.factories import make_edition, make_user, make_venue, open_registration

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def source_edition(app) -> int:
    with app.app_context():
        edition = make_edition(venue=make_venue(), title="5th Global Meeting 2027", ordinal=5)
        open_registration(edition, now=NOW, capacity=300)
        db.session.add(RegistrationQuestion(edition_id=edition.id, label="Dietary needs",
                                            kind=QuestionKind.SHORT_TEXT))
        db.session.commit()
        return edition.id


def test_copy_form_proposes_the_next_title_ordinal_and_year(app, client, admin):
    source_id = source_edition(app)
    page = client.get(f"/manage/editions/{source_id}/copy").get_data(as_text=True)
    assert 'value="6th Global Meeting 2028"' in page
    assert 'value="6"' in page and 'value="2028-03-26"' in page  # a year later, same weekday


def test_copy_refuses_the_sources_title(app, client, admin):
    source_id = source_edition(app)
    response = client.post(f"/manage/editions/{source_id}/copy", data={
        "title": "5th Global Meeting 2027", "slug": "2028", "ordinal": "6",
        "starts_on": "2028-03-26"})
    assert response.status_code == 200
    assert 'id="title-error"' in response.get_data(as_text=True)


def test_copy_brings_registration_setup_with_dates_moved_and_closed(app, client, admin):
    source_id = source_edition(app)
    response = client.post(f"/manage/editions/{source_id}/copy", data={
        "title": "6th Global Meeting 2028", "slug": "2028", "ordinal": "6",
        "starts_on": "2028-03-26"})
    assert response.status_code == 302
    with app.app_context():
        copy = db.session.scalar(sa.select(Edition).where(Edition.slug == "2028"))
        source = configuration.settings_of(source_id)
        settings = configuration.settings_of(copy.id)
        assert settings.privacy_notice == "We keep your data safe."
        assert (settings.capacity, settings.mode) == (source.capacity, source.mode)
        shift = date(2028, 3, 26) - date(2027, 3, 28)
        # Same local time (Amsterdam), the days moved by the same shift.
        assert settings.opens_at == source.opens_at + shift
        assert settings.closes_at == source.closes_at + shift
        assert not settings.is_open(settings.opens_at - timedelta(seconds=1))
        codes = lambda edition_id: [c.code for c in db.session.scalars(  # noqa: E731
            configuration.categories_of(edition_id))]
        assert codes(copy.id) == codes(source_id)
        assert [q.label for q in db.session.scalars(configuration.questions_of(copy.id))] == [
            "Dietary needs"]
        assert db.session.scalar(sa.select(sa.func.count(RegistrationCategory.id))) == 2 * len(
            codes(source_id))
        assert db.session.scalar(sa.select(sa.func.count(RegistrationQuestion.id))) == 2


def test_a_copy_whose_moved_dates_are_open_starts_closed(app):
    """Copied into the same year (a shift of days), the window would be open now: it closes."""
    source_id = source_edition(app)
    with app.app_context():
        source = db.session.get(Edition, source_id)
        copy = copy_edition(source, title="Extra", slug="extra", ordinal=6,
                            starts_on=date(2027, 3, 27), user=make_user(is_admin=True), now=NOW)
        settings = configuration.settings_of(copy.id)
        assert not settings.is_open(NOW)
        assert settings.closes_at == NOW and settings.privacy_notice


def test_without_registration_setup_nothing_is_copied(app, client, admin):
    with app.app_context():
        source_id = make_edition(venue=make_venue(), title="Meeting 2027").id
        db.session.commit()
    client.post(f"/manage/editions/{source_id}/copy", data={
        "title": "Meeting 2028", "slug": "2028", "ordinal": "6", "starts_on": "2028-03-26"})
    with app.app_context():
        copy = db.session.scalar(sa.select(Edition).where(Edition.slug == "2028"))
        assert copy is not None and configuration.settings_of(copy.id) is None


def test_organizers_cannot_copy(app, client, auth):
    source_id = source_edition(app)
    auth.create("org@example.org", is_admin=False, editions=[source_id])
    auth.login("org@example.org")
    assert client.get(f"/manage/editions/{source_id}/copy").status_code == 403
    page = client.get(f"/manage/editions/{source_id}/").get_data(as_text=True)
    assert "/copy" not in page


def test_a_copy_keeps_the_delegations_and_approval_rule_not_the_people(app):
    source_id = source_edition(app)
    with app.app_context():
        source = db.session.get(Edition, source_id)
        kenya = delegations.add_delegation(source, name="Kenya Police Service",
                                           kind=OrganizationKind.POLICE, country="KE", quota=4)
        delegations.invite_focal_point(kenya, email="focal@police.example", name="Focal",
                                       now=NOW)
        delegations.set_endorsement_rule(configuration.settings_of(source.id),
                                         EndorsementRule.DELEGATIONS)
        copy = copy_edition(source, title="Next", slug="next", ordinal=6,
                            starts_on=date(2028, 3, 26), user=make_user(is_admin=True), now=NOW)
        [copied] = db.session.scalars(configuration.delegations_of(copy.id)).all()
        assert (copied.organization_id, copied.quota) == (kenya.organization_id, 4)
        assert delegations.focal_points_of(copied.id) == []
        assert configuration.settings_of(copy.id).endorsement_rule == EndorsementRule.DELEGATIONS
