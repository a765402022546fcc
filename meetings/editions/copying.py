"""Copy an edition into a new draft: its shape, its agenda moved in time, and (through
`signals.copied`) what the features above editions keep of it."""

import re
from datetime import date, datetime, timedelta

from meetings.dates import LocalTimeError, to_local, to_utc
from meetings.editions import signals
from meetings.editions.rules import EditionFields, check_year, checked_fields
from meetings.editions.service import apply_fields, check_may_create
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.models import (
    Edition,
    EditionStatus,
    Session,
    SessionStatus,
    Track,
    User,
    new_uid,
)
from meetings.web.templating import ordinal as ordinal_word

# A year later on the same weekday: editions usually keep their week.
NEXT_YEAR = timedelta(weeks=52)


def proposed_copy(source: Edition, next_ordinal: int) -> dict:
    """What the copy form starts with: the next ordinal, a year later, and the source's title
    with its ordinal and year moved on ("" when it has neither, so the organizer types one)."""
    starts_on = source.starts_on + NEXT_YEAR
    title = source.title
    year = str(source.starts_on.year)
    moved = re.sub(rf"\b{year}\b", str(starts_on.year), title)
    moved = re.sub(rf"\b{re.escape(ordinal_word(source.ordinal))}\b",
                   ordinal_word(next_ordinal), moved)
    return {"ordinal": next_ordinal, "starts_on": starts_on,
            "title": moved if moved != title else ""}


def copy_edition(source: Edition, *, title: str, slug: str, ordinal: int, starts_on: date,
                 user: User, now: datetime) -> Edition:
    """A new draft with the source's venue, organizers, tracks and agenda shape, moved in time.

    Administrators only. Features above editions copy their parts when `signals.copied` is sent
    (registration: settings, categories, questions and privacy notice).
    """
    check_may_create(user)
    check_year(starts_on, "starts_on")
    if (title or "").strip() == source.title.strip():
        raise DomainError(_l("Give the new edition its own title (this is the title of the "
                             "edition you copy)."), field="title")
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
    signals.copied.send(copy, source=source, shift=shift, now=now)
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
