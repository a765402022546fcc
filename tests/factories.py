"""Build objects for tests directly through the models (services are tested on their own)."""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from meetings.attendance import workshops
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
    SessionType,
    Speaker,
    Track,
    User,
    Venue,
)
from meetings.registration import configuration, service
from meetings.registration.models import (
    Registration,
    RegistrationCategory,
    RegistrationMode,
    RegistrationStatus,
)
from meetings.registration.tokens import issue_token
from meetings.web.site_url import mail_site

# The site mails link to when a test calls a service itself: conftest's SITE_URL and the
# default REGISTRATION_RETENTION_DAYS, so links and expiries are those the app's views make.
MAIL_SITE = MailSite("http://localhost", 180)

# A fixed moment before the 2027 edition (28–29 March), for tests that pass `now` themselves.
FIXED_NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
# The real time when the suite started, for tests through HTTP, where the app reads the clock.
SUITE_START = datetime.now(UTC)


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
                          now=now, site=MAIL_SITE)


def registration_category(edition: Edition, code: str = "government") -> RegistrationCategory:
    return db.session.scalar(sa.select(RegistrationCategory).where(
        RegistrationCategory.edition_id == edition.id, RegistrationCategory.code == code))


def open_edition(capacity=None, mode=RegistrationMode.OPEN, slug="2027", auto_promote=True,
                 now=FIXED_NOW) -> Edition:
    """A published edition whose registration is open at `now`."""
    edition = make_edition(slug=slug)
    open_registration(edition, now=now, capacity=capacity, mode=mode, auto_promote=auto_promote)
    return edition


def person(n=1, **fields) -> service.Registrant:
    """Registrant number `n`: Given<n> Family<n> <p<n>@example.org>, police, NL."""
    values = dict(given_name=f"Given{n}", family_name=f"Family{n}", email=f"p{n}@example.org",
                  organization="Police", country="NL")
    values.update(fields)
    return service.Registrant(**values)


def sign_up(edition, n=1, code="government", now=FIXED_NOW, verify=True,
            **fields) -> Registration:
    """Register person `n` in category `code` through the service; verified unless told not."""
    registration = service.register(edition, person(n, **fields),
                                    category_id=registration_category(edition, code).id,
                                    consent=True, now=now, site=MAIL_SITE)
    if verify:
        service.verify(registration, now=now, site=MAIL_SITE)
    return registration


def approved_registration(edition, n: int, code: str, now: datetime) -> Registration:
    """Person `n`, approved in category `code` (law enforcement by an organizer's decision)."""
    registration = sign_up(edition, n, code, now=now)
    if code == "law_enforcement":  # always needs an organizer's approval
        assert registration.status == RegistrationStatus.PENDING
        service.approve(registration, None, now=now, site=MAIL_SITE)
    assert registration.status == RegistrationStatus.APPROVED
    return registration


def registration_form(category_id, **overrides) -> dict:
    """The public registration form's fields for Ada Lovelace; a None override leaves one out."""
    data = {"given_name": "Ada", "family_name": "Lovelace", "email": "ada@example.org",
            "organization": "INTERPOL", "job_title": "Analyst", "country": "FR",
            "category": str(category_id), "language": "en", "consent": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def agenda_world(app, format=EditionFormat.HYBRID, now=SUITE_START) -> dict:
    """An Amsterdam edition (28–29 March 2027) with open registration, sessions and two attendees:
    `le` (law enforcement) and `gov` (government). Returns ids, and `tokens` for their links."""
    with app.app_context():
        venue = make_venue()
        edition = make_edition(venue=venue)
        edition.format = format
        open_registration(edition, now=now)
        main, room_b = venue.rooms
        day = datetime(2027, 3, 28, 8, 0, tzinfo=UTC)  # 10:00 in Amsterdam (summer time)
        sessions = {
            "plenary": make_session(edition, "Opening plenary", day, room=main,
                                    online_url="https://stream.example.org/plenary"),
            "closed": make_session(edition, "Heads of cybercrime units", day + timedelta(hours=2),
                                   room=room_b, access=SessionAccess.CLOSED,
                                   description="Secret agenda item.",
                                   online_url="https://stream.example.org/closed-link"),
            "workshop": make_session(edition, "Hands-on: model audits", day + timedelta(hours=4),
                                     room=room_b, type=SessionType.WORKSHOP, capacity=10,
                                     online_url="https://stream.example.org/workshop"),
            "closed_workshop": make_session(
                edition, "Undercover operations lab", day + timedelta(hours=6), room=room_b,
                type=SessionType.WORKSHOP, capacity=10, access=SessionAccess.CLOSED,
                description="Only for police.", online_url="https://stream.example.org/lab"),
            "other": make_session(edition, "Unchosen panel", day + timedelta(days=1), room=main),
        }
        le = approved_registration(edition, 1, "law_enforcement", now)
        gov = approved_registration(edition, 2, "government", now)
        tokens = {"le": manage_token(le, now), "gov": manage_token(gov, now)}
        db.session.commit()
        return {"edition": edition.id, "le": le.id, "gov": gov.id, "tokens": tokens,
                **{name: s.id for name, s in sessions.items()}}


def choose_workshop(app, registration_id: int, session_id: int, now=SUITE_START) -> None:
    """Take a seat in a workshop through the service, and commit."""
    with app.app_context():
        registration = db.session.get(Registration, registration_id)
        workshops.choose(registration, db.session.get(Session, session_id), now=now)
        db.session.commit()


def change_agenda(client, world, who: str, session: str, action: str = "add"):
    """Post `action` (add or remove) for an agenda_world session on `who`'s manage page."""
    return client.post(f"/manage-registration/{world['tokens'][who]}/agenda/{world[session]}",
                       data={"action": action}, follow_redirects=True)


def manage_token(registration: Registration, now: datetime) -> str:
    """A manage-link token as the mails issue one: it ends with the configured retention."""
    return issue_token(registration, now, retention_days=mail_site().retention_days)
