"""Typed SQLAlchemy models: editions, venues, rooms, tracks, speakers, sessions, users, audit."""

import enum
import secrets
import uuid
from datetime import UTC, date, datetime
from typing import ClassVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from meetings.extensions import db
from meetings.markup import plain_text


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite drops tzinfo, so we restore it)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC-aware one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Primary keys are INTEGER: signed 32 bits on PostgreSQL (64 on SQLite), so no row has a larger id.
MAX_ID = 2**31 - 1


def id_number(text: str) -> int:
    """An id given as text (URL, query string, form, session): ASCII digits up to MAX_ID.

    Raises ValueError otherwise, as `int` would ("²" passes str.isdigit but not int()).
    """
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ID:
        raise ValueError(f"not an id: {text[:40]!r}")
    return int(text)


def utcnow() -> datetime:
    """The current instant, UTC-aware (model defaults only; services take `now`)."""
    return datetime.now(UTC)


def new_uid() -> str:
    return str(uuid.uuid4())


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class EditionFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    VIRTUAL = "virtual"
    HYBRID = "hybrid"


class EditionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class SessionType(enum.StrEnum):
    KEYNOTE = "keynote"
    PLENARY = "plenary"
    PANEL = "panel"
    WORKSHOP = "workshop"
    SIDE_EVENT = "side_event"
    BREAK = "break"
    NETWORKING = "networking"


# Sessions of these types with a capacity are taken with a seat (attendance/workshops.py).
LIMITED_SEAT_TYPES = (SessionType.WORKSHOP, SessionType.SIDE_EVENT)


class SessionAccess(enum.StrEnum):
    PUBLIC = "public"
    REGISTERED = "registered"
    CLOSED = "closed"


class SessionStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class SpeakerRole(enum.StrEnum):
    SPEAKER = "speaker"
    MODERATOR = "moderator"
    PANELLIST = "panellist"


def enum_column(enum_class: type[enum.Enum], length: int = 20) -> sa.Enum:
    """Store an enum by its value as a checked string (portable across SQLite and PostgreSQL)."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
        create_constraint=True,
        name=enum_class.__name__.lower(),
    )


edition_organizer = sa.Table(
    "edition_organizer",
    db.metadata,
    sa.Column("edition_id", sa.ForeignKey("edition.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    is_admin: so.Mapped[bool] = so.mapped_column(default=False)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # SHA-256 of the organizer's personal feed token (the token itself is never stored).
    feed_token_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    # Part of Flask-Login's id: a new value ends every session of this account.
    session_token: so.Mapped[str] = so.mapped_column(sa.String(64), default=new_session_token)
    # TOTP second factor: the base32 secret (set while enrolling), whether it is confirmed, and
    # the last time step a code was accepted for (a code is never accepted twice).
    totp_secret: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    totp_enabled: so.Mapped[bool] = so.mapped_column(default=False)
    totp_last_counter: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)

    editions: so.Mapped[list["Edition"]] = so.relationship(
        secondary=edition_organizer, back_populates="organizers"
    )

    password_method: ClassVar[str] = "scrypt"

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """Flask-Login's id: the row id and the session token, so a new token ends old sessions."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Make every session (and remember cookie) of this account stop working."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        """Store a new password hash; every existing session of the account ends with it."""
        self.password_hash = generate_password_hash(password, method=self.password_method)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def can_manage(self, edition: "Edition") -> bool:
        """Admins manage every edition; organizers the editions they are assigned to."""
        return self.is_admin or any(e.id == edition.id for e in self.editions)


