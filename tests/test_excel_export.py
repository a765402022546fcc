"""The Excel export is a sheet people can use: typed cells, dates in the edition's zone, readable
headers and values, widths, a filter, a frozen header and each registration's workshops."""

import io
from datetime import UTC, datetime

from openpyxl import load_workbook

from meetings.extensions import db
from meetings.models import Edition, SessionType
from meetings.registration.exports import registrations_xlsx
from meetings.registration.models import (
    QuestionKind,
    Registration,
    RegistrationCategory,
    RegistrationQuestion,
    RegistrationStatus,
)
from tests.factories import choose_workshop, make_session, open_edition, sign_up

AT = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def sheet_of(**options):
    questions = [RegistrationQuestion(id=7, label="Photos", kind=QuestionKind.CHECKBOX),
                 RegistrationQuestion(id=8, label="Allergies", kind=QuestionKind.SHORT_TEXT,
                                      sensitive=True)]
    registration = Registration(
        id=3, status=RegistrationStatus.WAITLISTED, given_name="Ada", family_name="Lovelace",
        email="ada@example.org", organization="=SUM(A1)", job_title="", country="GB",
        language="fr", listed=False, created_at=AT, verified_at=None,
        answers={"7": True, "8": "Peanuts"},
        category=RegistrationCategory(name="Civil society", code="civil_society"),
        edition=Edition(title="GM 2027"))
    body = registrations_xlsx([registration], questions, **options)
    return load_workbook(io.BytesIO(body)).active


def row_dict(sheet) -> dict:
    return {head.value: cell.value for head, cell in zip(sheet[1], sheet[2], strict=True)}


def test_cells_are_typed_and_dates_are_in_the_editions_zone():
    sheet = sheet_of(zone="Asia/Tokyo", languages={"fr": "Français"})
    row = row_dict(sheet)
    assert row["ID"] == 3 and isinstance(row["ID"], int)
    assert row["Registered (Asia/Tokyo)"] == datetime(2027, 1, 10, 21, 0)
    assert sheet["M2"].number_format == "yyyy-mm-dd hh:mm"
    assert row["Confirmed (Asia/Tokyo)"] is None


def test_headers_and_values_are_readable():
    row = row_dict(sheet_of(zone="Europe/Amsterdam", languages={"fr": "Français"}))
    assert row["Status"] == "On the waiting list" and row["Category"] == "Civil society"
    assert row["Country"] == "United Kingdom" and row["Country code"] == "GB"
    assert row["Preferred language"] == "Français"
    assert row["In the participant list"] == "No" and row["Photos"] == "Yes"
    assert row["Organization"] == "'=SUM(A1)"  # still never a live formula
    assert "Allergies" not in row and "Peanuts" not in row.values()


def test_the_sheet_has_a_filter_a_frozen_header_and_fitting_widths():
    sheet = sheet_of(zone="Europe/Amsterdam")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == sheet.dimensions
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["E"].width >= len("ada@example.org")
    assert all(8 <= sheet.column_dimensions[c].width <= 52 for c in "ABCDEFGHIJKLMN")


def test_the_downloaded_sheet_lists_each_registrations_workshops(app, client, admin):
    now = datetime.now(UTC)
    with app.app_context():
        edition = open_edition(now=now)
        lab = make_session(edition, "Forensics lab", type=SessionType.WORKSHOP, capacity=5,
                           starts_at=datetime(2027, 3, 28, 13, 0, tzinfo=UTC))
        ada = sign_up(edition, 1, now=now)
        ids = (edition.id, ada.id, lab.id)
        db.session.commit()
    choose_workshop(app, ids[1], ids[2])
    body = client.get(f"/manage/editions/{ids[0]}/registrations/export.xlsx").data
    sheet = load_workbook(io.BytesIO(body))["Registrations"]
    row = row_dict(sheet)
    assert row["Workshops"] == "Forensics lab"
    assert row["Registered (Europe/Amsterdam)"].tzinfo is None
