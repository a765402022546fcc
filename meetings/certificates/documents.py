"""A certificate of attendance as PDF: HTML and CSS rendered by WeasyPrint, with the
verification address as a QR code (segno, embedded as SVG).

As with the visa letters, each language has a whole certificate written by a translator
(templates/certificates/certificate_<language>.html, extending the page in certificate.html),
not sentences put together from a catalogue: word order, agreement and the way dates read
differ from one language to the next. Dates and country names come from Babel's CLDR data in
that language. Pure: data in, bytes out.
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

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "certificates"
environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
# The languages a certificate text exists in (certificate_<code>.html): the UN's six.


@dataclass(frozen=True)
class Certificate:
    """What one certificate shows; dates as dates and the country as an ISO code, written
    out in the certificate's language when it is drawn."""

    name: str
    edition: str
    starts_on: date
    ends_on: date
    city: str
    country: str
    days: tuple[date, ...]
    workshops: tuple[str, ...]
    reference: str
    verify_url: str
    language: str = "en"


def language_of(preferred: str | None) -> str:
    """The certificate's language: the person's ("fr", "fr-CA", "zh_Hans") when a text exists
    in it, else English."""
    wanted = (preferred or "en").replace("_", "-").split("-")[0].lower()
    return wanted if wanted in DOCUMENT_LANGUAGES else "en"


def qr_svg(text: str) -> str:
    """The text as a QR symbol (level M), as an SVG data URI."""
    return segno.make(text, error="m", micro=False).svg_data_uri(border=0, dark="#000")


def render_html(certificate: Certificate) -> str:
    language = language_of(certificate.language)
    return environment.get_template(f"certificate_{language}.html").render(
        c=certificate, qr=qr_svg(certificate.verify_url), language=language,
        direction="rtl" if language in RIGHT_TO_LEFT else "ltr",
        day=lambda day: Markup('<span class="keep">{}</span>').format(long_date(day, language)),
        country=lambda code: country_name(code, language) if code else "")


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as a one-page A4 PDF."""
    return HTML(string=render_html(certificate), base_url=str(TEMPLATES)).write_pdf()
