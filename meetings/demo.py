"""Demo data: the four past editions and one upcoming edition whose dates follow `now`.

Edition dates, places and host events are real; sessions, speakers and rooms are invented
and every edition's description says so.
"""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from meetings.accounts.service import create_user
from meetings.badges.demo import add_demo_badges
from meetings.checkin.demo import add_demo_checkins
from meetings.dates import to_utc
from meetings.delegations.demo import add_demo_delegations
from meetings.errors import DomainError
from meetings.extensions import db
from meetings.mail_site import MailSite
from meetings.models import (
    Edition,
    EditionFormat,
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
    User,
    Venue,
)
from meetings.registration import configuration as registration_setup
from meetings.registration.models import RegistrationMode
from meetings.visas.demo import add_demo_visas

DEMO_ADMIN_EMAIL = "admin@example.org"
DEMO_ADMIN_PASSWORD = "meetings-demo"
TITLE = "Global Meeting on Artificial Intelligence for Law Enforcement"
ILLUSTRATIVE = (
    "Agenda content shown here is illustrative: the sessions and speakers are invented "
    "for this demonstration."
)
UPCOMING_LEAD_DAYS = 60

K, P, PANEL, W, SIDE, BREAK, NET = (
    SessionType.KEYNOTE, SessionType.PLENARY, SessionType.PANEL, SessionType.WORKSHOP,
    SessionType.SIDE_EVENT, SessionType.BREAK, SessionType.NETWORKING,
)

VENUES = {
    "gci": dict(
        name="INTERPOL Global Complex for Innovation", address="18 Napier Road, Singapore 258510",
        city="Singapore", country="SG", timezone="Asia/Singapore", latitude=1.3067,
        longitude=103.8187, rooms=[("Auditorium", 300, "1"), ("Meeting Room 2", 80, "2")],
        accessibility_notes="Step-free access from the main entrance on Napier Road.",
    ),
    "suntec": dict(
        name="Suntec Singapore Convention & Exhibition Centre",
        address="1 Raffles Boulevard, Suntec City, Singapore 039593", city="Singapore",
        country="SG", timezone="Asia/Singapore", latitude=1.2936, longitude=103.8573,
        rooms=[("Summit 2", 400, "3")],
        accessibility_notes="Lifts and accessible toilets on every level.",
    ),
    "world-forum": dict(
        name="World Forum The Hague", address="Churchillplein 10, 2517 JW Den Haag",
        city="The Hague", country="NL", timezone="Europe/Amsterdam", latitude=52.0894,
        longitude=4.2829,
        rooms=[("Main Hall", 800, "0"), ("Room Europe", 200, "1"), ("Room Asia", 120, "1")],
        accessibility_notes=(
            "Step-free entrance at Churchillplein with lifts to every floor. Accessible toilets "
            "on each level. Induction loops in the Main Hall and Room Europe. Reserved seating "
            "for wheelchair users; tell the organizers about other needs when you register."
        ),
    ),
}

