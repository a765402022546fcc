"""Pending agenda changes: what a session looked like before edits attendees were not told of.

The agenda service calls `record_change` whenever a session's change counter moves. One row per
session keeps its time, room and status as they were before its first undispatched change;
later edits only move `last_changed_at`. Dispatch (registration/change_mail.py) compares that
state with the session as it is then, so several edits become one line, and a change that was
undone (moved, then moved back) is dropped without a mail.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings.database import insert_on_conflict
from meetings.extensions import db
from meetings.models import Room, Session, SessionStatus, UTCDateTime


class SessionChange(db.Model):
    """A session's time, room and status before changes that attendees have not been sent."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("session.id", ondelete="CASCADE"), unique=True
    )
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True
    )
    old_starts_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    old_ends_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    # No foreign key: the old room may be deleted before the digest goes out; its name stays.
    old_room_id: so.Mapped[int | None] = so.mapped_column()
    old_room_name: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    old_status: so.Mapped[str] = so.mapped_column(sa.String(20))
    first_changed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    last_changed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)

    session: so.Mapped[Session] = so.relationship()


@dataclass(frozen=True)
class ChangeSummary:
    """What changed between the recorded state and the session now (None: unchanged)."""

    session: Session
    times: tuple[datetime, datetime, datetime, datetime] | None  # old start, end, new start, end
    rooms: tuple[str, str] | None  # old name, new name ("" when no room)
    status: str | None  # "cancelled" or "restored"

    @property
    def is_undone(self) -> bool:
        return self.times is None and self.rooms is None and self.status is None


def old_value(session: Session, name: str):
    """The attribute's value before this flush's changes (its current value when unchanged)."""
    history = sa.inspect(session).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(session, name)


def record_change(session: Session, now: datetime) -> None:
    """Remember the session's time, room and status before its first change since dispatch."""
    if session.id is None:
        return
    # room_id is written at flush, so before the flush it still names the old room.
    room_id = old_value(session, "room_id")
    old = {"old_starts_at": old_value(session, "starts_at"),
           "old_ends_at": old_value(session, "ends_at"), "old_room_id": room_id,
           "old_status": str(old_value(session, "status").value)}
    new = (session.starts_at, session.ends_at, session.room.id if session.room else None,
           str(session.status.value))
    if tuple(old.values()) == new:
        return  # a change of title, speakers or text: calendars show it, no email needed
    room = db.session.get(Room, room_id) if room_id is not None else None
    values = dict(session_id=session.id, edition_id=session.edition_id,
                  old_room_name=room.name if room else "", first_changed_at=now,
                  last_changed_at=now, **old)
    statement = insert_on_conflict(SessionChange).values(**values)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[SessionChange.session_id], set_={"last_changed_at": now}))


def pending_changes(edition_id: int) -> sa.Select:
    """An edition's pending changes with their sessions, oldest first."""
    return (sa.select(SessionChange).where(SessionChange.edition_id == edition_id)
            .options(so.joinedload(SessionChange.session).joinedload(Session.room),
                     so.joinedload(SessionChange.session).joinedload(Session.edition))
            .order_by(SessionChange.first_changed_at, SessionChange.id))


def quiet_editions(before: datetime) -> sa.Select:
    """Ids of editions with pending changes whose latest change is older than `before`."""
    return (sa.select(SessionChange.edition_id).group_by(SessionChange.edition_id)
            .having(sa.func.max(SessionChange.last_changed_at) <= before))


def summarize(change: SessionChange) -> ChangeSummary:
    """Compare the recorded state with the session now."""
    session = change.session
    times = None
    if (change.old_starts_at, change.old_ends_at) != (session.starts_at, session.ends_at):
        times = (change.old_starts_at, change.old_ends_at, session.starts_at, session.ends_at)
    new_room = session.room.name if session.room else ""
    rooms = None
    if change.old_room_id != session.room_id:
        rooms = (change.old_room_name, new_room)
    status = None
    if change.old_status != session.status.value:
        status = "cancelled" if session.status == SessionStatus.CANCELLED else "restored"
    return ChangeSummary(session, times, rooms, status)


def forget(changes: list[SessionChange]) -> None:
    """Drop dispatched (or undone) changes."""
    ids = [change.id for change in changes]
    if ids:
        db.session.execute(sa.delete(SessionChange).where(SessionChange.id.in_(ids)))
