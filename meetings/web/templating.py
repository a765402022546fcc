"""Jinja filters and globals shared by every feature's templates."""

from datetime import datetime

from flask import Flask
from flask_babel import format_date, get_locale

from meetings.countries import country_name
from meetings.dates import city_of, to_local, zone_abbreviation
from meetings.i18n import text_direction
from meetings.markup import render_markdown


def local_time(instant: datetime, zone_name: str, pattern: str = "%H:%M") -> str:
    """Format a UTC instant as wall-clock time in the given zone."""
    return to_local(instant, zone_name).strftime(pattern)


def ordinal(number: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th' (English; other locales get their own later)."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def iso_utc(instant: datetime) -> str:
    """Machine-readable instant for <time datetime> (UTC, 'Z')."""
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_time=local_time,
        markdown=render_markdown,
        ordinal=ordinal,
        country_name=country_name,
        iso_utc=iso_utc,
        zone_abbreviation=zone_abbreviation,
        city_of=city_of,
        format_date=format_date,
    )
    app.jinja_env.globals.update(text_direction=text_direction, get_locale=get_locale)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