class Venue(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    address: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    city: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    country: so.Mapped[str] = so.mapped_column(sa.String(2), default="")
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64))
    latitude: so.Mapped[float | None] = so.mapped_column(sa.Float)
    longitude: so.Mapped[float | None] = so.mapped_column(sa.Float)
    accessibility_notes: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    rooms: so.Mapped[list["Room"]] = so.relationship(
        back_populates="venue", cascade="all, delete-orphan", order_by="Room.name"
    )
    editions: so.Mapped[list["Edition"]] = so.relationship(back_populates="venue")

    __table_args__ = (
        sa.CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude"),
        sa.CheckConstraint(
            "longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude"
        ),
    )

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Room(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    venue_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("venue.id", ondelete="CASCADE"))
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    capacity: so.Mapped[int | None] = so.mapped_column()
    floor: so.Mapped[str] = so.mapped_column(sa.String(40), default="")

    venue: so.Mapped[Venue] = so.relationship(back_populates="rooms")

    __table_args__ = (
        sa.UniqueConstraint("venue_id", "name"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )


class Edition(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    ordinal: so.Mapped[int] = so.mapped_column()
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    slug: so.Mapped[str] = so.mapped_column(sa.String(60), unique=True)
    starts_on: so.Mapped[date] = so.mapped_column()
    ends_on: so.Mapped[date] = so.mapped_column()
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64))
    format: so.Mapped[EditionFormat] = so.mapped_column(
        enum_column(EditionFormat), default=EditionFormat.IN_PERSON
    )
    venue_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("venue.id", ondelete="SET NULL")
    )
    host_event: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[EditionStatus] = so.mapped_column(
        enum_column(EditionStatus), default=EditionStatus.DRAFT
    )
    # Moves on every change to the edition or its agenda: feeds key their cache on it.
    revision: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    venue: so.Mapped[Venue | None] = so.relationship(back_populates="editions")
    organizers: so.Mapped[list[User]] = so.relationship(
        secondary=edition_organizer, back_populates="editions"
    )
    tracks: so.Mapped[list["Track"]] = so.relationship(
        back_populates="edition", cascade="all, delete-orphan", order_by="Track.name"
    )
    speakers: so.Mapped[list["Speaker"]] = so.relationship(
        back_populates="edition", cascade="all, delete-orphan", order_by="Speaker.name"
    )
    sessions: so.WriteOnlyMapped["Session"] = so.relationship(
        back_populates="edition", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_starts"),
        sa.CheckConstraint("ordinal > 0", name="ordinal_positive"),
    )

    @property
    def is_public(self) -> bool:
        return self.status != EditionStatus.DRAFT

    @property
    def days(self) -> list[date]:
        """Every local date of the edition, first to last."""
        count = (self.ends_on - self.starts_on).days + 1
        return [date.fromordinal(self.starts_on.toordinal() + i) for i in range(count)]

    def touch(self, now: datetime) -> None:
        """Record that the edition or its agenda changed (feeds rebuild on a new revision).

        A stored edition is incremented in SQL, so two organizers committing at once get two
        revisions (the second UPDATE waits for the first one's row lock) rather than one number
        for two states; the attribute is reloaded after the flush.
        """
        if sa.inspect(self).persistent:
            self.revision = Edition.revision + 1
        else:
            self.revision = (self.revision or 0) + 1
        self.updated_at = now


class Track(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("edition.id", ondelete="CASCADE"))
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    slug: so.Mapped[str] = so.mapped_column(sa.String(60))
    colour: so.Mapped[str] = so.mapped_column(sa.String(7), default="#1f5fa8")

    edition: so.Mapped[Edition] = so.relationship(back_populates="tracks")

    __table_args__ = (
        sa.UniqueConstraint("edition_id", "name"),
        sa.UniqueConstraint("edition_id", "slug"),
    )


class Speaker(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("edition.id", ondelete="CASCADE"))
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    title: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    organization: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    country: so.Mapped[str] = so.mapped_column(sa.String(2), default="")
    bio: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The bio as plain text, kept in step by an attribute event: exports never parse Markdown.
    bio_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    edition: so.Mapped[Edition] = so.relationship(back_populates="speakers")
    appearances: so.Mapped[list["SessionSpeaker"]] = so.relationship(
        back_populates="speaker", cascade="all, delete-orphan"
    )


