"""A certificate of attendance as PDF: HTML and CSS (templates/certificates/certificate.html)
rendered by WeasyPrint, with the verification address as a QR code (segno, embedded as SVG).
Pure: data in, bytes out; every text arrives already written in the person's language."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import HTML

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "certificates"
environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())


@dataclass(frozen=True)
class Certificate:
    """What one certificate shows; `labels` are its fixed words (title, headings), translated."""

    name: str
    edition: str
    days: tuple[str, ...]
    workshops: tuple[str, ...]
    reference: str
    verify_url: str
    labels: Mapping[str, str]
    language: str = "en"
    direction: str = "ltr"


def qr_svg(text: str) -> str:
    """The text as a QR symbol (level M), as an SVG data URI."""
    return segno.make(text, error="m", micro=False).svg_data_uri(border=0, dark="#000")


def render_html(certificate: Certificate) -> str:
    return environment.get_template("certificate.html").render(
        c=certificate, qr=qr_svg(certificate.verify_url))


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate as a one-page A4 PDF."""
    return HTML(string=render_html(certificate), base_url=str(TEMPLATES)).write_pdf()
