"""Editions: create, edit, copy, publish and delete; the reads behind the home and manage pages."""

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from meetings.dates import (
    LocalTimeError,
    is_valid_timezone,
    local_day_bounds,
    to_local,
    to_utc,
)
from meetings.editions import signals
from meetings.errors import DomainError, NotAllowed
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.i18n import ngettext
from meetings.models import (
    Edition,
    EditionFormat,
    EditionStatus,
    Session,
    SessionStatus,
    Speaker,
    Track,
    User,
    Venue,
    edition_organizer,
    new_uid,
)

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

    ordinal: int
    title: str
    slug: str
    starts_on: date
    ends_on: date
    timezone: str
    format: EditionFormat
    venue: Venue | None
    host_event: str = ""
    description: str = ""


# Reads ---------------------------------------------------------------------------------------

def edition_by_slug(slug: str) -> sa.Select:
    """The edition at /<slug>/ (any status: callers decide who may see drafts)."""
    return sa.select(Edition).where(Edition.slug == slug)


def public_editions() -> sa.Select:
    """Published and archived editions, newest first."""
    return (sa.select(Edition).where(Edition.status != EditionStatus.DRAFT)
            .order_by(Edition.starts_on.desc()))


def managed_editions(user: User) -> sa.Select:
    """The editions a user manages (every edition for an admin), newest first."""
    query = sa.select(Edition).order_by(Edition.starts_on.desc(), Edition.id.desc())
    if not user.is_admin:
        query = query.join(edition_organizer).where(edition_organizer.c.user_id == user.id)
    return query


def split_home(editions: list[Edition], now: datetime) -> tuple[list[Edition], list[Edition]]:
    """Upcoming published editions (soonest first) and past ones (newest first)."""
    upcoming, past = [], []
    for edition in editions:
        today = to_local(now, edition.timezone).date()
        is_upcoming = edition.status == EditionStatus.PUBLISHED and edition.ends_on >= today
        (upcoming if is_upcoming else past).append(edition)
    upcoming.sort(key=lambda e: e.starts_on)
    past.sort(key=lambda e: e.starts_on, reverse=True)
    return upcoming, past


def can_view(edition: Edition, user) -> bool:
    """Everyone sees public editions; drafts only those who manage them."""
    if edition.is_public:
        return True
    return bool(getattr(user, "is_authenticated", False) and user.can_manage(edition))


