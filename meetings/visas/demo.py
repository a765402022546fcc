"""Demo visa support letters: support switched on for an edition, its administrators as visa
officers, and one request in each state (requested, issued, refused with a message, withdrawn)
for its first approved attendees. The passport data is invented; it is sealed like real data,
under VISA_DATA_KEY (under `make run` the development key kept in instance/visa_data_key).
Decisions are recorded directly, without mail: loading the demo sends nobody anything."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from meetings.countries import country_name
from meetings.extensions import db
from meetings.models import Edition, User
from meetings.registration.models import Registration, RegistrationStatus
from meetings.visas import service
from meetings.visas.models import VisaRequest, VisaStatus

REQUESTS_CLOSE_BEFORE = timedelta(days=21)  # consulates need about three weeks
PASSPORT_YEARS = timedelta(days=5 * 365)
# (state, days ago the request was made, officer's message, passport number, birth date, function)
REQUESTS = (
    (VisaStatus.REQUESTED, 4, "", "DEMO40417", date(1984, 5, 12), "Police major"),
    (VisaStatus.ISSUED, 9, "", "DEMO72265", date(1979, 11, 3), "Head of cybercrime unit"),
    (VisaStatus.REFUSED, 12, "The passport number does not match the scan you sent us; please "
     "check it and make a new request.", "DEMO31590", date(1990, 1, 27), "Criminal analyst"),
    (VisaStatus.WITHDRAWN, 15, "", "DEMO58802", date(1987, 8, 19), "Legal adviser"),
)


def demo_officers(edition: Edition) -> list[User]:
    """The active administrators become the edition's visa officers (one login shows it all)."""
    admins = db.session.scalars(sa.select(User).where(User.is_admin, User.active)
                                .order_by(User.id)).all()
    return [service.add_officer(edition, admin.email) for admin in admins]


def add_demo_visas(edition: Edition, *, key: bytes | None, now: datetime) -> list[VisaRequest]:
    """Visa support on, officers named, requests in each state; the requests it added.

    Passport data is sealed under `key` (VISA_DATA_KEY); without one it cannot be stored:
    support is switched on, no request is added. Nothing is added either when the edition
    already has requests (run twice)."""
    closes = max(edition.starts_on - REQUESTS_CLOSE_BEFORE, now.date())
    service.save_settings(edition, enabled=True, requests_until=min(closes, edition.ends_on))
    officers = demo_officers(edition)
    if key is None or db.session.scalar(
            sa.select(VisaRequest.id).where(VisaRequest.edition_id == edition.id).limit(1)):
        return []
    people = db.session.scalars(sa.select(Registration).where(
        Registration.edition_id == edition.id, Registration.status == RegistrationStatus.APPROVED)
        .order_by(Registration.id).limit(len(REQUESTS))).all()
    return [demo_request(edition, person, row, officers[0] if officers else None, key=key,
                         now=now)
            for person, row in zip(people, REQUESTS, strict=False)]


def demo_request(edition: Edition, person: Registration, row: tuple, officer: User | None, *,
                 key: bytes, now: datetime) -> VisaRequest:
    """One request made `row`'s days ago, moved to its state a day later."""
    status, days_ago, message, number, born, function = row
    asked = now - timedelta(days=days_ago)
    host = country_name(edition.venue.country) if edition.venue else "the host country"
    request = service.request_letter(person, service.PassportDetails(
        passport_names=f"{person.given_name} {person.family_name.upper()}",
        passport_number=number, issuing_state=person.country, nationality=person.country,
        date_of_birth=born, passport_expiry=edition.ends_on + PASSPORT_YEARS,
        consulate=f"{host} embassy in {country_name(person.country)}", function=function),
        key=key, now=asked)
    if status != VisaStatus.REQUESTED:
        service.move(request, status, now=asked + timedelta(days=1),
                     user=None if status == VisaStatus.WITHDRAWN else officer, message=message)
    return request
