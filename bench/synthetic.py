"""A synthetic edition of N sessions, shared by the agenda and feed benchmarks.

Three days of 30-minute slots from 09:00 (Europe/Amsterdam), max(3, ceil(N/48)) rooms, 4 tracks,
one speaker per session and a second one on every fifth session.
"""

import math
from datetime import datetime, time, timedelta

from meetings.dates import to_utc
from meetings.extensions import db
from meetings.models import (
    Edition,
    EditionStatus,
    Room,
    Session,
    SessionSpeaker,
    SessionType,
    Speaker,
    SpeakerRole,
    Track,
    Venue,
)

ZONE = "Europe/Amsterdam"
DAYS = 3
SLOTS_PER_DAY = 16  # 09:00 to 17:00 in 30-minute slots: 48 slots per room over three days
SLOT = timedelta(minutes=30)
TRACKS = [
    ("Policy & Governance", "#1f5fa8"),
    ("Technology & Tools", "#6a3d9a"),
    ("Operations & Investigations", "#a4262c"),
    ("Capacity Building", "#1e6b34"),
]
TYPES = [SessionType.PLENARY, SessionType.PANEL, SessionType.WORKSHOP, SessionType.KEYNOTE]
ORGANIZATIONS = ["UNICRI", "INTERPOL", "Europol", "Dutch National Police", "Leiden University"]
DESCRIPTION = (
    "A synthetic session for benchmarks. It has **some Markdown**, a [link](https://example.org) "
    "and a second sentence so the text is not trivially short."
)


def room_count(n: int) -> int:
    """max(3, ceil(n / 48)) rooms: enough for n sessions in 48 slots each."""
    return max(3, math.ceil(n / (DAYS * SLOTS_PER_DAY)))


def build_synthetic_edition(n: int, now: datetime) -> Edition:
    """A published edition of `n` sessions starting 30 days after `now` (flushed, not committed)."""
    starts_on = now.date() + timedelta(days=30)
    venue = Venue(name=f"Benchmark Centre {n}", address="Churchillplein 10", city="The Hague",
                  country="NL", timezone=ZONE, latitude=52.0894, longitude=4.2829)
    rooms = [Room(name=f"Room {i + 1:02d}", capacity=100, floor="0") for i in range(room_count(n))]
    venue.rooms = rooms
    edition = Edition(
        ordinal=100 + n, title=f"Benchmark edition with {n} sessions", slug=f"bench-{n}",
        starts_on=starts_on, ends_on=starts_on + timedelta(days=DAYS - 1), timezone=ZONE,
        venue=venue, status=EditionStatus.PUBLISHED, description="Synthetic data.",
        created_at=now, updated_at=now,
    )
    edition.tracks = [Track(name=name, slug=f"track-{i + 1}", colour=colour)
                      for i, (name, colour) in enumerate(TRACKS)]
    speakers = [Speaker(edition=edition, name=f"Speaker {i + 1:04d}", title="Officer",
                        organization=ORGANIZATIONS[i % len(ORGANIZATIONS)], country="NL",
                        bio="A synthetic speaker.") for i in range(n)]
    db.session.add(edition)
    for k in range(n):
        db.session.add(synthetic_session(edition, rooms, speakers, k, now))
    db.session.flush()
    return edition


def synthetic_session(edition: Edition, rooms: list[Room], speakers: list[Speaker], k: int,
                      now: datetime) -> Session:
    """Session k: room k mod rooms, slot k div rooms; a second speaker on every fifth."""
    slot = k // len(rooms)
    day, index = divmod(slot, SLOTS_PER_DAY)
    local = datetime.combine(edition.starts_on + timedelta(days=day), time(9)) + index * SLOT
    starts_at = to_utc(local, edition.timezone)
    session = Session(
        edition=edition, title=f"Synthetic session {k + 1:04d}", type=TYPES[k % len(TYPES)],
        starts_at=starts_at, ends_at=starts_at + SLOT, room=rooms[k % len(rooms)],
        track=edition.tracks[k % len(edition.tracks)], description=DESCRIPTION,
        created_at=now, updated_at=now,
    )
    links = [SessionSpeaker(speaker=speakers[k], role=SpeakerRole.SPEAKER, position=0)]
    if k % 5 == 4:
        # The speaker of the same room's next slot: a second speaker with no clash in time.
        other = speakers[(k + len(rooms)) % len(speakers)]
        links.append(SessionSpeaker(speaker=other, role=SpeakerRole.PANELLIST, position=1))
    session.speaker_links = links
    return session
