"""The exporters (iCalendar, frab) tested without the app: model objects built in memory, never
saved, with fixed ids and times; and byte-exact snapshots of what the exporters make of them."""

import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from meetings.models import (
    Edition,
    EditionStatus,
    Room,
    Session,
    SessionAccess,
    SessionSpeaker,
    SessionStatus,
    SessionType,
    Speaker,
    SpeakerRole,
    Track,
    Venue,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
CREATED = datetime(2027, 1, 5, 9, 30, tzinfo=UTC)
SITE = "https://meetings.example.org"


def make_venue(timezone="Europe/Amsterdam", name="World Forum", rooms=("Main Hall", "Room B"),
               city="The Hague", country="NL", address="Churchillplein 10") -> Venue:
    venue = Venue(name=name, address=address, city=city, country=country, timezone=timezone,
                  latitude=52.0894, longitude=4.2829)
    venue.rooms = [Room(id=i + 1, name=room, capacity=200) for i, room in enumerate(rooms)]
    return venue


def make_edition(slug="2027", starts_on=date(2027, 3, 28), days=2, timezone="Europe/Amsterdam",
                 venue=None, status=EditionStatus.PUBLISHED, revision=3) -> Edition:
    return Edition(id=1, ordinal=5, slug=slug,
                   title=f"Global Meeting on AI for Law Enforcement {slug}",
                   starts_on=starts_on, ends_on=starts_on + timedelta(days=days - 1),
                   timezone=timezone, venue=venue, status=status, revision=revision,
                   description="The **fifth** edition.", created_at=CREATED, updated_at=NOW)


def make_session(edition, number, title, starts_at, minutes=60, room=None, track=None,
                 speakers=(), **fields) -> Session:
    values = dict(type=SessionType.PANEL, access=SessionAccess.PUBLIC,
                  status=SessionStatus.SCHEDULED, sequence=0, language="en", description="",
                  online_url="", created_at=CREATED, updated_at=CREATED + timedelta(days=1))
    values.update(fields)
    session = Session(id=number, uid=f"6f1c{number:04d}-0000-4000-8000-{number:012d}",
                      edition=edition, title=title, starts_at=starts_at,
                      ends_at=starts_at + timedelta(minutes=minutes), room=room, track=track,
                      **values)
    session.speaker_links = [SessionSpeaker(speaker=speaker, role=role, position=i)
                             for i, (speaker, role) in enumerate(speakers)]
    return session


def sample_agenda():
    """A small edition with what a feed must handle: closed, cancelled, Arabic, DST day."""
    venue = make_venue()
    edition = make_edition(venue=venue)
    policy = Track(id=1, name="Policy, Law; Ethics", slug="policy", colour="#1f5fa8")
    edition.tracks = [policy]
    ada = Speaker(id=1, name="Ada Lovelace", organization="INTERPOL", bio="Works on AI.")
    alan = Speaker(id=2, name="Alan Turing", organization="", bio="")
    main, room_b = venue.rooms
    sessions = [
        make_session(edition, 1, "Opening keynote", datetime(2027, 3, 28, 8, 0, tzinfo=UTC),
                     room=main, track=policy, type=SessionType.KEYNOTE,
                     speakers=[(ada, SpeakerRole.SPEAKER), (alan, SpeakerRole.MODERATOR)],
                     description="Commas, semicolons; a backslash \\ and\n\nsecond paragraph.",
                     online_url="https://stream.example.org/secret-link"),
        make_session(edition, 2, "Heads of unit (closed)",
                     datetime(2027, 3, 28, 9, 30, tzinfo=UTC), room=room_b,
                     access=SessionAccess.CLOSED, speakers=[(ada, SpeakerRole.SPEAKER)],
                     description="Confidential agenda item."),
        make_session(edition, 3, "الذكاء الاصطناعي وإنفاذ القانون",
                     datetime(2027, 3, 29, 7, 0, tzinfo=UTC), minutes=90, room=main,
                     status=SessionStatus.CANCELLED, sequence=2),
        make_session(edition, 4, "Night session 🌙 人工智能",
                     datetime(2027, 3, 28, 21, 30, tzinfo=UTC), minutes=120, room=None),
    ]
    return edition, sessions


def singapore_edition():
    venue = make_venue("Asia/Singapore", name="INTERPOL Global Complex for Innovation",
                       rooms=("Auditorium",), city="Singapore", country="SG",
                       address="18 Napier Road, Singapore 258510")
    edition = make_edition(slug="2026", starts_on=date(2026, 11, 3), timezone="Asia/Singapore",
                           venue=venue)
    edition.id = 2
    return edition, [
        make_session(edition, 10 + i, f"Session {i}", datetime(2026, 11, 3, 1, tzinfo=UTC)
                     + timedelta(hours=2 * i), room=venue.rooms[0]) for i in range(4)
    ] + [make_session(edition, 20, "Late networking", datetime(2026, 11, 3, 15, 30, tzinfo=UTC),
                      minutes=90, room=venue.rooms[0], type=SessionType.NETWORKING)]


def thousand_sessions():
    venue = make_venue(rooms=tuple(f"Room {i}" for i in range(21)))
    edition = make_edition(venue=venue, days=3)
    tracks = [Track(id=i, name=f"Track {i}", slug=f"track-{i}") for i in range(4)]
    speakers = [Speaker(id=i, name=f"Speaker {i}", organization="UNICRI") for i in range(1000)]
    start = datetime(2027, 3, 28, 7, 0, tzinfo=UTC)
    return edition, [
        make_session(edition, i + 1, f"Session {i}: AI, policing; rights", start
                     + timedelta(days=i // 400, minutes=30 * (i % 20)), minutes=30,
                     room=venue.rooms[(i // 20) % 21], track=tracks[i % 4],
                     speakers=[(speakers[i], SpeakerRole.SPEAKER)],
                     description=f"Abstract {i}: text, with; punctuation \\ and\nlines.")
        for i in range(1000)
    ]


def check_snapshot(name: str, body: bytes) -> None:
    """Byte-exact comparison; UPDATE_SNAPSHOTS=1 rewrites the file after a deliberate change."""
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_bytes(body)
    assert body == path.read_bytes()
