"""Delegations: quotas under the seat lock, endorsement before approval, nominations and focal
point invitations bound to their address, substitution, digests and coverage."""

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from meetings.badges import service as badges
from meetings.badges.keys import secret_of
from meetings.badges.models import Badge
from meetings.delegations import mails, reads
from meetings.delegations import service as delegations
from meetings.delegations.models import FocalPoint
from meetings.errors import DomainError, NotAllowed
from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.models import User
from meetings.registration import service
from meetings.registration.exports import registrations_csv, registrations_xlsx
from meetings.registration.models import (
    Delegation,
    Endorsement,
    EndorsementRule,
    OrganizationKind,
    Registration,
    RegistrationSettings,
    RegistrationStatus,
)
from meetings.registration.personal_data import personal_data
from tests.conftest import POSTGRES_URL
from tests.factories import (
    FIXED_NOW,
    MAIL_SITE,
    SUITE_START,
    make_user,
    open_edition,
    person,
    registration_category,
    registration_form,
)
from tests.test_registration_service import (
    pooled_app,  # noqa: F401  (fixture)
    rush,
)

S = RegistrationStatus


def police(edition, quota=None, name="Kenya Police Service", country="KE"):
    return delegations.add_delegation(edition, name=name, kind=OrganizationKind.POLICE,
                                      country=country, quota=quota)


def set_rule(edition, rule: EndorsementRule):
    settings = db.session.scalar(sa.select(RegistrationSettings).where(
        RegistrationSettings.edition_id == edition.id))
    delegations.set_endorsement_rule(settings, rule)


def claim(edition, delegation, n, code="government", verify=True, now=FIXED_NOW
          ) -> Registration:
    registration = service.register(edition, person(n), consent=True, now=now,
                                    category_id=registration_category(edition, code).id,
                                    delegation_id=delegation.id if delegation else None,
                                    site=MAIL_SITE)
    if verify:
        service.verify(registration, now=now, site=MAIL_SITE)
    return registration


def last_code(to: str) -> str:
    """The code of the last nomination mailed to `to` (only the mail carries it)."""
    body = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address == to)
                              .order_by(OutboxMessage.id.desc())).first().text_body
    return re.search(r"register\?code=(\S+)", body).group(1)


def test_a_delegation_quota_waitlists_whoever_comes_beyond_it(app):
    with app.app_context():
        edition = open_edition()
        kenya = police(edition, quota=2)
        people = [claim(edition, kenya, n) for n in range(1, 5)]
        others = claim(edition, None, 9)
        assert [r.status for r in people] == [S.APPROVED, S.APPROVED, S.WAITLISTED,
                                              S.WAITLISTED]
        assert others.status == S.APPROVED  # the quota is the delegation's, not the edition's
        service.cancel(people[0], now=FIXED_NOW, site=MAIL_SITE)
        assert people[2].status == S.APPROVED  # the freed delegation seat went to the next
        assert people[3].status == S.WAITLISTED


def test_the_secretariat_waits_for_the_focal_point_when_the_edition_asks(app):
    with app.app_context():
        edition = open_edition()
        set_rule(edition, EndorsementRule.DELEGATIONS)
        kenya = police(edition)
        organizer = make_user(email="secretariat@example.org", is_admin=True)
        focal = make_user(email="focal@example.org")
        claimed = claim(edition, kenya, 1)
        assert claimed.status == S.PENDING and claimed.endorsement == Endorsement.AWAITING
        with pytest.raises(DomainError, match="Waiting for endorsement"):
            service.approve(claimed, organizer, now=FIXED_NOW, site=MAIL_SITE)
        with pytest.raises(NotAllowed):  # not (yet) a focal point of this delegation
            delegations.endorse(kenya, focal, claimed.id, now=FIXED_NOW)
        point, _token = delegations.invite_focal_point(kenya, email="focal@example.org",
                                                       name="Focal", now=FIXED_NOW)
        delegations.accept(point, focal, now=FIXED_NOW)
        delegations.endorse(kenya, focal, claimed.id, now=FIXED_NOW)
        service.approve(claimed, organizer, now=FIXED_NOW, site=MAIL_SITE)
        assert claimed.status == S.APPROVED
        notes = [(e.actor, e.note) for e in claimed.history]
        assert ("focal point", "endorsed by the focal point") in notes


