"""The agenda's answers to the editions feature's signals (connected when imported)."""

from datetime import datetime

from meetings.agenda.service import mark_changed
from meetings.dates import LocalTimeError, to_local, to_utc
from meetings.editions import signals as edition_signals
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.models import Edition, Session


@edition_signals.timezone_changed.connect
def keep_local_times(edition: Edition, *, old_zone: str, keep_local_times: bool,
                     now: datetime) -> None:
    """With `keep_local_times`, move each session so it shows the same local wall-clock times
    in the new zone; each move is a change (SEQUENCE, LAST-MODIFIED, the attendees' digest)."""
    if not keep_local_times:
        return
    for session in db.session.scalars(edition.sessions.select().order_by(Session.starts_at)):
        starts_at = same_local_time(session.starts_at, old_zone, edition.timezone, session)
        ends_at = same_local_time(session.ends_at, old_zone, edition.timezone, session)
        if (starts_at, ends_at) == (session.starts_at, session.ends_at):
            continue
        session.starts_at, session.ends_at = starts_at, ends_at
        mark_changed(session, now)
    db.session.flush()


def same_local_time(instant: datetime, old_zone: str, new_zone: str, session: Session) -> datetime:
    """The instant showing in `new_zone` the wall-clock time `instant` shows in `old_zone`."""
    try:
        return to_utc(to_local(instant, old_zone).replace(tzinfo=None), new_zone)
    except LocalTimeError as error:
        raise DomainError(_l("“%(title)s” cannot keep its local time in the new time zone: "
                             "%(reason)s", title=session.title, reason=str(error)),
                          field="session_times") from error
