"""The visa support letter as PDF: templates/visas/letter.html rendered by WeasyPrint.

Pure: data in, bytes out. The letter is rendered on demand and never stored, so purging the
passport fields leaves no copy behind in a file.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import HTML

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "visas"
environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())


@dataclass(frozen=True)
class Letter:
    """What one letter says (countries already in words)."""

    reference: str
    verify_url: str
    issued_on: date
    passport_names: str
    passport_number: str
    issuing_state: str
    nationality: str
    date_of_birth: date
    passport_expiry: date
    consulate: str
    function: str
    organization: str
    edition: str
    starts_on: date
    ends_on: date
    place: str


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def render_html(letter: Letter) -> str:
    qr = segno.make(letter.verify_url, error="m", micro=False).svg_data_uri(border=0)
    return environment.get_template("letter.html").render(letter=letter, qr=qr,
                                                          long_date=long_date)


def render_pdf(letter: Letter) -> bytes:
    """The letter as an A4 PDF, with a QR code to its verification page."""
    return HTML(string=render_html(letter), base_url=str(TEMPLATES)).write_pdf()
