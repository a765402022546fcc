"""Visa support letters: settings, officers, requests and their decisions, erasure and purge."""

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from meetings.countries import is_country_code
from meetings.dates import to_local
from meetings.errors import DomainError, NotAllowed
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.mail_site import MailSite
from meetings.models import Edition, User
from meetings.registration.models import Registration, RegistrationStatus
from meetings.visas.documents import Letter
from meetings.visas.models import (
    OPEN_STATUSES,
    VisaEvent,
    VisaRequest,
    VisaSettings,
    VisaStatus,
    visa_officer,
)
from meetings.visas.notify import send_decision_mail

REFERENCE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # base32: no 0/1/8/9 to misread
REFERENCE_LENGTH = 10
PASSPORT_VALID_AFTER_MEETING = timedelta(days=183)  # six months after the last day


@dataclass(frozen=True)
class PassportDetails:
    """What the attendee gives, exactly as in the passport."""

    passport_names: str
    passport_number: str
    issuing_state: str
    nationality: str
    date_of_birth: date
    passport_expiry: date
    consulate: str
    function: str


def settings_of(edition_id: int) -> VisaSettings | None:
    """An edition's visa settings, or None when organizers never set them (support is off)."""
    return db.session.get(VisaSettings, edition_id)


def save_settings(edition: Edition, *, enabled: bool, requests_until: date | None) -> None:
    """Switch visa support on or off and set the last day requests are accepted."""
    if enabled and requests_until is None:
        raise DomainError(_l("Say until which day requests are accepted."),
                          field="requests_until")
    if requests_until is not None and requests_until > edition.ends_on:
        raise DomainError(_l("Requests cannot be accepted after the meeting ends."),
                          field="requests_until")
    settings = settings_of(edition.id) or VisaSettings(edition_id=edition.id)
    settings.enabled, settings.requests_until = enabled, requests_until
    db.session.add(settings)
    db.session.flush()


def accepting_requests(edition: Edition, now: datetime) -> bool:
    """Whether the edition takes visa requests today (in its own time zone)."""
    settings = settings_of(edition.id)
    return (settings is not None and settings.enabled and settings.requests_until is not None
            and to_local(now, edition.timezone).date() <= settings.requests_until)


def officers_of(edition_id: int) -> list[User]:
    """The edition's visa officers, by email."""
    return list(db.session.scalars(sa.select(User).join(
        visa_officer, visa_officer.c.user_id == User.id).where(
        visa_officer.c.edition_id == edition_id).order_by(User.email)))


def is_officer(user: User, edition: Edition) -> bool:
    """Only the edition's visa officers read passport data; organizers and admins do not."""
    return bool(getattr(user, "id", None)) and db.session.scalar(
        sa.select(sa.func.count()).select_from(visa_officer).where(
            visa_officer.c.edition_id == edition.id, visa_officer.c.user_id == user.id)) > 0


def add_officer(edition: Edition, email: str) -> User:
    """Make an existing account a visa officer of the edition."""
    user = db.session.scalar(sa.select(User).where(
        sa.func.lower(User.email) == email.strip().lower()))
    if user is None or not user.is_active:
        raise DomainError(_l("No active account has this email address."), field="email")
    if not is_officer(user, edition):
        db.session.execute(visa_officer.insert().values(edition_id=edition.id, user_id=user.id))
    return user


def remove_officer(edition: Edition, user_id: int) -> None:
    """The user no longer reads the edition's visa requests."""
    db.session.execute(visa_officer.delete().where(
        visa_officer.c.edition_id == edition.id, visa_officer.c.user_id == user_id))


def requests_of(registration: Registration) -> sa.Select:
    """A registration's visa requests, newest first."""
    return (sa.select(VisaRequest).where(VisaRequest.registration_id == registration.id)
            .order_by(VisaRequest.id.desc()))


def latest_request(registration: Registration) -> VisaRequest | None:
    return db.session.scalars(requests_of(registration).limit(1)).first()


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def check_details(edition: Edition, details: PassportDetails, now: datetime) -> None:
    """The rules a form cannot know: countries, birth date, passport valid long enough."""
    for field in ("issuing_state", "nationality"):
        if not is_country_code(getattr(details, field)):
            raise DomainError(_l("Choose a country from the list."), field=field)
    if details.date_of_birth >= now.date():
        raise DomainError(_l("The date of birth must be in the past."), field="date_of_birth")
    needed = edition.ends_on + PASSPORT_VALID_AFTER_MEETING
    if details.passport_expiry < needed:
        raise DomainError(_l(
            "Your passport must be valid until at least %(day)s, six months after the meeting "
            "ends; most consulates refuse a visa otherwise. Renew it first.",
            day=needed.isoformat()), field="passport_expiry")


