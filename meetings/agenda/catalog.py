"""Track and speaker rules: unique names and slugs per edition, colours, countries."""

import re
import unicodedata
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings.agenda.models import TrackSlug
from meetings.agenda.service import bump
from meetings.countries import is_country_code
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.i18n import gettext as _
from meetings.models import Edition, Session, SessionSpeaker, Speaker, Track

COLOUR = re.compile(r"^#[0-9a-f]{6}$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """'Ethics & Human Rights' -> 'ethics-human-rights' (ASCII letters, digits and hyphens)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:50] or "track"


def tracks_for(edition: Edition) -> sa.Select:
    return sa.select(Track).where(Track.edition_id == edition.id).order_by(Track.name)


def speakers_for(edition: Edition) -> sa.Select:
    return sa.select(Speaker).where(Speaker.edition_id == edition.id).order_by(Speaker.name)


def sessions_of_track(track: Track) -> sa.Select:
    return sa.select(Session).where(Session.track_id == track.id).order_by(Session.starts_at)


def sessions_of_speaker(speaker: Speaker) -> sa.Select:
    return (sa.select(Session).join(SessionSpeaker)
            .where(SessionSpeaker.speaker_id == speaker.id).order_by(Session.starts_at))


def create_track(edition: Edition, *, name: str, colour: str, slug: str = "",
                 now: datetime) -> Track:
    """Add a track; its slug comes from the name unless one is given."""
    name = checked_track_name(edition, name, None)
    slug = checked_slug(edition, slug, None) if slug else free_slug(edition, slugify(name))
    track = Track(edition_id=edition.id, name=name, slug=slug, colour=checked_colour(colour))
    db.session.execute(sa.delete(TrackSlug).where(TrackSlug.edition_id == edition.id,
                                                  TrackSlug.slug == slug))
    db.session.add(track)
    db.session.flush()
    edition.touch(now)
    return track


def update_track(track: Track, *, name: str, colour: str, slug: str = "",
                 now: datetime) -> None:
    """Rename or recolour a track; its sessions change (feed categories) when the name does."""
    edition = track.edition
    name = checked_track_name(edition, name, track.id)
    slug = checked_slug(edition, slug, track.id) if slug else track.slug
    colour = checked_colour(colour)
    if (name, slug, colour) == (track.name, track.slug, track.colour):
        return
    if name != track.name:
        for session in db.session.scalars(sessions_of_track(track)):
            bump(session, now)
    if slug != track.slug:
        remember_slug(track, slug)
    track.name, track.slug, track.colour = name, slug, colour
    edition.touch(now)
    db.session.flush()


def remember_slug(track: Track, new_slug: str) -> None:
    """Keep the slug the track leaves, so its old feed address redirects to the new one."""
    db.session.execute(sa.delete(TrackSlug).where(
        TrackSlug.edition_id == track.edition_id,
        TrackSlug.slug.in_([track.slug, new_slug])))
    db.session.add(TrackSlug(edition_id=track.edition_id, slug=track.slug, track_id=track.id))


def renamed_track(edition_id: int, slug: str) -> Track | None:
    """The track that once had this slug in the edition (None if no track ever had it)."""
    return db.session.scalar(sa.select(Track).join(TrackSlug, TrackSlug.track_id == Track.id)
                             .where(TrackSlug.edition_id == edition_id, TrackSlug.slug == slug))


def delete_track(track: Track, *, now: datetime) -> int:
    """Delete a track; its sessions stay, without a track. Returns how many lost it."""
    sessions = db.session.scalars(sessions_of_track(track)).all()
    for session in sessions:
        session.track = None
        bump(session, now)
    track.edition.touch(now)
    db.session.delete(track)
    db.session.flush()
    return len(sessions)


def checked_track_name(edition: Edition, name: str, track_id: int | None) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    query = sa.select(Track.id).where(Track.edition_id == edition.id,
                                      sa.func.lower(Track.name) == name.lower())
    if track_id is not None:
        query = query.where(Track.id != track_id)
    if db.session.scalar(query) is not None:
        raise DomainError(_("This edition already has a track with this name."), field="name")
    return name


def checked_slug(edition: Edition, slug: str, track_id: int | None) -> str:
    if not SLUG.match(slug) or len(slug) > 60:
        raise DomainError(_("Use lowercase letters, digits and hyphens only."), field="slug")
    if slug_taken(edition, slug, track_id):
        raise DomainError(_("Another track of this edition uses this address name."),
                          field="slug")
    return slug


def slug_taken(edition: Edition, slug: str, track_id: int | None) -> bool:
    query = sa.select(Track.id).where(Track.edition_id == edition.id, Track.slug == slug)
    if track_id is not None:
        query = query.where(Track.id != track_id)
    return db.session.scalar(query) is not None


def free_slug(edition: Edition, base: str) -> str:
    """`base`, or `base-2`, `base-3`… whichever is not yet used in the edition."""
    slug, number = base, 1
    while slug_taken(edition, slug, None):
        number += 1
        slug = f"{base}-{number}"
    return slug


def checked_colour(colour: str) -> str:
    colour = (colour or "").strip().lower()
    if not COLOUR.match(colour):
        raise DomainError(_("Use a colour like #1f5fa8."), field="colour")
    return colour


SPEAKER_FIELDS = ("name", "title", "organization", "country", "bio")


def create_speaker(edition: Edition, *, now: datetime, **fields: str) -> Speaker:
    """Add a speaker to the edition."""
    speaker = Speaker(edition_id=edition.id, **checked_speaker_fields(fields))
    db.session.add(speaker)
    db.session.flush()
    edition.touch(now)
    return speaker


def update_speaker(speaker: Speaker, *, now: datetime, **fields: str) -> None:
    """Change a speaker; their sessions change too (feeds list speakers and organizations)."""
    values = checked_speaker_fields(fields)
    if all(getattr(speaker, name) == value for name, value in values.items()):
        return
    for name, value in values.items():
        setattr(speaker, name, value)
    for session in db.session.scalars(sessions_of_speaker(speaker)):
        bump(session, now)
    speaker.edition.touch(now)
    db.session.flush()


def delete_speaker(speaker: Speaker, *, now: datetime) -> int:
    """Delete a speaker and take them off their sessions. Returns how many sessions changed."""
    sessions = db.session.scalars(sessions_of_speaker(speaker).options(
        so.selectinload(Session.speaker_links))).all()
    for session in sessions:
        session.speaker_links = [link for link in session.speaker_links
                                 if link.speaker_id != speaker.id]
        for position, link in enumerate(session.speaker_links):
            link.position = position
        bump(session, now)
    speaker.edition.touch(now)
    db.session.delete(speaker)
    db.session.flush()
    return len(sessions)


def checked_speaker_fields(fields: dict[str, str]) -> dict[str, str]:
    values = {name: (fields.get(name) or "").strip() for name in SPEAKER_FIELDS}
    if not values["name"]:
        raise DomainError(_("Enter a name."), field="name")
    values["country"] = values["country"].upper()
    if values["country"] and not is_country_code(values["country"]):
        raise DomainError(_("Choose a country from the list."), field="country")
    return values
