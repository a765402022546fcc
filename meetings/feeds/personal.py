"""An approved attendee's personal feed (/feeds/<token>.ics): the edition's days and their choices.

What it shows of each session is its public view for this attendee (meetings/agenda/visibility.py,
with the entitlements of meetings/attendance/agenda_choices.py). It is built
once per version, and the version moves when the edition's revision, the attendee's choices,
status or category, or the exporters change; nothing about the attendee but their choices is in
it (no name, no manage link).
"""

import dataclasses
import hashlib
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from flask_babel import force_locale

from meetings import ical
from meetings.agenda.visibility import SessionView, Viewer, public_view
from meetings.attendance import agenda_choices
from meetings.extensions import db
from meetings.feeds.cache import Feed, cached, personal_key
from meetings.feeds.service import (
    ICS,
    Site,
    edition_event,
    feed_options,
    sessions_for_feed,
    visible,
)
from meetings.feeds.stamps import Rendered, rendered_session, stamp_all
from meetings.i18n import gettext as _
from meetings.models import Edition, FeedCache, Session
from meetings.registration.models import Registration


@cache
def personal_code() -> str:
    """A hash of this module: a deploy that changes the feed's shape rebuilds it."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def feed_version(registration: Registration, site: Site) -> str:
    """Moves with the edition's revision and with anything of the attendee the feed depends on."""
    parts = (registration.edition.revision or 0, registration.status.value,
             registration.category.code, agenda_choices.choices_fingerprint(registration),
             site.fingerprint(), personal_code())
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


def personal_feed(registration: Registration, site: Site, now: datetime) -> Feed:
    """The attendee's feed, from the cache or built once for this version."""
    edition = registration.edition

    def build() -> bytes:
        with force_locale(site.locale):
            return personal_body(registration, site, now)

    key = personal_key(registration.id)
    return cached(key, feed_version(registration, site), content_type=ICS,
                  last_modified=next_modified(key, max(now, edition.updated_at)), build=build,
                  now=now, edition_id=edition.id)


def next_modified(key: str, now: datetime) -> datetime:
    """Last-Modified for a new version: now, and at least a second after the previous one."""
    # "Now", as a removed choice leaves no timestamp; HTTP dates cannot tell apart one second.
    previous = db.session.scalar(sa.select(FeedCache.last_modified).where(FeedCache.key == key))
    return now if previous is None else max(now, previous + timedelta(seconds=1))


def personal_body(registration: Registration, site: Site, now: datetime) -> bytes:
    """The calendar: one all-day event for the edition, then each chosen session."""
    edition = registration.edition
    query = visible(edition, sessions_for_feed([edition.id]).where(
        Session.id.in_(agenda_choices.chosen_sessions(registration)
                       .with_only_columns(Session.id).scalar_subquery())))
    sessions = db.session.scalars(query).unique().all()
    base = feed_options(site)
    days = edition_event(edition, f"edition-{edition.id}-days@{site.domain}", site, now)
    viewer = agenda_choices.viewer_of(registration)
    shown = [public_view(session, viewer, base.labels.closed_session) for session in sessions]
    events = [session_event(session, session_options(viewer, session, base), now)
              for session in shown]
    return ical.calendar(calendar_info(edition, site), stamp_all([days, *events], now))


def session_event(session: SessionView, options: ical.FeedOptions, now: datetime) -> Rendered:
    """One chosen session without its stamp; attendees with the same entitlements share it."""
    audience = f"personal-{int(options.private)}{int(bool(options.online_links))}"
    return rendered_session(session, options, audience, now)


def session_options(viewer: Viewer, session: SessionView, base: ical.FeedOptions
                    ) -> ical.FeedOptions:
    """Details of a closed session and online links only where the attendee is entitled."""
    details = not session.withheld
    return dataclasses.replace(base, private=details, online_links=details and viewer.online_links)


def calendar_info(edition: Edition, site: Site) -> ical.CalendarInfo:
    """Name and description of a personal feed (it names the edition, never the person)."""
    return ical.CalendarInfo(
        name=_("%(title)s — My agenda", title=edition.title),
        description=_("Your days at %(title)s and the sessions you chose. This address is "
                      "personal: do not share it.", title=edition.title),
        url=site.agenda_url(edition),
    )
