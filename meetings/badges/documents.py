"""Badges as PDF: HTML and CSS (templates/badges/) rendered by WeasyPrint. Pure: data in, bytes out.

WeasyPrint lays text out with Pango and HarfBuzz, so Arabic is shaped right to left and joined
and Chinese is drawn, with the Noto fonts Debian ships (fonts-noto-core, fonts-noto-cjk). The QR
code (segno) is embedded as SVG, so it stays sharp at any printer resolution.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape
from weasyprint import HTML

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "badges"
environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())


class Sheet(enum.StrEnum):
    A6 = "a6"  # one badge a page
    A4 = "a4"  # four A6 badges a page, with cut marks


@dataclass(frozen=True)
class Face:
    """What one badge shows; `latin_name` only when it differs from `name`."""

    name: str
    organization: str
    country: str
    category: str
    colour: str  # the category band's background; the band always carries its word too
    edition: str
    code: str
    latin_name: str = ""
    serial: int = 0


def qr_svg(code: str) -> str:
    """The code as a QR symbol (level M or better, no larger than needed), as an SVG data URI."""
    return segno.make(code, error="m", micro=False).svg_data_uri(border=0, dark="#000")


def chunks(faces: Sequence[Face], size: int) -> list[Sequence[Face]]:
    return [faces[at:at + size] for at in range(0, len(faces), size)]


def render_html(faces: Sequence[Face], sheet: Sheet) -> str:
    """The sheets as one HTML document."""
    per_page = 4 if sheet == Sheet.A4 else 1
    return environment.get_template("sheet.html").render(
        sheet=sheet.value, pages=chunks(list(faces), per_page), qr_svg=qr_svg)


def render_pdf(faces: Sequence[Face], sheet: Sheet = Sheet.A4) -> bytes:
    """The badges as a PDF: A6 pages, or A4 pages of four A6 badges with cut marks."""
    return HTML(string=render_html(faces, sheet), base_url=str(TEMPLATES)).write_pdf()
