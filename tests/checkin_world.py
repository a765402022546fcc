"""A check-in world for the check-in tests: an edition with a closed session and a workshop,
attendees with printed badges (law enforcement with the workshop, a government official),
a door-staff device and the codes of every badge."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from meetings.attendance import workshops
from meetings.badges import service as badges
from meetings.badges.keys import secret_of
from meetings.checkin.staff import create_staff
from meetings.extensions import db
from meetings.models import SessionAccess, SessionType
from meetings.registration import service as registration_service
from tests.factories import (
    FIXED_NOW,
    MAIL_SITE,
    approved_registration,
    make_edition,
    make_session,
    make_venue,
    open_registration,
)

DOOR_DAY = datetime(2027, 3, 28, 9, 0, tzinfo=UTC)  # the first morning, 10:00 in Amsterdam


@dataclass
class CheckinWorld:
    edition: int
    slug: str
    officer: int  # law enforcement, holds the workshop
    official: int  # government, no workshop
    cancelled: int  # had a badge, cancelled (revoked)
    closed: int  # closed session
    workshop: int
    keynote: int
    codes: dict[int, str]
    token: str
    other_code: str  # a valid badge of another edition


def build_checkin_world(app) -> CheckinWorld:
    with app.app_context():
        secret = secret_of(app.config)
        venue = make_venue()
        edition = make_edition(venue=venue)
        open_registration(edition, now=FIXED_NOW)
        keynote = make_session(edition, "Keynote", DOOR_DAY, room=venue.rooms[0])
        closed = make_session(edition, "Closed briefing", DOOR_DAY + timedelta(hours=2),
                              room=venue.rooms[1], access=SessionAccess.CLOSED)
        lab = make_session(edition, "Forensics lab", DOOR_DAY + timedelta(hours=4),
                           room=venue.rooms[1], type=SessionType.WORKSHOP, capacity=5)
        officer = approved_registration(edition, 1, "law_enforcement", FIXED_NOW)
        official = approved_registration(edition, 2, "government", FIXED_NOW)
        cancelled = approved_registration(edition, 3, "government", FIXED_NOW)
        workshops.choose(officer, lab, now=FIXED_NOW)
        _pdf, issued = badges.print_badges(edition, secret=secret, now=FIXED_NOW)
        codes = {b.registration_id: badges.code_of(b, secret=secret, now=FIXED_NOW)
                 for b in issued}
        registration_service.cancel(cancelled, now=FIXED_NOW, site=MAIL_SITE)
        other = make_edition(slug="2028", ordinal=6, venue=venue)
        open_registration(other, now=FIXED_NOW)
        stranger = approved_registration(other, 9, "government", FIXED_NOW)
        other_badge = badges.issue(stranger, secret=secret, now=FIXED_NOW)
        other_code = badges.code_of(other_badge, secret=secret, now=FIXED_NOW)
        _staff, token = create_staff(edition, "Door A", now=FIXED_NOW)
        db.session.commit()
        return CheckinWorld(edition.id, edition.slug, officer.id, official.id, cancelled.id,
                            closed.id, lab.id, keynote.id, codes, token, other_code)
