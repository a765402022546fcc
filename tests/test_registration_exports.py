"""Exporters without the app: objects in, text or bytes out, parsed back."""

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from meetings.models import Edition
from meetings.registration.exports import (
    catering_csv,
    registrations_csv,
    registrations_xlsx,
)
from meetings.registration.models import (
    QuestionKind,
    Registration,
    RegistrationCategory,
    RegistrationQuestion,
    RegistrationStatus,
)

AT = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def sample():
    question = RegistrationQuestion(id=7, label="Tracks", kind=QuestionKind.MULTIPLE_CHOICE)
    registration = Registration(
        id=3, status=RegistrationStatus.APPROVED, given_name="Ada", family_name="Lovelace",
        email="ada@example.org", organization="+SUM(A1)", job_title="", country="GB",
        language="en", dietary="", accessibility="", listed=True, created_at=AT, verified_at=AT,
        answers={"7": ["Policy", "Tech"]}, category=RegistrationCategory(name="Academia"),
        edition=Edition(title="GM 2027"))
    return registration, [question]


def test_csv_snapshot_is_byte_exact_and_defuses_formulas():
    registration, questions = sample()
    text = registrations_csv([registration], questions)
    assert text == (
        '\ufeff"id","status","given_name","family_name","email","organization","job_title",'
        '"country","category","language","listed","created_at","verified_at","delegation",'
        '"endorsement","head_of_delegation","Tracks"\r\n'
        '"3","approved","Ada","Lovelace","ada@example.org","\'+SUM(A1)","","GB","Academia","en",'
        '"yes","2027-01-10T12:00:00Z","2027-01-10T12:00:00Z","","","no","Policy; Tech"\r\n')
    row = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["Tracks"] == "Policy; Tech"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_no_cell_starts_a_formula_whatever_the_spreadsheet_splits_on(delimiter):
    """A spreadsheet set to split on semicolons (Dutch, French, German) must still see text."""
    registration, questions = sample()
    registration.given_name = "Jan;=1+2;"
    registration.family_name = "  =HYPERLINK(\"http://evil.example\")"
    registration.organization = "Police\t=cmd|' /C calc'!A0"
    registration.job_title = 'He said "=1+1"'
    text = registrations_csv([registration], questions).lstrip("\ufeff")
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        for cell in row:
            assert not cell.lstrip(" \u00a0").startswith(("=", "+", "-", "@", "|")), cell
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["given_name"] == "Jan;'=1+2;"
    assert row["family_name"] == "'  =HYPERLINK(\"http://evil.example\")"


def with_needs():
    """The sample with needs and an answer to a sensitive question."""
    registration, questions = sample()
    health = RegistrationQuestion(id=8, label="Allergies", kind=QuestionKind.SHORT_TEXT,
                                  sensitive=True)
    registration.dietary, registration.accessibility = "=Vegan", "Hearing loop"
    registration.answers = {"7": ["Policy"], "8": "Peanuts"}
    return registration, [*questions, health]


def test_general_exports_leave_out_needs_and_sensitive_answers():
    registration, questions = with_needs()
    text = registrations_csv([registration], questions)
    sheet = load_workbook(io.BytesIO(registrations_xlsx([registration], questions))).active
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row]
    for secret in ("Vegan", "Hearing loop", "Peanuts", "Allergies", "dietary", "accessibility"):
        assert secret not in text and secret not in cells
    assert "Policy" in text and "Policy" in cells


def test_catering_csv_snapshot_counts_then_names_and_needs_only():
    registration, questions = with_needs()
    other = Registration(given_name="Alan", family_name="Turing", dietary="=vegan ",
                         accessibility="", answers={"8": "peanuts"})
    nobody = Registration(given_name="Grace", family_name="Hopper", dietary="",
                          accessibility="", answers={"7": ["Tech"]})
    assert catering_csv([registration, other, nobody], questions) == (
        '\ufeff"need","answer","count"\r\n'
        '"Allergies","Peanuts","2"\r\n'
        '"accessibility","Hearing loop","1"\r\n'
        '"dietary","\'=Vegan","2"\r\n'
        '\r\n'
        '"given_name","family_name","dietary","accessibility","Allergies"\r\n'
        '"Ada","Lovelace","\'=Vegan","Hearing loop","Peanuts"\r\n'
        '"Alan","Turing","\'=vegan ","","peanuts"\r\n')


def test_xlsx_round_trip():
    registration, questions = sample()
    sheet = load_workbook(io.BytesIO(registrations_xlsx([registration], questions))).active
    assert [cell.value for cell in sheet[2]][:4] == [3, "Approved", "Ada", "Lovelace"]
