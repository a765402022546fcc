"""Editions: create, edit, copy, publish and delete; the reads behind the home and manage pages."""

import dataclasses
from datetime import datetime

import sqlalchemy as sa

from meetings.dates import (
    local_day_bounds,
    to_local,
)
from meetings.editions import signals
from meetings.editions.rules import (
    EditionFields,
    InvalidEdition,
    checked_fields,
    edition_problems,
    normalized,
)
from meetings.errors import DomainError, NotAllowed
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.i18n import ngettext
from meetings.mail_site import MailSite
from meetings.models import (
    Edition,
    EditionStatus,
    Session,
    Speaker,
    Track,
    User,
    Venue,
    edition_organizer,
)

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


def next_ordinal() -> int:
    """The ordinal after the highest one (1 for the first edition)."""
    return (db.session.scalar(sa.select(sa.func.max(Edition.ordinal))) or 0) + 1


def default_venue() -> Venue | None:
    """The venue a new edition most likely uses: the latest edition's, else the only one."""
    latest = db.session.scalar(sa.select(Edition).where(Edition.venue_id.is_not(None))
                               .order_by(Edition.starts_on.desc(), Edition.id.desc()).limit(1))
    if latest is not None:
        return latest.venue
    venues = db.session.scalars(sa.select(Venue).limit(2)).all()
    return venues[0] if len(venues) == 1 else None


# Writes --------------------------------------------------------------------------------------

def check_may_create(user: User) -> None:
    """Only administrators create or copy editions; organizers manage the editions assigned to
    them."""
    if not user.is_admin:
        raise NotAllowed(_l("Only administrators create or copy editions."))


def create_edition(fields: EditionFields, *, creator: User, now: datetime) -> Edition:
    """Create a draft edition (administrators only)."""
    check_may_create(creator)
    fields = checked_fields(fields)
    edition = Edition(status=EditionStatus.DRAFT, created_at=now, updated_at=now, revision=0)
    apply_fields(edition, fields)
    db.session.add(edition)
    db.session.flush()
    return edition


def update_edition(edition: Edition, fields: EditionFields, *, now: datetime,
                   keep_local_times: bool | None = None) -> Edition:
    """Change an edition; refuse dates or a venue that would strand existing sessions.

    A new time zone while sessions exist needs `keep_local_times`: True moves every session's
    instants so its local wall-clock time stays (the agenda marks them changed), False keeps the
    instants (their local times change).
    """
    fields = normalized(fields)
    old_zone = edition.timezone
    zone_changes = bool(fields.timezone) and fields.timezone != old_zone
    problems = edition_problems(fields, edition)
    sessions = session_count(edition) if zone_changes and keep_local_times is None else 0
    if sessions:
        problems.append(DomainError(ngettext(
            "The time zone changes and %(num)d session exists: choose whether it keeps its "
            "local time or its instant.",
            "The time zone changes and %(num)d sessions exist: choose whether they keep their "
            "local times or their instants.", sessions), field="session_times"))
    if problems:
        raise InvalidEdition(problems)
    check_sessions_fit(edition, fields, old_zone if keep_local_times else fields.timezone)
    apply_fields(edition, fields)
    edition.touch(now)
    db.session.flush()
    if zone_changes:
        signals.timezone_changed.send(edition, old_zone=old_zone,
                                      keep_local_times=bool(keep_local_times), now=now)
    return edition


def zone_warnings(edition: Edition) -> list[str]:
    """What looks wrong but is allowed: an edition in another zone than its venue."""
    if edition.venue is not None and edition.venue.timezone != edition.timezone:
        return [str(_l("The edition's time zone (%(zone)s) differs from its venue's "
                       "(%(venue_zone)s): sessions are entered and shown in %(zone)s.",
                       zone=edition.timezone, venue_zone=edition.venue.timezone))]
    return []


def apply_fields(edition: Edition, fields: EditionFields) -> None:
    for field in dataclasses.fields(fields):
        setattr(edition, field.name, getattr(fields, field.name))


def check_sessions_fit(edition: Edition, fields: EditionFields, zone: str) -> None:
    """Refuse new dates that leave sessions outside (their days read in `zone`), or a new venue
    while sessions use rooms."""
    first, _ = local_day_bounds(fields.starts_on, zone)
    _, last = local_day_bounds(fields.ends_on, zone)
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


def registrants_to_tell(edition: Edition) -> int:
    """How many registrants an email saying the edition is cancelled would reach."""
    return sum(count for _receiver, count in signals.counting_registrants.send(edition))


def delete_edition(edition: Edition, *, user: User, confirmation: str = "",
                   tell_registrants: bool = False, now: datetime | None = None,
                   site: MailSite | None = None) -> None:
    """Delete an edition with everything in it.

    One that has registrations holds attendees' data: only an administrator may delete it, after
    typing its slug. With `tell_registrants` (and `now` and `site`), those who hold or wait for a
    seat are emailed that the edition is cancelled, in the same transaction.
    """
    if tell_registrants and (now is None or site is None):
        raise ValueError("emailing the registrants needs `now` and `site`")
    if removal_summary(edition)["registrations"]:
        if not user.is_admin:
            raise NotAllowed(_l("This edition has registrations: only an administrator can "
                                "delete it."))
        if confirmation.strip() != edition.slug:
            raise DomainError(_l("Type “%(slug)s” to confirm.", slug=edition.slug),
                              field="confirmation")
    # Registrants are told, then registrations and their mail go first.
    signals.deleting.send(edition, tell_registrants=tell_registrants, now=now, site=site)
    db.session.delete(edition)
    db.session.flush()