# (ordinal, slug, start, days, venue key or None, zone, format, host event, summary, sessions)
# Session rows: (day index, "HH:MM", minutes, title, type, room or None[, track, speakers]).
# The 3rd edition was online only. Its times are kept in Europe/Amsterdam, the zone of UNICRI's
# Centre for AI and Robotics in The Hague that co-organized it: 14:00-18:00 there is afternoon in
# Europe and Africa, evening in Asia and morning in the Americas, which is why that slot was chosen.
PAST_EDITIONS = [
    (1, "2018", date(2018, 7, 11), 2, "gci", "Asia/Singapore", EditionFormat.IN_PERSON, "",
     "The first meeting brought police services, international organizations, industry and "
     "academia together to map how AI and robotics could serve law enforcement.", [
         (0, "09:00", 60, "Opening and welcome", K, "Auditorium", None, ["amara", "lukas"]),
         (0, "10:30", 90, "AI and robotics: opportunities for policing", P, "Auditorium"),
         (0, "14:00", 90, "Use cases from police services", PANEL, "Auditorium", None,
          ["mei:m", "pieter:p", "kwame:p"]),
         (1, "09:30", 120, "Risks, ethics and public trust", P, "Auditorium"),
         (1, "14:00", 60, "Conclusions and next steps", P, "Auditorium"),
     ]),
    (2, "2019", date(2019, 7, 3), 2, "suntec", "Asia/Singapore", EditionFormat.IN_PERSON,
     "INTERPOL World 2019",
     "Held within INTERPOL World 2019, the second meeting looked at the use of AI by police "
     "services and the responsible-use principles it calls for.", [
         (0, "10:00", 60, "Keynote: AI in practice across police services", K, "Summit 2", None,
          ["lukas"]),
         (0, "11:30", 90, "Country experiences with AI tools", PANEL, "Summit 2", None,
          ["sofia:m", "daniel:p", "hyun:p"]),
         (1, "10:00", 90, "Towards responsible use of AI by law enforcement", P, "Summit 2"),
         (1, "14:00", 60, "Closing session", P, "Summit 2"),
     ]),
    (3, "2020", date(2020, 11, 23), 5, None, "Europe/Amsterdam", EditionFormat.VIRTUAL, "",
     "Held online over five afternoons during the COVID-19 pandemic.", [
         (0, "14:00", 240, "Day 1: AI and the pandemic: new crimes, new tools", P, None),
         (1, "14:00", 240, "Day 2: Facial recognition and biometrics", P, None),
         (2, "14:00", 240, "Day 3: Responsible AI innovation", P, None),
         (3, "14:00", 240, "Day 4: Capacity building and partnerships", P, None),
         (4, "14:00", 240, "Day 5: Conclusions and the way forward", P, None),
     ]),
    (4, "2024", date(2024, 2, 20), 3, "gci", "Asia/Singapore", EditionFormat.IN_PERSON, "",
     "The fourth meeting focused on putting responsible AI innovation into practice.", [
         (0, "09:00", 60, "Opening keynote", K, "Auditorium", None, ["amara"]),
         (0, "10:30", 90, "Generative AI: threats and opportunities", PANEL, "Auditorium", None,
          ["jonas:m", "aiko:p", "fatima:p"]),
         (1, "09:30", 120, "Operationalizing responsible AI", W, "Meeting Room 2"),
         (1, "14:00", 90, "Regional roundtables", P, "Meeting Room 2"),
         (2, "10:00", 60, "Closing plenary", P, "Auditorium"),
     ]),
]

TRACKS = [
    ("Policy & Governance", "policy-governance", "#1f5fa8"),
    ("Technology & Tools", "technology-tools", "#6a3d9a"),
    ("Operations & Investigations", "operations-investigations", "#a4262c"),
    ("Capacity Building", "capacity-building", "#1e6b34"),
]

# (key, name, title, organization, country). Invented people: any likeness is accidental.
SPEAKERS = [
    ("amara", "Amara Okafor", "Director", "UNICRI", "NG"),
    ("lukas", "Lukas Brandt", "Head of Innovation", "INTERPOL", "DE"),
    ("mei", "Mei Ling Tan", "Senior Analyst", "INTERPOL", "SG"),
    ("pieter", "Pieter van Dijk", "Chief Data Officer", "Dutch National Police", "NL"),
    ("sofia", "Sofía Ramírez", "Programme Officer", "UNICRI", "CO"),
    ("jonas", "Jonas Lindqvist", "Head of Analysis", "Europol", "SE"),
    ("aiko", "Aiko Nakamura", "Professor of Computer Science", "Leiden University", "JP"),
    ("kwame", "Kwame Mensah", "Superintendent", "Ghana Police Service", "GH"),
    ("isabelle", "Isabelle Moreau", "Legal Adviser", "Europol", "FR"),
    ("rahul", "Rahul Iyer", "Research Fellow", "National University of Singapore", "IN"),
    ("fatima", "Fatima Al-Harbi", "Cybercrime Investigator", "INTERPOL", "SA"),
    ("daniel", "Daniel Costa", "Federal Police Commissioner", "Brazilian Federal Police", "BR"),
    ("grace", "Grace Wanjiru", "Human Rights Officer", "Kenya National Police Service", "KE"),
    ("tom", "Tom Whitfield", "Professor of Law", "University of Cape Town", "ZA"),
    ("elena", "Elena Petrova", "Digital Forensics Lead", "Europol", "BG"),
    ("hyun", "Hyun-woo Park", "Inspector", "Korean National Police Agency", "KR"),
    ("nadia", "Nadia Benali", "Policy Researcher", "Tilburg University", "MA"),
    ("marco", "Marco Rossi", "Training Coordinator", "UNICRI", "IT"),
]