class SessionFacts:
    """What a session says of itself from its status, access and times: the model and the views
    of it that pages and feeds read (agenda/visibility.py's SessionView) answer alike."""

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def is_closed(self) -> bool:
        return self.access == SessionAccess.CLOSED

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Session(SessionFacts, db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    edition_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True
    )
    uid: so.Mapped[str] = so.mapped_column(sa.String(36), unique=True, default=new_uid)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    type: so.Mapped[SessionType] = so.mapped_column(
        enum_column(SessionType), default=SessionType.PLENARY
    )
    starts_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    ends_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    room_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("room.id", ondelete="SET NULL"), index=True
    )
    track_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("track.id", ondelete="SET NULL")
    )
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The description as plain text, kept in step by an attribute event: feeds never parse it.
    description_text: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    language: so.Mapped[str] = so.mapped_column(sa.String(10), default="en")
    access: so.Mapped[SessionAccess] = so.mapped_column(
        enum_column(SessionAccess), default=SessionAccess.PUBLIC
    )
    chatham_house: so.Mapped[bool] = so.mapped_column(default=False)
    status: so.Mapped[SessionStatus] = so.mapped_column(
        enum_column(SessionStatus), default=SessionStatus.SCHEDULED
    )
    capacity: so.Mapped[int | None] = so.mapped_column()
    online_url: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    # Change counter and last-modified time: SEQUENCE and LAST-MODIFIED in the feeds.
    sequence: so.Mapped[int] = so.mapped_column(default=0)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    edition: so.Mapped[Edition] = so.relationship(back_populates="sessions")
    room: so.Mapped[Room | None] = so.relationship()
    track: so.Mapped[Track | None] = so.relationship()
    speaker_links: so.Mapped[list["SessionSpeaker"]] = so.relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="SessionSpeaker.position",
    )

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_starts"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("sequence >= 0", name="sequence_non_negative"),
        sa.Index("ix_session_edition_starts", "edition_id", "starts_at"),
    )


    def overlaps(self, other: "Session") -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


@sa.event.listens_for(Session.description, "set")
def _session_description_text(target: Session, value: str | None, _old, _initiator) -> None:
    target.description_text = plain_text(value or "")


@sa.event.listens_for(Speaker.bio, "set")
def _speaker_bio_text(target: Speaker, value: str | None, _old, _initiator) -> None:
    target.bio_text = plain_text(value or "")


class SessionSpeaker(db.Model):
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("session.id", ondelete="CASCADE"), primary_key=True
    )
    speaker_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("speaker.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: so.Mapped[SpeakerRole] = so.mapped_column(
        enum_column(SpeakerRole), default=SpeakerRole.SPEAKER
    )
    position: so.Mapped[int] = so.mapped_column(default=0)

    session: so.Mapped[Session] = so.relationship(back_populates="speaker_links")
    speaker: so.Mapped[Speaker] = so.relationship(back_populates="appearances")


class AuditEntry(db.Model):
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    edition_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="SET NULL"), index=True
    )
    action: so.Mapped[str] = so.mapped_column(sa.String(60))
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    user: so.Mapped[User | None] = so.relationship()
    edition: so.Mapped[Edition | None] = so.relationship()


class FeedCache(db.Model):
    """A built feed or schedule body, shared by every worker until its content version moves."""

    key: so.Mapped[str] = so.mapped_column(sa.String(120), primary_key=True)
    edition_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("edition.id", ondelete="CASCADE"), index=True
    )
    # What the body was built from (edition revision and site settings); a mismatch rebuilds.
    version: so.Mapped[str] = so.mapped_column(sa.String(64))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(80))
    etag: so.Mapped[str] = so.mapped_column(sa.String(64))
    last_modified: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    built_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    body: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)
    gzip_body: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)