def test_declining_closes_the_registration_and_frees_its_seat(app):
    with app.app_context():
        edition = open_edition(capacity=1)
        set_rule(edition, EndorsementRule.DELEGATIONS)
        kenya = police(edition)
        organizer = make_user(email="secretariat@example.org", is_admin=True)
        impostor = claim(edition, kenya, 1)
        waiting = claim(edition, None, 2)
        assert waiting.status == S.WAITLISTED
        delegations.decline(kenya, organizer, impostor.id, now=FIXED_NOW, site=MAIL_SITE)
        assert impostor.status == S.REJECTED and impostor.endorsement == Endorsement.DECLINED
        assert waiting.status == S.APPROVED
        with pytest.raises(DomainError, match="declined"):
            service.approve(impostor, organizer, now=FIXED_NOW, site=MAIL_SITE)


def test_law_enforcement_comes_through_a_law_enforcement_delegation_when_required(app):
    with app.app_context():
        edition = open_edition()
        set_rule(edition, EndorsementRule.LAW_ENFORCEMENT)
        vendor = delegations.add_delegation(edition, name="Acme Analytics",
                                            kind=OrganizationKind.INDUSTRY, country="US",
                                            quota=None)
        with pytest.raises(DomainError, match="Law-enforcement participants") as error:
            claim(edition, None, 1, code="law_enforcement")
        assert error.value.field == "delegation"
        with pytest.raises(DomainError, match="Law-enforcement participants"):
            claim(edition, vendor, 2, code="law_enforcement")
        officer = claim(edition, police(edition), 3, code="law_enforcement")
        assert officer.status == S.PENDING
        assert claim(edition, vendor, 4).status == S.PENDING  # industry, general category


def test_a_nomination_works_only_for_its_address_and_fixes_organization_and_category(app):
    with app.app_context():
        edition = open_edition()
        kenya = police(edition, quota=3)
        organizer = make_user(email="secretariat@example.org", is_admin=True)
        invitation, code = delegations.nominate(
            kenya, organizer, name="Wanjiru Kamau", email="Wanjiru@Police.example",
            category_id=registration_category(edition, "law_enforcement").id, now=FIXED_NOW)
        assert invitation.email == "wanjiru@police.example"
        forwarded = person(5, email="someone.else@example.org")
        with pytest.raises(DomainError, match="another email address"):
            service.register(edition, forwarded, consent=True, now=FIXED_NOW,
                             category_id=registration_category(edition).id,
                             invitation_code=code, site=MAIL_SITE)
        delegate = service.register(edition, person(6, email="wanjiru@police.example",
                                                    organization="Something else"),
                                    consent=True, now=FIXED_NOW, invitation_code=code,
                                    category_id=registration_category(edition).id, site=MAIL_SITE)
        assert delegate.delegation_id == kenya.id
        assert delegate.category.code == "law_enforcement"
        assert delegate.organization == "Kenya Police Service"
        assert delegate.endorsement == Endorsement.ENDORSED
        with pytest.raises(DomainError, match="not valid"):  # used once
            service.register(edition, person(7, email="wanjiru@police.example"),
                             consent=True, now=FIXED_NOW, invitation_code=code,
                             category_id=registration_category(edition).id, site=MAIL_SITE)


def test_nominations_stay_within_the_quota(app):
    with app.app_context():
        edition = open_edition()
        kenya = police(edition, quota=2)
        organizer = make_user(email="secretariat@example.org", is_admin=True)
        category_id = registration_category(edition).id
        claim(edition, kenya, 1)
        delegations.nominate(kenya, organizer, name="B", email="b@example.org",
                             category_id=category_id, now=FIXED_NOW)
        with pytest.raises(DomainError, match="quota of 2"):
            delegations.nominate(kenya, organizer, name="C", email="c@example.org",
                                 category_id=category_id, now=FIXED_NOW)
        assert delegations.seat_use(kenya) == {"held": 1, "nominated": 1, "quota": 2}