# Upcoming edition. (day, "HH:MM", minutes, title, type, room, track, speakers, extra fields).
# Speakers are keys with an optional role: "key" (speaker), "key:m" (moderator),
# "key:p" (panellist).
CLOSED = {"access": SessionAccess.CLOSED}
UPCOMING_SESSIONS = [
    (0, "08:30", 30, "Registration and welcome coffee", BREAK, None, None, [], {}),
    (0, "09:00", 30, "Opening ceremony", P, "Main Hall", None, ["amara", "lukas"], {}),
    (0, "09:30", 45, "Keynote: Responsible AI innovation in policing", K, "Main Hall",
     "policy-governance", ["amara"], {}),
    (0, "10:15", 30, "Coffee break", BREAK, None, None, [], {}),
    (0, "10:45", 75, "Panel: Governing AI in law enforcement, from principles to practice",
     PANEL, "Main Hall", "policy-governance",
     ["sofia:m", "isabelle:p", "tom:p", "grace:p", "pieter:p"], {}),
    (0, "10:45", 75, "Workshop: Assessing an AI system with the Responsible AI Toolkit", W,
     "Room Europe", "capacity-building", ["marco", "sofia"],
     {"capacity": 30, "access": SessionAccess.REGISTERED}),
    (0, "10:45", 75, "Detecting synthetic media in investigations", P, "Room Asia",
     "technology-tools", ["aiko", "elena"], {}),
    (0, "12:00", 90, "Lunch", BREAK, None, None, [], {}),
    (0, "13:30", 75, "AI-assisted triage of child sexual abuse material", P, "Room Asia",
     "operations-investigations", ["fatima", "elena"], CLOSED),
    (0, "13:30", 75, "Public trust and the police use of AI", PANEL, "Main Hall",
     "policy-governance", ["nadia:m", "grace:p", "daniel:p", "jonas:p"],
     {"chatham_house": True}),
    (0, "13:30", 75, "Open-source intelligence tooling: what works", P, "Room Europe",
     "technology-tools", ["jonas", "hyun"], {}),
    (0, "14:45", 30, "Coffee break", BREAK, None, None, [], {}),
    (0, "15:15", 75, "Building AI capability in small police services", P, "Room Europe",
     "capacity-building", ["kwame", "marco"], {}),
    (0, "15:15", 75, "Facial recognition: accuracy, bias and oversight", PANEL, "Main Hall",
     "policy-governance", ["tom:m", "aiko:p", "isabelle:p", "hyun:p"], {}),
    (0, "15:15", 75, "Predictive analytics for patrol planning", P, "Room Asia",
     "operations-investigations", ["pieter"], {"status": SessionStatus.CANCELLED}),
    (0, "16:30", 30, "Day one wrap-up", P, "Main Hall", None, ["mei"], {}),
    (0, "17:30", 90, "Networking reception", NET, None, None, [], {}),
    (1, "09:00", 45, "Keynote: AI and the future of transnational crime", K, "Main Hall",
     "operations-investigations", ["lukas"], {}),
    (1, "09:45", 75, "Cross-border cooperation against AI-enabled crime", PANEL, "Main Hall",
     "operations-investigations", ["mei:m", "jonas:p", "daniel:p", "fatima:p"], {}),
    (1, "09:45", 75, "Large language models for case-file analysis", P, "Room Europe",
     "technology-tools", ["rahul", "aiko"], {}),
    (1, "09:45", 75, "Digital forensics at scale", P, "Room Asia",
     "operations-investigations", ["elena", "hyun"], {}),
    (1, "11:00", 30, "Coffee break", BREAK, None, None, [], {}),
    (1, "11:30", 75, "Human-rights impact assessments for AI procurement", P, "Main Hall",
     "policy-governance", ["grace", "nadia"], {}),
    (1, "11:30", 75, "An AI literacy curriculum for police academies", P, "Room Europe",
     "capacity-building", ["marco", "kwame"], {}),
    (1, "11:30", 75, "Ransomware and AI-assisted cybercrime", P, "Room Asia",
     "operations-investigations", ["fatima", "rahul"], {}),
    (1, "12:45", 75, "Lunch", BREAK, None, None, [], {}),
    (1, "13:00", 45, "Side event: Women in law-enforcement technology", SIDE, "Room Europe",
     "capacity-building", ["sofia", "mei"], {"capacity": 60}),
    (1, "14:00", 75, "Data governance for police AI", P, "Main Hall", "policy-governance",
     ["isabelle", "pieter"], {}),
    (1, "14:00", 75, "Evaluating vendor claims about AI tools", P, "Room Europe",
     "technology-tools", ["aiko", "rahul"], {}),
    (1, "14:00", 75, "Regional perspectives: Africa, the Americas and Asia-Pacific", PANEL,
     "Room Asia", "capacity-building", ["kwame:m", "daniel:p", "hyun:p", "grace:p"], {}),
    (1, "15:15", 30, "Coffee break", BREAK, None, None, [], {}),
    (1, "15:45", 60, "Closing plenary: outcomes and next steps", P, "Main Hall", None,
     ["amara", "lukas"], {}),
]