def request_letter(registration: Registration, details: PassportDetails, *, key: bytes | None,
                   now: datetime) -> VisaRequest:
    """An approved attendee asks for a letter; the passport fields are sealed on flush."""
    edition = registration.edition
    if key is None:
        raise DomainError(_l("Visa requests cannot be stored now: the site has no key to "
                             "protect passport data. Please tell the organizers."))
    if registration.status != RegistrationStatus.APPROVED:
        raise NotAllowed(_l("Only approved attendees can ask for a visa support letter."))
    if not accepting_requests(edition, now):
        raise DomainError(_l("This meeting does not accept visa letter requests now."))
    latest = latest_request(registration)
    if latest is not None and latest.status in OPEN_STATUSES:
        raise DomainError(_l("You already have a request; withdraw it to make a new one."))
    check_details(edition, details, now)
    request = VisaRequest(edition_id=edition.id, registration_id=registration.id,
                          reference=new_reference(), status=VisaStatus.REQUESTED,
                          requested_at=now, **vars(details))
    request.history.append(VisaEvent(status=VisaStatus.REQUESTED, at=now))
    db.session.add(request)
    db.session.flush()
    return request


def move(request: VisaRequest, status: VisaStatus, *, now: datetime, user: User | None = None,
         message: str = "") -> None:
    request.status, request.decided_at, request.message = status, now, message
    request.history.append(VisaEvent(status=status, at=now, user=user, message=message))
    db.session.flush()


def withdraw(registration: Registration, *, now: datetime) -> bool:
    """The attendee withdraws (or gives up their seat): the letter verifies as withdrawn."""
    latest = latest_request(registration)
    if latest is None or latest.status not in OPEN_STATUSES:
        return False
    move(latest, VisaStatus.WITHDRAWN, now=now)
    return True


def decide(request: VisaRequest, user: User, *, issue: bool, message: str,
           now: datetime, site: MailSite) -> None:
    """An officer issues the letter or refuses it with a message; the attendee is mailed."""
    if not is_officer(user, request.edition):
        raise NotAllowed(_l("Only the edition's visa officers decide visa requests."))
    if request.status != VisaStatus.REQUESTED:
        raise DomainError(_l("This request was already decided or withdrawn."))
    if not issue and not message.strip():
        raise DomainError(_l("Tell the attendee why the letter is refused."), field="message")
    if issue and request.registration.status != RegistrationStatus.APPROVED:
        raise DomainError(_l("The registration is no longer approved."))
    move(request, VisaStatus.ISSUED if issue else VisaStatus.REFUSED, now=now, user=user,
         message=message.strip())
    send_decision_mail(request, now=now, site=site)


def waiting(edition_id: int) -> sa.Select:
    """Requests not yet decided, oldest first (columns only: nothing is decrypted)."""
    return (sa.select(VisaRequest.id, VisaRequest.registration_id, VisaRequest.requested_at,
                      Registration.given_name, Registration.family_name)
            .join(Registration, Registration.id == VisaRequest.registration_id)
            .where(VisaRequest.edition_id == edition_id,
                   VisaRequest.status == VisaStatus.REQUESTED)
            .order_by(VisaRequest.requested_at, VisaRequest.id))


def status_counts(edition_id: int) -> dict[VisaStatus, int]:
    rows = db.session.execute(sa.select(VisaRequest.status, sa.func.count()).where(
        VisaRequest.edition_id == edition_id).group_by(VisaRequest.status))
    return {status: count for status, count in rows}


def consulate_counts(edition_id: int) -> list[tuple[str, int]]:
    """Open requests per consulate, most first: only this column is decrypted, for a count."""
    consulates = db.session.scalars(sa.select(VisaRequest.consulate).where(
        VisaRequest.edition_id == edition_id, VisaRequest.status.in_(OPEN_STATUSES)))
    counts = Counter(" ".join(name.split()) for name in consulates)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))


def by_reference(reference: str) -> VisaRequest | None:
    return db.session.scalar(sa.select(VisaRequest).where(
        VisaRequest.reference == reference.strip().upper()))


def forget(registration: Registration) -> None:
    """Erasure: the person's visa requests and their history go."""
    db.session.execute(sa.delete(VisaRequest).where(
        VisaRequest.registration_id == registration.id))


def purge_due(*, retention_days: int, now: datetime) -> list[tuple[Edition, int]]:
    """Delete the visa requests of editions that ended more than `retention_days` ago."""
    last_day = now.date() - timedelta(days=retention_days + 1)
    done = []
    for edition in db.session.scalars(sa.select(Edition).where(
            Edition.ends_on <= last_day, Edition.id.in_(
                sa.select(VisaRequest.edition_id))).order_by(Edition.id)):
        result = db.session.execute(sa.delete(VisaRequest).where(
            VisaRequest.edition_id == edition.id))
        done.append((edition, result.rowcount))
    return done


def letter_of(request: VisaRequest, *, verify_url: str) -> Letter:
    """The letter of an issued request (or an officer's preview of a pending one), in English
    and the attendee's language."""
    edition, registration = request.edition, request.registration
    venue = edition.venue
    return Letter(
        reference=request.reference, verify_url=verify_url,
        issued_on=(request.decided_at or request.requested_at).date(),
        passport_names=request.passport_names, passport_number=request.passport_number,
        issuing_state=request.issuing_state, nationality=request.nationality,
        date_of_birth=request.date_of_birth, passport_expiry=request.passport_expiry,
        consulate=request.consulate, function=request.function,
        organization=registration.organization, edition=edition.title,
        starts_on=edition.starts_on, ends_on=edition.ends_on,
        city=venue.city if venue is not None else "",
        country=venue.country if venue is not None else "", language=registration.language)
