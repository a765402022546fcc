"""What a viewer may see of a session: the one rule every page, feed, export and filter follows.

A closed session (law enforcement only) shows its time, its room and "Closed session" to anyone
not entitled: anonymous visitors, and attendees who are not law enforcement. Everything else
(title, description, type, track, language, seats, Chatham House, speakers, online link) is
withheld, and it is never found by what it withholds: a track or type filter, a track's feed,
a speaker's sessions. A track whose every session is withheld is withheld too.

Pages and exports read `public_view(session, viewer)` (ORM sessions) or `public_fields` (plain
rows); queries add `shown_to(viewer)` and `public_tracks(edition)`.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from meetings.models import (
    Session,
    SessionAccess,
    SessionFacts,
    SessionStatus,
    SessionType,
    Track,
)

CLOSED_SESSION = "Closed session"


@dataclass(frozen=True)
class Viewer:
    """What a viewer is entitled to: closed sessions' details, online-participation links."""

    sees_closed: bool = False
    online_links: bool = False


PUBLIC = Viewer()
ORGANIZER = Viewer(sees_closed=True, online_links=True)

# What a withheld session shows instead of each field (the title becomes the caller's label).
WITHHELD: dict[str, Any] = {
    "description": "", "description_text": "", "type": None, "track": None, "track_name": "",
    "track_colour": "", "language": None, "capacity": None, "chatham_house": False,
    "speakers": (), "speaker_links": (), "online_url": "",
    "session": None,  # a view model's ORM object would tell all the rest
}


def withholds(access: SessionAccess | str | None, viewer: Viewer) -> bool:
    """Whether the viewer sees only the time and room of a session with this access."""
    return access == SessionAccess.CLOSED and not viewer.sees_closed


def public_fields(access, viewer: Viewer, fields: dict, closed_title: str = CLOSED_SESSION
                  ) -> dict:
    """The fields as the viewer may see them: withheld ones blanked, links only if entitled."""
    if withholds(access, viewer):
        fields = {name: WITHHELD.get(name, value) for name, value in fields.items()}
        return {**fields, "title": closed_title} if "title" in fields else fields
    if not viewer.online_links and "online_url" in fields:
        return {**fields, "online_url": ""}
    return fields


@dataclass(frozen=True)
class SessionView(SessionFacts):
    """A session as one viewer may see it; reads like the Session the exporters and pages use."""

    id: int
    uid: str
    edition: Any
    starts_at: datetime
    ends_at: datetime
    room: Any
    status: SessionStatus
    access: SessionAccess
    sequence: int
    created_at: datetime | None
    updated_at: datetime | None
    withheld: bool
    title: str
    description: str
    description_text: str
    type: SessionType | None
    track: Track | None
    language: str | None
    capacity: int | None
    chatham_house: bool
    speaker_links: tuple
    online_url: str


SHOWN = ("title", "description", "description_text", "type", "track", "language", "capacity",
         "chatham_house", "speaker_links", "online_url")


def public_view(session: Session, viewer: Viewer = PUBLIC,
                closed_title: str = CLOSED_SESSION) -> SessionView:
    """The session as `viewer` may see it (a closed one: time, room and `closed_title`)."""
    fields = {name: getattr(session, name) for name in SHOWN}
    fields["speaker_links"] = tuple(fields["speaker_links"])
    return SessionView(
        id=session.id, uid=session.uid, edition=session.edition, starts_at=session.starts_at,
        ends_at=session.ends_at, room=session.room, status=session.status,
        access=session.access, sequence=session.sequence, created_at=session.created_at,
        updated_at=session.updated_at, withheld=withholds(session.access, viewer),
        **public_fields(session.access, viewer, fields, closed_title))


def shown_to(viewer: Viewer) -> sa.ColumnElement[bool]:
    """SQL: the sessions the viewer may find by what they are about (track, type, speaker)."""
    return sa.true() if viewer.sees_closed else Session.access != SessionAccess.CLOSED


def track_is_public() -> sa.ColumnElement[bool]:
    """SQL: a track visitors may see, empty or with a session shown to them."""
    in_track = sa.select(Session.id).where(Session.track_id == Track.id)
    return sa.or_(~in_track.exists(), in_track.where(shown_to(PUBLIC)).exists())


def public_tracks(edition_id: int) -> sa.Select:
    """The edition's tracks a visitor may see, by name."""
    return (sa.select(Track).where(Track.edition_id == edition_id, track_is_public())
            .order_by(Track.name, Track.id))
