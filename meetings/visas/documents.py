"""The visa support letter as PDF: templates/visas/letter.html rendered by WeasyPrint.

The letterhead (letter.html) holds one version of the text per language: English first, then
the attendee's language when it is another one with a text. Each version is a whole letter
written by a translator in templates/visas/letter_<language>.html, not sentences put together
from a catalogue, because word order, dates and forms of address differ from one language to
the next; dates and country names come from Babel's CLDR data in that language.

Pure: data in, bytes out. The letter is rendered on demand and never stored, so purging the
passport fields leaves no copy behind in a file.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from weasyprint import HTML

from meetings.countries import country_name
from meetings.i18n import DOCUMENT_LANGUAGES, RIGHT_TO_LEFT, long_date

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "visas"
environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
# The languages a letter text exists in (letter_<code>.html), English first.


@dataclass(frozen=True)
class Letter:
    """What one letter says; countries as ISO codes, named in each version's language."""

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
    city: str
    country: str
    language: str = "en"


@dataclass(frozen=True)
class Version:
    """The letter's text in one language."""

    language: str
    direction: str
    body: Markup


def languages_of(letter: Letter) -> tuple[str, ...]:
    """English, then the attendee's language when a text exists in it."""
    wanted = (letter.language or "en").split("-")[0].split("_")[0].lower()
    return ("en", wanted) if wanted != "en" and wanted in DOCUMENT_LANGUAGES else ("en",)


def version(letter: Letter, language: str) -> Version:
    body = environment.get_template(f"letter_{language}.html").render(
        letter=letter, day=lambda day: long_date(day, language),
        country=lambda code: country_name(code, language))
    return Version(language, "rtl" if language in RIGHT_TO_LEFT else "ltr", Markup(body))


def render_html(letter: Letter) -> str:
    qr = segno.make(letter.verify_url, error="m", micro=False).svg_data_uri(border=0)
    return environment.get_template("letter.html").render(
        letter=letter, qr=qr, long_date=long_date,
        place=", ".join(part for part in (letter.city, country_name(letter.country)) if part),
        versions=[version(letter, language) for language in languages_of(letter)])


def render_pdf(letter: Letter) -> bytes:
    """The letter as an A4 PDF, with a QR code to its verification page."""
    return HTML(string=render_html(letter), base_url=str(TEMPLATES)).write_pdf()
