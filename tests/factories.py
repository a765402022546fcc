"""Build objects for tests directly through the models (services are tested on their own)."""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from meetings.extensions import db
from meetings.models import (
    Edition,
    EditionStatus,
    Room,
    Session,
    SessionSpeaker,
    Speaker,
    Track,
    User,
    Venue,
)
from meetings.registration import configuration
from meetings.registration.models import RegistrationCategory, RegistrationMode


def make_user(email="organizer@example.org", password="correct horse battery", is_admin=False,
              edition_ids=()) -> User:
    user = User(email=email, name=email.split("@")[0], is_admin=is_admin)
    user.set_password(password)
    if edition_ids:
        chosen = sa.select(Edition).where(Edition.id.in_(edition_ids))
        user.editions = list(db.session.scalars(chosen))
    db.session.add(user)
    db.session.flush()
    return user


def make_venue(name="World Forum", timezone="Europe/Amsterdam",
               rooms=("Main Hall", "Room B")) -> Venue:
    venue = Venue(name=name, address="Churchillplein 10", city="The Hague", country="NL",
                  timezone=timezone, latitude=52.0894, longitude=4.2829,
                  accessibility_notes="Step-free access at the main entrance.")
    venue.rooms = [Room(name=room, capacity=200, floor="0") for room in rooms]
    db.session.add(venue)
    db.session.flush()
    return venue


def make_edition(slug="2027", starts_on=date(2027, 3, 28), days=2, timezone="Europe/Amsterdam",
                 status=EditionStatus.PUBLISHED, venue=None, ordinal=5, title=None) -> Edition:
    edition = Edition(
        ordinal=ordinal,
        title=title or f"Global Meeting on AI for Law Enforcement {slug}",
        slug=slug,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1),
        timezone=timezone,
        venue=venue,
        status=status,
        description="An illustrative edition for tests.",
    )
    db.session.add(edition)
    db.session.flush()
    return edition


def make_track(edition, name="Policy", colour="#1f5fa8") -> Track:
    track = Track(edition=edition, name=name, slug=name.lower().replace(" ", "-"), colour=colour)
    db.session.add(track)
    db.session.flush()
    return track


def make_speaker(edition, name="Ada Lovelace", organization="INTERPOL", country="FR") -> Speaker:
    speaker = Speaker(edition=edition, name=name, organization=organization, country=country,
                      title="Head of Innovation", bio="Works on responsible AI.")
    db.session.add(speaker)
    db.session.flush()
    return speaker


def make_session(edition, title="Opening keynote", starts_at=None, minutes=60, room=None,
                 track=None, speakers=(), now=None, **fields) -> Session:
    starts_at = starts_at or datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    stamp = now or datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
    session = Session(edition=edition, title=title, starts_at=starts_at,
                      ends_at=starts_at + timedelta(minutes=minutes), room=room, track=track,
                      created_at=stamp, updated_at=stamp, **fields)
    session.speaker_links = [SessionSpeaker(speaker=s, position=i) for i, s in enumerate(speakers)]
    db.session.add(session)
    db.session.flush()
    return session


def open_registration(edition: Edition, *, now: datetime, capacity: int | None = None,
                      mode: RegistrationMode = RegistrationMode.OPEN,
                      auto_promote: bool = True) -> None:
    """Set up the edition's registration, open from a day before `now` for 30 days."""
    configuration.set_up(edition, now=now)
    configuration.update_settings(edition, opens_at=now - timedelta(days=1),
                          closes_at=now + timedelta(days=30), capacity=capacity, mode=mode,
                          auto_promote=auto_promote, privacy_notice="We keep your data safe.",
                          now=now)


def registration_category(edition: Edition, code: str = "government") -> RegistrationCategory:
    return db.session.scalar(sa.select(RegistrationCategory).where(
        RegistrationCategory.edition_id == edition.id, RegistrationCategory.code == code))
