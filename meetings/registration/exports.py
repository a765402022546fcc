"""Pure exporters: registrations to CSV and Excel (objects in, text or bytes out).

The general exports leave out sensitive data (dietary and accessibility needs, answers to
sensitive questions); only the catering-and-access export carries it.
"""

import csv
import io
import re
from collections.abc import Iterable
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from meetings.countries import country_name
from meetings.dates import to_local
from meetings.i18n import gettext as _
from meetings.i18n import lazy_gettext as _l
from meetings.registration.models import Endorsement, Registration, RegistrationQuestion
from meetings.registration.retention import SENSITIVE_FIELDS, need_counts
from meetings.registration.status_labels import status_label

COLUMNS = ("id", "status", "given_name", "family_name", "email", "organization", "job_title",
           "country", "category", "language", "listed", "created_at", "verified_at",
           "delegation", "endorsement", "head_of_delegation")
FORMULA_STARTS = ("=", "+", "-", "@", "|", "\t", "\r", "\n")


def answer_text(value) -> str:
    """An answer as one cell: lists joined, booleans as yes/no."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def safe_cell(value) -> str:
    """Text a spreadsheet will not run as a formula (CSV injection)."""
    text = answer_text(value)
    # Spreadsheets skip leading spaces before deciding that a cell is a formula.
    return "'" + text if text.lstrip(" \u00a0").startswith(FORMULA_STARTS) else text


# A formula start right after something a spreadsheet may split on (comma, semicolon, tab,
# line break), perhaps after spaces: under another locale's separator that begins a new cell.
SPLIT_THEN_FORMULA = re.compile(r"([,;\t\r\n][ \u00a0]*)(?=[=+\-@|])")


def csv_cell(cell: str) -> str:
    """A safe cell that stays safe when the CSV is split on another separator than a comma."""
    return SPLIT_THEN_FORMULA.sub(r"\1'", cell)


def general_questions(questions: list[RegistrationQuestion]) -> list[RegistrationQuestion]:
    """The questions whose answers may go into the general exports (not the sensitive ones)."""
    return [question for question in questions if not question.sensitive]


def row_of(registration: Registration, questions: list[RegistrationQuestion]) -> list[str]:
    """One registration as a row of cells, in COLUMNS order then one per question."""
    values = {name: getattr(registration, name, "") for name in COLUMNS}
    values["status"] = registration.status.value
    values["category"] = registration.category.name
    values["email"] = registration.email or ""
    values["delegation"] = delegation_name(registration)
    values["endorsement"] = registration.endorsement.value if registration.endorsement else ""
    values["head_of_delegation"] = bool(registration.head_of_delegation)
    for name in ("created_at", "verified_at"):
        values[name] = values[name].strftime("%Y-%m-%dT%H:%M:%SZ") if values[name] else ""
    answers = registration.answers or {}
    return ([safe_cell(values[name]) for name in COLUMNS]
            + [safe_cell(answers.get(str(q.id))) for q in questions])


def header(questions: list[RegistrationQuestion]) -> list[str]:
    """Column names, then one column per custom question."""
    return list(COLUMNS) + [safe_cell(q.label) for q in questions]


def registrations_csv(registrations: Iterable[Registration],
                      questions: list[RegistrationQuestion]) -> str:
    """CSV (RFC 4180, UTF-8 with a BOM so spreadsheets pick the encoding).

    Every field is quoted, and a formula start after a comma, semicolon or tab inside a cell
    is defused too: a spreadsheet that splits on semicolons (Dutch, French, German settings)
    reads "Jan;=1+2" as "Jan" and "'=1+2", text rather than a live formula.
    """
    questions = general_questions(questions)
    rows = [header(questions)] + [row_of(registration, questions)
                                  for registration in registrations]
    return csv_text(rows)


def csv_text(rows: Iterable[list[str]]) -> str:
    """Rows of safe cells as quoted CSV with a BOM, defused for any separator (see above)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return "\ufeff" + out.getvalue()