ROLES = {"": SpeakerRole.SPEAKER, "m": SpeakerRole.MODERATOR, "p": SpeakerRole.PANELLIST}
DESCRIPTIONS = {
    K: "A keynote address setting out the themes of the meeting.",
    P: "Presentations followed by questions from the floor.",
    PANEL: "A moderated discussion with questions from participants.",
    W: "A hands-on session in small groups. Seats are limited; bring a laptop.",
    SIDE: "An informal lunchtime side event open to all participants.",
    BREAK: "",
    NET: "Drinks and conversation with participants from around the world.",
}


def load_demo(now: datetime, *, badge_secret: str, visa_key: bytes | None,
              site: MailSite, demo_accounts: bool = False) -> list[Edition]:
    """Add the demo editions, venues, tracks, speakers and sessions (flushes, never commits).

    Demo badges are signed with `badge_secret` and demo passports sealed under `visa_key` (none
    are added without one); `site` is for any mail opening registration would queue. With
    `demo_accounts` (only on a database that had no account) a demo focal point gets an account
    with the demo password; otherwise its invitation stays unaccepted."""
    start = upcoming_start(now)
    upcoming_slug = str(start.year)
    past_slugs = {row[1] for row in PAST_EDITIONS}
    if upcoming_slug in past_slugs:
        upcoming_slug = f"{start.year}-the-hague"
    taken = db.session.scalars(
        sa.select(Edition.slug).where(Edition.slug.in_(past_slugs | {upcoming_slug}))
    ).all()
    if taken:
        raise DomainError(f"Editions {', '.join(sorted(taken))} already exist; demo not loaded.")
    venues = {key: build_venue(**fields) for key, fields in VENUES.items()}
    editions = [load_past_edition(row, venues, now) for row in PAST_EDITIONS]
    upcoming = load_upcoming_edition(upcoming_slug, start, venues["world-forum"], now)
    editions.append(upcoming)
    db.session.flush()
    open_registration(upcoming, now, site=site)
    add_demo_badges(upcoming, secret=badge_secret, now=now)
    add_demo_checkins(upcoming, now=now)
    add_demo_delegations(upcoming, password=DEMO_ADMIN_PASSWORD if demo_accounts else None,
                         now=now)
    add_demo_visas(upcoming, key=visa_key, now=now)
    return editions


def open_registration(edition: Edition, now: datetime, *, site: MailSite) -> None:
    """Registration for the upcoming edition: open since yesterday, closing the day before it."""
    registration_setup.set_up(edition, now=now)
    closes = to_utc(datetime.combine(edition.starts_on - timedelta(days=1), time(18, 0)),
                    edition.timezone)
    registration_setup.update_settings(
        edition, opens_at=now - timedelta(days=1), closes_at=closes, capacity=300,
        mode=RegistrationMode.APPROVAL, auto_promote=True,
        privacy_notice=DEMO_PRIVACY_NOTICE, now=now, site=site)


DEMO_PRIVACY_NOTICE = (
    "UNICRI processes the personal data you give here only to organize this meeting: to "
    "handle your registration, prepare badges and share the participant list with those who "
    "agreed to appear in it. Dietary and accessibility needs are used only to arrange catering "
    "and access, and are deleted after the meeting. Registrations are anonymized 180 days "
    "after the meeting ends. You can download or erase your data at any time from the link "
    "in your confirmation email. (Illustrative notice for the demo.)"
)