def test_substitution_cancels_the_first_delegate_revokes_the_badge_and_nominates(app):
    with app.app_context():
        edition = open_edition()
        kenya = police(edition, quota=1)
        organizer = make_user(email="secretariat@example.org", is_admin=True)
        first = claim(edition, kenya, 1)
        assert first.status == S.APPROVED
        delegations.name_head(kenya, organizer, first.id, now=FIXED_NOW)
        badge = badges.issue(first, secret=secret_of(app.config), now=FIXED_NOW)
        invitation, code = delegations.substitute(
            kenya, organizer, first.id, name="Otieno Ochieng", email="otieno@example.org",
            category_id=None, now=FIXED_NOW, site=MAIL_SITE)
        assert first.status == S.CANCELLED and not first.head_of_delegation
        assert "substituted by Otieno Ochieng" in first.history[-1].note
        assert db.session.get(Badge, badge.id).revoked_at is not None
        assert invitation.category_id == first.category_id
        second = service.register(edition, person(2, email="otieno@example.org"),
                                  consent=True, now=FIXED_NOW, invitation_code=code,
                                  category_id=None, site=MAIL_SITE)
        service.verify(second, now=FIXED_NOW, site=MAIL_SITE)
        assert second.status == S.APPROVED  # the seat the first delegate gave up


def test_focal_point_invitation_is_bound_to_its_address(app, client, auth):
    with app.app_context():
        edition = open_edition()
        kenya = police(edition)
        point, token = delegations.invite_focal_point(kenya, email="focal@police.example",
                                                      name="Focal Point", now=FIXED_NOW)
        mails.focal_point_invitation(point, token, now=FIXED_NOW, site=MAIL_SITE)
        db.session.commit()
        delegation_id = kenya.id
    auth.create(email="intruder@example.org", password="intruder password 1", is_admin=False)
    auth.create(email="focal@police.example", password="focal point password", is_admin=False)
    page = client.get(f"/delegations/accept/{token}")
    assert page.status_code == 200 and "f•••@police.example" in page.text
    # Someone it was forwarded to, signed in with their own account, cannot take it.
    auth.login("intruder@example.org", "intruder password 1")
    refused = client.post(f"/delegations/accept/{token}", data={})
    assert refused.status_code == 403
    assert "sent to another email address" in refused.text or "another address" in refused.text
    assert client.get(f"/delegations/{delegation_id}").status_code == 403
    auth.logout()
    auth.login("focal@police.example", "focal point password")
    accepted = client.post(f"/delegations/accept/{token}", data={})
    assert accepted.status_code == 302
    assert accepted.headers["Location"].endswith(f"/delegations/{delegation_id}")
    assert "Kenya Police Service" in client.get(f"/delegations/{delegation_id}").text
    with app.app_context():
        assert db.session.scalar(sa.select(FocalPoint.accepted_at)) is not None


def test_the_password_link_goes_to_the_invited_address_only(app, client):
    with app.app_context():
        edition = open_edition()
        point, token = delegations.invite_focal_point(police(edition), email="new@police.example",
                                                      name="New Focal", now=FIXED_NOW)
        db.session.commit()
    answer = client.post(f"/delegations/accept/{token}", data={})
    assert answer.status_code == 302
    with app.app_context():
        sent = db.session.scalars(sa.select(OutboxMessage)).all()
        assert [m.to_address for m in sent] == ["new@police.example"]
        assert "/invitation/" in sent[0].text_body
        user = db.session.scalar(sa.select(User).where(User.email == "new@police.example"))
        assert user is not None and not user.is_admin and user.editions == []
    # The page never shows the link itself.
    assert "/invitation/" not in client.get(f"/delegations/accept/{token}").text