def registrations_xlsx(registrations: Iterable[Registration],
                       questions: list[RegistrationQuestion], *, zone: str = "UTC",
                       workshops: dict[int, list[str]] | None = None,
                       languages: dict[str, str] | None = None) -> bytes:
    """An Excel sheet people can work with: readable headers and values, typed cells (numbers,
    dates in the edition's zone `zone`), column widths, a frozen header and a filter.

    `workshops` gives each registration's workshop titles by id; `languages` names the
    language codes. Sensitive answers and needs stay out, as in the CSV.
    """
    questions = general_questions(questions)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Registrations"))
    heads = sheet_header(questions, zone)
    sheet.append(heads)
    for registration in registrations:
        sheet.append(sheet_row(registration, questions, zone, workshops or {}, languages or {}))
    shape_sheet(sheet, heads)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def sheet_header(questions: list[RegistrationQuestion], zone: str) -> list[str]:
    """Readable column names, the time columns naming their zone."""
    return ([str(_("ID")), str(_("Status")), str(_("Given name")), str(_("Family name")),
             str(_("Email")), str(_("Organization")), str(_("Job title")), str(_("Country")),
             str(_("Country code")), str(_("Category")), str(_("Preferred language")),
             str(_("In the participant list")),
             str(_("Registered (%(zone)s)", zone=zone)), str(_("Confirmed (%(zone)s)", zone=zone))]
            + [safe_cell(q.label) for q in questions] + [str(_("Workshops"))]
            + [str(_("Delegation")), str(_("Endorsement by its focal point")),
               str(_("Head of delegation"))])


def sheet_row(registration: Registration, questions: list[RegistrationQuestion], zone: str,
              workshops: dict[int, list[str]], languages: dict[str, str]) -> list:
    """One registration as typed cells: numbers as numbers, times as local dates."""
    answers = registration.answers or {}
    text = [registration.given_name, registration.family_name, registration.email or "",
            registration.organization, registration.job_title]
    return ([registration.id, status_label(registration.status)]
            + [safe_cell(value) for value in text]
            + [country_name(registration.country) if registration.country else "",
               registration.country or "", safe_cell(registration.category.name),
               languages.get(registration.language, registration.language),
               yes_no(registration.listed), local_stamp(registration.created_at, zone),
               local_stamp(registration.verified_at, zone)]
            + [sheet_answer(answers.get(str(q.id))) for q in questions]
            + ["; ".join(safe_cell(title) for title in workshops.get(registration.id, []))]
            + [safe_cell(delegation_name(registration)),
               str(ENDORSEMENT_WORDS[registration.endorsement]) if registration.endorsement
               else "", yes_no(registration.head_of_delegation)])


ENDORSEMENT_WORDS = {Endorsement.AWAITING: _l("Awaiting"), Endorsement.ENDORSED: _l("Endorsed"),
                     Endorsement.DECLINED: _l("Declined")}


def delegation_name(registration: Registration) -> str:
    return registration.delegation.organization.name if registration.delegation else ""


def yes_no(value: bool) -> str:
    return str(_("Yes") if value else _("No"))


def sheet_answer(value):
    """An answer as one readable cell (Yes/No for a checkbox, choices joined)."""
    return yes_no(value) if isinstance(value, bool) else safe_cell(value)


def local_stamp(instant: datetime | None, zone: str) -> datetime | None:
    """An instant as the edition's wall-clock time (spreadsheets know no time zones)."""
    return to_local(instant, zone).replace(tzinfo=None) if instant else None


def shape_sheet(sheet, heads: list[str]) -> None:
    """Bold frozen header, a filter on every column, date formats and fitting widths."""
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.iter_cols(min_row=1):
        longest = max(len(str(cell.value)) if cell.value is not None else 0 for cell in column)
        for cell in column[1:]:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
                longest = max(longest, 16)
        letter = get_column_letter(column[0].column)
        sheet.column_dimensions[letter].width = min(max(longest, 6) + 2, 50)


def catering_csv(registrations: list[Registration],
                 questions: list[RegistrationQuestion]) -> str:
    """Catering and access: how many need what, then who needs it (names and needs only)."""
    sensitive = [question for question in questions if question.sensitive]
    rows = [["need", "answer", "count"]]
    rows += [[safe_cell(need), safe_cell(answer), str(count)]
             for need, answer, count in need_counts(registrations, sensitive)]
    rows.append([])
    rows.append(["given_name", "family_name", *SENSITIVE_FIELDS,
                 *(safe_cell(q.label) for q in sensitive)])
    for registration in registrations:
        answers = registration.answers or {}
        needs = [getattr(registration, name) for name in SENSITIVE_FIELDS]
        given = [answers.get(str(q.id)) for q in sensitive]
        if any(needs) or any(answer not in (None, "", [], False) for answer in given):
            rows.append([safe_cell(registration.given_name), safe_cell(registration.family_name),
                         *(safe_cell(value) for value in needs + given)])
    return csv_text(rows)


def iso(instant) -> str | None:
    """An instant as ISO 8601 UTC, or None."""
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ") if instant else None
