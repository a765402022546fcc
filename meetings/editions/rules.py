"""The rules of an edition's fields, checked all together so a form can show every problem."""

import dataclasses
import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from meetings.dates import is_valid_timezone
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.models import Edition, EditionFormat, Venue

# Paths the site uses at its top level: an edition slug must never shadow them.
RESERVED_SLUGS = frozenset({
    "manage", "login", "logout", "static", "editions.ics", "feeds", "api", "admin",
    "favicon.ico", "robots.txt", "health",
})
SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FIRST_YEAR, LAST_YEAR = 2000, 2100  # an edition's dates
MAX_DAYS = 31


@dataclass
class EditionFields:
    """What an organizer enters for an edition (status and organizers are set elsewhere)."""

    ordinal: int | None
    title: str
    slug: str
    starts_on: date | None  # None only while the form's shape is wrong
    ends_on: date | None
    timezone: str
    format: EditionFormat | None
    venue: Venue | None
    host_event: str = ""
    description: str = ""


class InvalidEdition(DomainError):
    """Several rules broken at once: the first is the error's message, `problems` has them all
    (so the form shows every one, not one per submit)."""

    def __init__(self, problems: list[DomainError]):
        super().__init__(problems[0].message, field=problems[0].field)
        self.problems = problems


def normalized(fields: EditionFields) -> EditionFields:
    """Trimmed text and the defaults: the slug from the start year, the venue's time zone."""
    fields = dataclasses.replace(
        fields,
        title=(fields.title or "").strip(),
        slug=(fields.slug or "").strip().lower(),
        host_event=(fields.host_event or "").strip(),
        description=fields.description or "",
        timezone=(fields.timezone or "").strip(),
    )
    if not fields.slug and fields.starts_on is not None:
        fields.slug = str(fields.starts_on.year)
    if not fields.timezone and fields.venue is not None:
        fields.timezone = fields.venue.timezone
    return fields


def checked_fields(fields: EditionFields, edition: Edition | None = None) -> EditionFields:
    """Apply the defaults (slug from the year, time zone from the venue) and check the rules."""
    fields = normalized(fields)
    problems = edition_problems(fields, edition)
    if problems:
        raise InvalidEdition(problems)
    return fields


def edition_problems(fields: EditionFields, edition: Edition | None = None) -> list[DomainError]:
    """Every rule the (normalized) fields break, one per field; a value still None (its shape
    was wrong on the form) is not checked again."""
    problems = []
    for check in (check_title, check_dates, check_slug_field, check_venue, check_timezone):
        try:
            check(fields, edition)
        except DomainError as error:
            problems.append(error)
    return problems


def check_title(fields: EditionFields, edition: Edition | None = None) -> None:
    if not fields.title:
        raise DomainError(_l("Give the edition a title."), field="title")


def check_dates(fields: EditionFields, edition: Edition | None = None) -> None:
    """Years from FIRST_YEAR to LAST_YEAR, the last day not before the first, at most 31 days."""
    if fields.starts_on is not None:
        check_year(fields.starts_on, "starts_on")
    if fields.ends_on is None:
        return
    check_year(fields.ends_on, "ends_on")
    if fields.starts_on is None or not FIRST_YEAR <= fields.starts_on.year <= LAST_YEAR:
        return
    if fields.ends_on < fields.starts_on:
        raise DomainError(_l("The last day cannot be before the first day."), field="ends_on")
    if (fields.ends_on - fields.starts_on).days + 1 > MAX_DAYS:
        raise DomainError(_l("An edition lasts at most %(days)s days.", days=MAX_DAYS),
                          field="ends_on")


def check_year(day: date, field: str) -> None:
    """Refuse a date outside FIRST_YEAR..LAST_YEAR on that form field."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DomainError(_l("Enter a year from %(first)s to %(last)s.", first=FIRST_YEAR,
                             last=LAST_YEAR), field=field)


def check_slug_field(fields: EditionFields, edition: Edition | None = None) -> None:
    if fields.slug:
        check_slug(fields.slug, edition)


def check_slug(slug: str, edition: Edition | None = None) -> None:
    """Slugs are URL-safe, not a reserved path, and unique."""
    if not SLUG_PATTERN.fullmatch(slug):
        raise DomainError(_l("Use lower-case letters, digits and single hyphens only."),
                          field="slug")
    if slug in RESERVED_SLUGS:
        raise DomainError(_l("“%(slug)s” is reserved by the site; choose another.", slug=slug),
                          field="slug")
    query = sa.select(Edition.id).where(Edition.slug == slug)
    if edition is not None and edition.id is not None:
        query = query.where(Edition.id != edition.id)
    if db.session.scalar(query) is not None:
        raise DomainError(_l("Another edition already uses this address."), field="slug")


def check_venue(fields: EditionFields, edition: Edition | None = None) -> None:
    """Virtual editions have no venue; in-person and hybrid ones need one."""
    if fields.format == EditionFormat.VIRTUAL and fields.venue is not None:
        raise DomainError(_l("A virtual edition has no venue: choose “none” or another format."),
                          field="venue_id")
    if fields.format in (EditionFormat.IN_PERSON, EditionFormat.HYBRID) and fields.venue is None:
        raise DomainError(_l("Choose the venue of an in-person or hybrid edition."),
                          field="venue_id")


def check_timezone(fields: EditionFields, edition: Edition | None = None) -> None:
    if not is_valid_timezone(fields.timezone):
        raise DomainError(_l("Enter an IANA time zone such as Europe/Amsterdam."), field="timezone")