def test_digest_lists_the_people_waiting_once_a_day(app):
    with app.app_context():
        edition = open_edition()
        set_rule(edition, EndorsementRule.DELEGATIONS)
        kenya = police(edition)
        focal = make_user(email="focal@police.example")
        point, _token = delegations.invite_focal_point(kenya, email=focal.email, name="Focal",
                                                       now=FIXED_NOW)
        assert mails.send_digests(now=FIXED_NOW, site=MAIL_SITE) == 0  # not accepted yet
        delegations.accept(point, focal, now=FIXED_NOW)
        assert mails.send_digests(now=FIXED_NOW, site=MAIL_SITE) == 0  # nobody waiting
        claim(edition, kenya, 1)
        claim(edition, kenya, 2)
        assert mails.send_digests(now=FIXED_NOW, site=MAIL_SITE) == 1
        assert mails.send_digests(now=FIXED_NOW + timedelta(hours=2), site=MAIL_SITE) == 0
        digest = db.session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.to_address == focal.email)).one()
        assert "2 people wait for your endorsement" in digest.subject
        assert "Given1 Family1" in digest.text_body and "Given2 Family2" in digest.text_body
        assert f"/delegations/{kenya.id}" in digest.text_body
        assert mails.send_digests(now=FIXED_NOW + timedelta(hours=21), site=MAIL_SITE) == 1


def test_coverage_counts_countries_regions_and_silent_delegations(app):
    with app.app_context():
        edition = open_edition()
        kenya = police(edition)
        police(edition, name="Policía Nacional de Colombia", country="CO")
        claim(edition, kenya, 1)
        service.register(edition, person(2, country="SG"), consent=True, now=FIXED_NOW,
                         category_id=registration_category(edition).id,
                         site=MAIL_SITE)  # unverified
        coverage = reads.coverage(edition.id)
        assert [(code, n) for code, _name, n in coverage.countries] == [("NL", 1)]
        assert coverage.regions == [("Europe", 1, 1)]
        assert [name for _c, _n, name in coverage.silent] == ["Policía Nacional de Colombia"]


def test_progress_and_personal_data_show_the_delegation(app):
    with app.app_context():
        edition = open_edition()
        kenya = police(edition)
        delegate = claim(edition, kenya, 1)
        badge = badges.issue(delegate, secret=secret_of(app.config), now=FIXED_NOW)
        badges.mark_printed([badge], now=FIXED_NOW)
        [row] = reads.progress(kenya)
        assert (row.registration.id, row.visa, row.badge_printed, row.checked_in) == (
            delegate.id, "", True, False)
        data = personal_data(delegate)
        assert data["registration"]["delegation"] == {
            "organization": "Kenya Police Service", "endorsement": "awaiting",
            "head_of_delegation": False}


def test_focal_point_page_flow_over_http(app, client, auth):
    """Nominate, endorse and decline through the pages, as a focal point would."""
    with app.app_context():
        edition = open_edition(now=SUITE_START)
        set_rule(edition, EndorsementRule.DELEGATIONS)
        kenya = police(edition, quota=5)
        self_registered = claim(edition, kenya, 1, now=SUITE_START)
        impostor = claim(edition, kenya, 2, now=SUITE_START)
        focal = make_user(email="focal@police.example", password="focal point password")
        point, _token = delegations.invite_focal_point(kenya, email=focal.email, name="Focal",
                                                       now=FIXED_NOW)
        delegations.accept(point, focal, now=FIXED_NOW)
        category_id = registration_category(edition).id
        db.session.commit()
        ids = kenya.id, self_registered.id, impostor.id
    auth.login("focal@police.example", "focal point password")
    kenya_id, endorsed_id, declined_id = ids
    page = client.get(f"/delegations/{kenya_id}")
    assert page.status_code == 200 and "Given1 Family1" in page.text
    bad = client.post(f"/delegations/{kenya_id}/nominate",
                      data={"name": "", "email": "not-an-address", "category": ""})
    assert bad.status_code == 400
    assert client.post(f"/delegations/{kenya_id}/nominate", data={
        "name": "Achieng Odhiambo", "email": "achieng@police.example",
        "category": str(category_id)}).status_code == 302
    assert client.post(f"/delegations/{kenya_id}/endorse",
                       data={"id": str(endorsed_id)}).status_code == 302
    assert client.post(f"/delegations/{kenya_id}/decline",
                       data={"id": str(declined_id)}).status_code == 302
    with app.app_context():
        assert db.session.get(Registration, endorsed_id).endorsement == Endorsement.ENDORSED
        assert db.session.get(Registration, declined_id).status == S.REJECTED
        code = last_code("achieng@police.example")
        slug = db.session.get(Delegation, kenya_id).edition.slug
    form = client.get(f"/{slug}/register?code={code}")
    assert "You are nominated by Kenya Police Service" in form.text
    assert 'value="achieng@police.example"' in form.text