def session_count(edition: Edition) -> int:
    """How many sessions the edition has (cancelled ones included)."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Session).where(Session.edition_id == edition.id)
    )


# Writes --------------------------------------------------------------------------------------

def create_edition(fields: EditionFields, *, creator: User, now: datetime) -> Edition:
    """Create a draft edition; an organizer who creates it becomes one of its organizers."""
    fields = checked_fields(fields)
    edition = Edition(status=EditionStatus.DRAFT, created_at=now, updated_at=now, revision=0)
    apply_fields(edition, fields)
    if not creator.is_admin:
        edition.organizers.append(creator)
    db.session.add(edition)
    db.session.flush()
    return edition


def update_edition(edition: Edition, fields: EditionFields, *, now: datetime) -> Edition:
    """Change an edition; refuse dates or a venue that would strand existing sessions."""
    fields = checked_fields(fields, edition)
    check_sessions_fit(edition, fields)
    apply_fields(edition, fields)
    edition.touch(now)
    db.session.flush()
    return edition


def apply_fields(edition: Edition, fields: EditionFields) -> None:
    for field in dataclasses.fields(fields):
        setattr(edition, field.name, getattr(fields, field.name))


def checked_fields(fields: EditionFields, edition: Edition | None = None) -> EditionFields:
    """Apply the defaults (slug from the year, time zone from the venue) and check the rules."""
    fields = dataclasses.replace(
        fields,
        title=fields.title.strip(),
        slug=(fields.slug or "").strip().lower() or str(fields.starts_on.year),
        host_event=(fields.host_event or "").strip(),
        description=fields.description or "",
        timezone=(fields.timezone or "").strip(),
    )
    if not fields.title:
        raise DomainError(_l("Give the edition a title."), field="title")
    check_dates(fields)
    check_slug(fields.slug, edition)
    check_venue(fields)
    if not fields.timezone and fields.venue is not None:
        fields.timezone = fields.venue.timezone
    if not is_valid_timezone(fields.timezone):
        raise DomainError(_l("Enter an IANA time zone such as Europe/Amsterdam."), field="timezone")
    return fields


def check_dates(fields: EditionFields) -> None:
    """Years from FIRST_YEAR to LAST_YEAR, the last day not before the first, at most 31 days."""
    check_year(fields.starts_on, "starts_on")
    check_year(fields.ends_on, "ends_on")
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


def check_venue(fields: EditionFields) -> None:
    """Virtual editions have no venue; in-person and hybrid ones need one."""
    if fields.format == EditionFormat.VIRTUAL and fields.venue is not None:
        raise DomainError(_l("A virtual edition has no venue: choose “none” or another format."),
                          field="venue_id")
    if fields.format != EditionFormat.VIRTUAL and fields.venue is None:
        raise DomainError(_l("Choose the venue of an in-person or hybrid edition."),
                          field="venue_id")


def check_sessions_fit(edition: Edition, fields: EditionFields) -> None:
    """Refuse new dates that leave sessions outside, or a new venue while sessions use rooms."""
    first, _ = local_day_bounds(fields.starts_on, fields.timezone)
    _, last = local_day_bounds(fields.ends_on, fields.timezone)
    outside = count_sessions(edition, sa.or_(Session.starts_at < first, Session.ends_at > last))
    if outside:
        raise DomainError(ngettext(
            "%(num)d session falls outside these dates: move or delete it first.",
            "%(num)d sessions fall outside these dates: move or delete them first.", outside),
            field="starts_on")
    new_venue_id = fields.venue.id if fields.venue is not None else None
    if new_venue_id != edition.venue_id:
        in_rooms = count_sessions(edition, Session.room_id.is_not(None))
        if in_rooms:
            raise DomainError(ngettext(
                "%(num)d session uses a room of the current venue: clear its room first.",
                "%(num)d sessions use rooms of the current venue: clear their rooms first.",
                in_rooms), field="venue_id")


def count_sessions(edition: Edition, condition) -> int:
    query = sa.select(sa.func.count()).select_from(Session).where(
        Session.edition_id == edition.id, condition)
    return db.session.scalar(query)


def set_status(edition: Edition, status: EditionStatus, *, now: datetime) -> Edition:
    """Publish, unpublish (back to draft) or archive an edition."""
    if edition.status == status:
        raise DomainError(_l("The edition already has this status."))
    edition.status = status
    edition.touch(now)
    db.session.flush()
    return edition


def removal_summary(edition: Edition) -> dict[str, int]:
    """What deleting the edition removes with it: registrations, sessions, tracks, speakers."""
    summary = {"registrations": 0}
    for _receiver, counts in signals.counting_contents.send(edition):
        summary.update(counts)
    for name, model in {"sessions": Session, "tracks": Track, "speakers": Speaker}.items():
        summary[name] = db.session.scalar(sa.select(sa.func.count()).select_from(model)
                                          .where(model.edition_id == edition.id))
    return summary


def delete_edition(edition: Edition, *, user: User, confirmation: str = "") -> None:
    """Delete an edition with everything in it.

    One that has registrations holds attendees' data: only an administrator may delete it, after
    typing its slug.
    """
    if removal_summary(edition)["registrations"]:
        if not user.is_admin:
            raise NotAllowed(_l("This edition has registrations: only an administrator can "
                                "delete it."))
        if confirmation.strip() != edition.slug:
            raise DomainError(_l("Type “%(slug)s” to confirm.", slug=edition.slug),
                              field="confirmation")
    signals.deleting.send(edition)  # registrations and their mail go first
    db.session.delete(edition)
    db.session.flush()


# Copy ----------------------------------------------------------------------------------------

def copy_edition(source: Edition, *, title: str, slug: str, ordinal: int, starts_on: date,
                 now: datetime) -> Edition:
    """A new draft with the source's venue, organizers, tracks and agenda shape, moved in time."""
    check_year(starts_on, "starts_on")
    shift = starts_on - source.starts_on
    fields = checked_fields(EditionFields(
        ordinal=ordinal, title=title, slug=slug, starts_on=starts_on,
        ends_on=source.ends_on + shift, timezone=source.timezone, format=source.format,
        venue=source.venue, host_event=source.host_event, description=source.description,
    ))
    organizers, source_tracks = list(source.organizers), list(source.tracks)
    copy = Edition(status=EditionStatus.DRAFT, created_at=now, updated_at=now, revision=0)
    db.session.add(copy)
    apply_fields(copy, fields)
    copy.organizers = organizers
    tracks = {track.id: Track(name=track.name, slug=track.slug, colour=track.colour)
              for track in source_tracks}
    copy.tracks = list(tracks.values())
    for session in db.session.scalars(source.sessions.select().order_by(Session.starts_at)):
        copy.sessions.add(copied_session(session, tracks.get(session.track_id), shift,
                                         source.timezone, now))
    db.session.flush()
    return copy


def copied_session(session: Session, track: Track | None, shift: timedelta, zone: str,
                   now: datetime) -> Session:
    """The session's shape on the new dates, same local wall-clock times, a new UID."""
    starts_at = shifted(session.starts_at, shift, zone, session.title)
    ends_at = shifted(session.ends_at, shift, zone, session.title)
    if ends_at <= starts_at:
        raise DomainError(_l("“%(title)s” would end before it starts on the new dates.",
                             title=session.title), field="starts_on")
    return Session(
        uid=new_uid(), title=session.title, type=session.type, access=session.access,
        language=session.language, chatham_house=session.chatham_house,
        capacity=session.capacity, room_id=session.room_id, track=track,
        starts_at=starts_at, ends_at=ends_at, status=SessionStatus.SCHEDULED, sequence=0,
        online_url="", created_at=now, updated_at=now,
    )


def shifted(instant: datetime, shift: timedelta, zone: str, title: str) -> datetime:
    """Move an instant by whole days keeping its local wall-clock time in `zone`."""
    local = to_local(instant, zone).replace(tzinfo=None) + shift
    try:
        return to_utc(local, zone)
    except LocalTimeError as error:
        raise DomainError(_l("“%(title)s” cannot move to the new dates: %(reason)s",
                             title=title, reason=str(error)), field="starts_on") from error