def upcoming_start(now: datetime) -> date:
    """About two months after `now`, on a Tuesday so both days are working days."""
    day = now.date() + timedelta(days=UPCOMING_LEAD_DAYS)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def build_venue(rooms: list[tuple[str, int, str]], **fields) -> Venue:
    """A venue with its rooms, added to the session."""
    venue = Venue(**fields)
    venue.rooms = [Room(name=name, capacity=size, floor=floor) for name, size, floor in rooms]
    db.session.add(venue)
    return venue


def load_past_edition(row: tuple, venues: dict[str, Venue], now: datetime) -> Edition:
    """One archived edition with a few sessions."""
    ordinal, slug, starts_on, days, venue_key, zone, edition_format, host, summary, rows = row
    edition = Edition(
        ordinal=ordinal, title=f"{TITLE} {slug}", slug=slug, starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1), timezone=zone, format=edition_format,
        venue=venues[venue_key] if venue_key else None, host_event=host,
        description=f"{summary}\n\n{ILLUSTRATIVE}", status=EditionStatus.ARCHIVED,
        created_at=now,
    )
    defaults = (None, [], {})
    add_agenda(edition, [session + defaults[len(session) - 6:] for session in rows], now)
    return edition


def load_upcoming_edition(slug: str, starts_on: date, venue: Venue, now: datetime) -> Edition:
    """The next edition, published, two days at World Forum The Hague."""
    edition = Edition(
        ordinal=5, title=f"{TITLE} {starts_on.year}", slug=slug, starts_on=starts_on,
        ends_on=starts_on + timedelta(days=1), timezone="Europe/Amsterdam",
        format=EditionFormat.IN_PERSON, venue=venue, status=EditionStatus.PUBLISHED,
        description=(
            "The fifth meeting comes to The Hague, home of UNICRI's Centre for AI and Robotics, "
            "for two days of keynotes, panels, workshops and closed sessions for law-enforcement "
            "officials. Registration is open.\n\n"
            f"{ILLUSTRATIVE} The dates of this edition are set relative to the day the demo "
            "data was loaded."
        ),
        created_at=now,
    )
    edition.tracks = [Track(name=name, slug=key, colour=colour) for name, key, colour in TRACKS]
    add_agenda(edition, UPCOMING_SESSIONS, now)
    return edition


def add_agenda(edition: Edition, rows: list[tuple], now: datetime) -> None:
    """Create the edition's speakers and sessions from rows; times are local to the edition."""
    db.session.add(edition)
    speakers = edition_speakers(edition, rows)
    rooms = {room.name: room for room in edition.venue.rooms} if edition.venue else {}
    tracks = {track.slug: track for track in edition.tracks}
    for day, clock, minutes, title, kind, room, track, people, fields in rows:
        local = datetime.combine(edition.starts_on + timedelta(days=day), time.fromisoformat(clock))
        starts_at = to_utc(local, edition.timezone)
        session = Session(
            edition=edition, title=title, type=kind, starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes), room=rooms.get(room),
            track=tracks.get(track), description=DESCRIPTIONS[kind], created_at=now,
            updated_at=now, online_url=online_url(edition, day), **fields,
        )
        session.speaker_links = [speaker_link(speakers, entry, i) for i, entry in enumerate(people)]
        db.session.add(session)
    edition.touch(now)


def edition_speakers(edition: Edition, rows: list[tuple]) -> dict[str, Speaker]:
    """The speakers these rows mention, created for this edition, by key."""
    used = {entry.partition(":")[0] for row in rows for entry in row[7]}
    speakers = {}
    for key, name, title, organization, country in SPEAKERS:
        if key in used:
            speakers[key] = Speaker(
                edition=edition, name=name, title=title, organization=organization,
                country=country, bio=f"{name} is a fictional speaker invented for the demo data.",
            )
    return speakers


def speaker_link(speakers: dict[str, Speaker], entry: str, position: int) -> SessionSpeaker:
    key, _, role = entry.partition(":")
    return SessionSpeaker(speaker=speakers[key], role=ROLES[role], position=position)


def online_url(edition: Edition, day: int) -> str:
    """A placeholder meeting link for online editions (public pages never show it)."""
    if edition.format == EditionFormat.IN_PERSON:
        return ""
    return f"https://meet.example.org/global-meeting-{edition.slug}-day-{day + 1}"


def create_demo_admin() -> User | None:
    """The demo administrator, only when there is no account at all yet."""
    if db.session.scalar(sa.select(User.id).limit(1)) is not None:
        return None
    return create_user(DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, name="Demo administrator",
                       is_admin=True)