def test_registration_form_offers_the_delegations(app, client):
    with app.app_context():
        edition = open_edition(now=SUITE_START)
        kenya = police(edition)
        category_id = registration_category(edition).id
        db.session.commit()
        kenya_id, slug = kenya.id, edition.slug
    page = client.get(f"/{slug}/register")
    assert "Kenya Police Service (Kenya)" in page.text
    answer = client.post(f"/{slug}/register",
                         data=registration_form(category_id, delegation=str(kenya_id)))
    assert answer.status_code == 302
    with app.app_context():
        registration = db.session.scalar(sa.select(Registration))
        assert registration.delegation_id == kenya_id
        assert registration.endorsement == Endorsement.AWAITING


@pytest.mark.parametrize("count, quota", [(40, 7) if POSTGRES_URL else (24, 5)])
def test_no_delegation_oversells_under_concurrent_registrations(app, pooled_app,  # noqa: F811
                                                                 count, quota):
    """As the edition's rush test: every thread has its own connection (`app` empties the
    tables afterwards)."""
    with pooled_app.app_context():
        edition = open_edition()
        kenya = police(edition, quota=quota)
        edition_id, kenya_id = edition.id, kenya.id
        category_id = registration_category(edition).id
        db.session.commit()
    errors = rush(pooled_app, edition_id, category_id, count, delegation_id=kenya_id)
    assert [repr(e) for e in errors] == []
    with pooled_app.app_context():
        rows = db.session.scalars(sa.select(Registration).order_by(Registration.arrival)).all()
        assert len(rows) == count
        assert [r.status.value for r in rows] == ["approved"] * quota + ["waitlisted"] * (
            count - quota)


def test_the_secretariat_sees_who_waits_for_a_focal_point(app, client, admin):
    with app.app_context():
        edition = open_edition(now=SUITE_START)
        set_rule(edition, EndorsementRule.DELEGATIONS)
        waiting = claim(edition, police(edition), 1, now=SUITE_START)
        db.session.commit()
        edition_id, registration_id = edition.id, waiting.id
    listing = client.get(f"/manage/editions/{edition_id}/registrations/")
    assert "awaiting its focal point" in listing.text
    detail = client.get(f"/manage/editions/{edition_id}/registrations/{registration_id}")
    assert "Kenya Police Service" in detail.text and "awaiting its focal point" in detail.text
    refused = client.post(f"/manage/editions/{edition_id}/registrations/{registration_id}/approve",
                          data={}, follow_redirects=True)
    assert "Waiting for endorsement by the focal point of Kenya Police Service" in refused.text
    with app.app_context():
        assert db.session.get(Registration, registration_id).status == S.PENDING


def test_exports_name_the_delegation_and_the_endorsement(app):
    with app.app_context():
        edition = open_edition()
        delegate = claim(edition, police(edition), 1)
        delegate.head_of_delegation = True
        csv_text = registrations_csv([delegate], [])
        assert '"Kenya Police Service","awaiting","yes"' in csv_text
        sheet = load_workbook(io.BytesIO(registrations_xlsx([delegate], []))).active
        heads, values = ([cell.value for cell in row] for row in sheet.iter_rows(max_row=2))
        row = dict(zip(heads, values, strict=True))
        assert (row["Delegation"], row["Endorsement by its focal point"],
                row["Head of delegation"]) == ("Kenya Police Service", "Awaiting", "Yes")


def test_an_unaccepted_invitation_expires_after_30_days(app):
    with app.app_context():
        edition = open_edition()
        point, token = delegations.invite_focal_point(police(edition), email="fp@example.org",
                                                      name="FP", now=FIXED_NOW)
        assert delegations.focal_point_by_token(token, FIXED_NOW + timedelta(days=29)) == point
        assert delegations.focal_point_by_token(token, FIXED_NOW + timedelta(days=31)) is None
        point.accepted_at = FIXED_NOW + timedelta(days=1)
        assert delegations.focal_point_by_token(token, FIXED_NOW + timedelta(days=90)) == point
        delegations.revoke_focal_point(point, now=FIXED_NOW)
        assert delegations.focal_point_by_token(token, FIXED_NOW) is None
