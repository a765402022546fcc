"""The registration back office: table, decisions, settings, exports, dashboard, purge."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from meetings.extensions import db
from meetings.models import AuditEntry, Edition
from meetings.registration.models import (
    Invitation,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)
from meetings.registration.status_labels import STATUS_LABELS
from tests.factories import make_edition, open_edition, registration_category, sign_up

NOW = datetime.now(UTC)
S = RegistrationStatus


@pytest.fixture
def full_edition(app):
    """Capacity 2: one approved, one pending (industry), two waitlisted."""
    with app.app_context():
        edition = open_edition(capacity=2, now=NOW)
        sign_up(edition, 1, now=NOW, organization="Europol", country="NL")
        sign_up(edition, 2, code="industry", now=NOW, organization="=cmd|' /C calc'!A0")
        sign_up(edition, 3, now=NOW, country="KE")
        sign_up(edition, 4, now=NOW)
        db.session.commit()
        return edition.id


def ids_by_email(app):
    with app.app_context():
        return dict(db.session.execute(sa.select(Registration.email, Registration.id)).all())


def test_manage_pages_need_a_login_and_the_right_edition(client, app, auth, full_edition):
    url = f"/manage/editions/{full_edition}/registrations/"
    assert client.get(url).status_code == 302
    with app.app_context():
        other = make_edition(slug="2030").id
        db.session.commit()
    auth.create(email="org@example.org", is_admin=False, editions=[other])
    auth.login("org@example.org")
    assert client.get(url).status_code == 403
    assert client.get("/manage/editions/99999/registrations/").status_code == 404


def test_table_search_and_filters(client, admin, full_edition):
    base = f"/manage/editions/{full_edition}/registrations/"
    page = client.get(base).get_data(as_text=True)
    assert page.count('name="ids"') == 4
    assert client.get(base + "?q=europol").get_data(as_text=True).count('name="ids"') == 1
    assert client.get(base + "?status=waitlisted").get_data(as_text=True).count('name="ids"') == 2
    assert client.get(base + "?country=KE").get_data(as_text=True).count('name="ids"') == 1
    assert client.get(base + "?status=bogus&category=abc&page=x").status_code == 200


def test_reject_with_a_message_promotes_the_next_and_is_audited(client, app, admin, full_edition):
    ids = ids_by_email(app)
    url = f"/manage/editions/{full_edition}/registrations/{ids['p2@example.org']}"
    client.post(url + "/reject", data={"note": "Industry seats are full."})
    with app.app_context():
        statuses = dict(db.session.execute(
            sa.select(Registration.email, Registration.status)).all())
        assert statuses["p2@example.org"] == S.REJECTED
        assert statuses["p3@example.org"] == S.APPROVED  # first on the waiting list
        assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc())) \
            == "registration.reject"
    page = client.get(url).get_data(as_text=True)
    assert "Industry seats are full." in page and "admin@example.org" in page


def test_promote_needs_a_free_seat(client, app, admin, full_edition):
    ids = ids_by_email(app)
    url = f"/manage/editions/{full_edition}/registrations/{ids['p4@example.org']}/promote"
    page = client.post(url, follow_redirects=True).get_data(as_text=True)
    assert "No seat is free" in page


def test_bulk_approve(client, app, admin, full_edition):
    ids = ids_by_email(app)
    response = client.post(f"/manage/editions/{full_edition}/registrations/bulk", data={
        "action": "approve", "ids": [str(ids["p2@example.org"]), str(ids["p4@example.org"])]},
        follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "1 registration changed." in page and "No seat is free" in page


def test_settings_capacity_raise_promotes_and_dst_gap_is_an_error(client, app, admin,
                                                                 full_edition):
    url = f"/manage/editions/{full_edition}/registrations/settings"
    data = {"opens_at": "2026-01-01T09:00", "closes_at": "2027-03-01T17:00", "capacity": "10",
            "mode": "open", "auto_promote": "y", "privacy_notice": "Notice"}
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Registration.id)).where(
            Registration.status == S.WAITLISTED)) == 0
    gap = client.post(url, data=dict(data, opens_at="2026-03-29T02:30"))
    assert "does not exist" in gap.get_data(as_text=True)
    backwards = client.post(url, data=dict(data, closes_at="2025-01-01T00:00"))
    assert "must close after it opens" in backwards.get_data(as_text=True)
    assert "Not a valid integer" in client.post(url, data=dict(data, capacity="many")).get_data(
        as_text=True)


def test_category_quota_edit_and_new_category(client, app, admin, full_edition):
    with app.app_context():
        academia = registration_category(db.session.get(Edition, full_edition), "academia").id
    base = f"/manage/editions/{full_edition}/registrations/categories"
    assert client.post(f"{base}/{academia}", data={"name": "Academia", "quota": "3"}).status_code \
        == 302
    assert client.post(base, data={"name": "Observers"}).status_code == 302
    assert "already exists" in client.post(base, data={"name": "Observers"}).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(RegistrationCategory, academia).quota == 3


def test_questions_and_invitations(client, app, admin, full_edition):
    base = f"/manage/editions/{full_edition}/registrations"
    bad = client.post(base + "/questions", data={"label": "Which track?", "kind": "single_choice",
                                                 "choices_text": "Only one"})
    assert "at least two choices" in bad.get_data(as_text=True)
    client.post(base + "/questions", data={"label": "Which track?", "kind": "single_choice",
                                           "choices_text": "Policy\nTech", "required": "y"})
    with app.app_context():
        slug = db.session.get(Edition, full_edition).slug
    assert "Which track?" in client.get(f"/{slug}/register").get_data(as_text=True)
    invalid = client.post(base + "/invitations", data={"emails": "ok@example.org\nnot-an-email"})
    assert "is not a valid email address" in invalid.get_data(as_text=True)
    client.post(base + "/invitations", data={"emails": "a@example.org\nb@example.org"})
    with app.app_context():
        invitation = db.session.scalar(sa.select(Invitation))
        assert len(invitation.code_hash) == 64
    client.post(f"/manage/invitations/{invitation.id}/revoke")
    with app.app_context():
        assert db.session.get(Invitation, invitation.id).revoked_at is not None


def test_csv_and_excel_exports_are_audited_and_defused(client, app, admin, full_edition):
    base = f"/manage/editions/{full_edition}/registrations"
    response = client.get(base + "/export.csv?status=pending")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1 and rows[0]["organization"].startswith("'=")
    workbook = load_workbook(io.BytesIO(client.get(base + "/export.xlsx").data))
    sheet = workbook["Registrations"]
    assert sheet.max_row == 5 and sheet["A1"].value == "ID"
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEntry.action)).all()
        assert actions.count("registration.export") == 2


def test_every_status_has_words_to_show():
    assert set(STATUS_LABELS) == set(RegistrationStatus)
    assert all(str(label) for label in STATUS_LABELS.values())


def test_the_page_and_the_export_name_a_status_with_the_same_words(client, app, admin,
                                                                  full_edition):
    base = f"/manage/editions/{full_edition}/registrations"
    sheet = load_workbook(io.BytesIO(client.get(base + "/export.xlsx").data))["Registrations"]
    exported = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(set(exported.values())) == 3  # approved, pending, waitlisted
    for registration_id, words in exported.items():
        page = client.get(f"{base}/{registration_id}").get_data(as_text=True)
        assert f'<strong id="status">{words}</strong>' in page
    with app.app_context():
        statuses = dict(db.session.execute(sa.select(Registration.id, Registration.status)).all())
    assert {exported[i] for i, s in statuses.items() if s == S.WAITLISTED} == {
        "On the waiting list"}


def test_dashboard_counts_and_svg_chart(client, admin, full_edition):
    page = client.get(f"/manage/editions/{full_edition}/registrations/dashboard").get_data(
        as_text=True)
    assert "<svg" in page and 'role="img"' in page
    assert "On the waiting list" in page and "Kenya" in page


def test_setup_button_creates_settings(client, app, admin):
    with app.app_context():
        edition_id = make_edition(slug="2031").id
        db.session.commit()
    base = f"/manage/editions/{edition_id}/registrations"
    assert "Set up registration" in client.get(base + "/").get_data(as_text=True)
    assert client.get(base + "/settings").headers["Location"].endswith(base + "/setup")
    client.post(base + "/setup")
    assert client.get(base + "/settings").status_code == 200


def test_purge_command_respects_the_retention_period(app, runner, full_edition):
    result = runner.invoke(args=["meetings", "purge", "2027"])
    assert "retention period runs until" in result.output
    with app.app_context():
        edition = db.session.get(Edition, full_edition)
        edition.starts_on = edition.ends_on = (NOW - timedelta(days=400)).date()
        db.session.commit()
    result = runner.invoke(args=["meetings", "purge", "2027"])
    assert "Anonymized 4 registration(s)" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Registration.id)).where(
            Registration.email.is_not(None))) == 0
    assert "No edition" in runner.invoke(args=["meetings", "purge", "nope"]).output
