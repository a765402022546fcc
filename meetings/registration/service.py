"""Registering and every status change: verification, approval, waiting list, cancellation."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from meetings.dates import to_local
from meetings.errors import Busy, DomainError
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.mail_site import MailSite
from meetings.models import Edition, EditionStatus, User
from meetings.registration import signals
from meetings.registration.models import (
    LAW_ENFORCEMENT,
    Delegation,
    Endorsement,
    EndorsementRule,
    Invitation,
    Registration,
    RegistrationCategory,
    RegistrationEvent,
    RegistrationMode,
    RegistrationSettings,
    RegistrationStatus,
)
from meetings.registration.notify import send_registration_mail
from meetings.registration.seats import (
    change_status,
    has_seat,
    lock_edition,
    needs_endorsement,
    promote_waiting,
    seat_status,
    seats_taken,
    waiting_list,
)
from meetings.secret_tokens import hash_token

S = RegistrationStatus
DETAIL_FIELDS = ("given_name", "family_name", "organization", "job_title", "country", "language",
                 "dietary", "accessibility", "listed")


@dataclass
class Registrant:
    """What a person tells us about themselves (checked for shape by the form)."""

    given_name: str
    family_name: str
    email: str = ""
    organization: str = ""
    job_title: str = ""
    country: str = ""
    language: str = "en"
    dietary: str = ""
    accessibility: str = ""
    listed: bool = False
    answers: dict = field(default_factory=dict)


def normalize_email(email: str) -> str:
    """Email addresses compare trimmed and lower-cased."""
    return (email or "").strip().lower()


def registration_by_email(edition_id: int, email: str) -> Registration | None:
    """The registration of this email address for the edition, if any."""
    return db.session.scalar(sa.select(Registration).where(
        Registration.edition_id == edition_id, Registration.email == normalize_email(email)))


def register(edition: Edition, person: Registrant, *, category_id: int | None, consent: bool,
             invitation_code: str = "", delegation_id: int | None = None,
             now: datetime, site: MailSite) -> Registration:
    """Record an unverified registration and email its confirmation link.

    A second registration with the same email creates nothing: the existing one is
    returned and its owner gets their link again, so the answer never tells who registered.
    A cancelled registration is reopened instead (see `reopen`): its owner may come after all.
    A nomination's code fixes the delegation and the category (endorsed by its focal point);
    claiming a delegation on the form waits for that focal point's endorsement.
    """
    settings = lock_edition(edition.id)
    if edition_is_over(edition, now):
        raise DomainError(_l("This edition is over: it no longer takes registrations."))
    if not settings.is_open(now):
        raise DomainError(_l("Registration is not open at this time."))
    if not consent:
        raise DomainError(_l("Please accept the privacy notice to register."), field="consent")
    invitation = usable_invitation(settings, invitation_code)
    if invitation is not None and invitation.delegation_id is not None:
        if normalize_email(person.email) != invitation.email:
            raise DomainError(_l("This nomination was sent to another email address: register "
                                 "with the address it was sent to, or ask your focal point."),
                              field="email")
        category_id, delegation_id = invitation.category_id, invitation.delegation_id
    category = db.session.get(RegistrationCategory, category_id) if category_id else None
    if category is None or category.edition_id != edition.id:
        raise DomainError(_l("Choose one of the categories offered."), field="category")
    delegation = claimed_delegation(settings, category, delegation_id)
    existing = registration_by_email(edition.id, person.email)
    if existing is not None and existing.status != S.CANCELLED:
        send_registration_mail(existing, "duplicate", now=now, site=site)
        return existing
    registration = existing or Registration(edition=edition, email=normalize_email(person.email))
    reopen(registration, category, person, now=now)
    registration.delegation = delegation
    registration.endorsement = None if delegation is None else Endorsement.AWAITING
    if invitation is not None:
        invitation.used_at = now
        registration.invitation_id = invitation.id
        if invitation.delegation_id is not None:
            registration.endorsement = Endorsement.ENDORSED
            registration.organization = delegation.organization.name
    db.session.add(registration)
    db.session.flush()
    send_registration_mail(registration, "verify", now=now, site=site)
    return registration


def reopen(registration: Registration, category: RegistrationCategory, person: Registrant, *,
           now: datetime) -> None:
    """Start a registration afresh: new or once cancelled, it is unverified and has no place yet.

    A cancelled row is reused (one row per address and edition); it loses its old arrival
    number, so confirming again puts it at the end of the line, never back in its old place.
    """
    previous = registration.status.value if registration.id is not None else None
    registration.category = category
    registration.status = S.UNVERIFIED
    registration.arrival = None
    registration.verified_at = None
    registration.consent_privacy_at = registration.created_at = registration.updated_at = now
    apply_details(registration, person)
    registration.history.append(RegistrationEvent(
        at=now, actor="attendee", from_status=previous, to_status=S.UNVERIFIED.value,
        note="registered again" if previous else "registered"))


def edition_is_over(edition: Edition, now: datetime) -> bool:
    """Archived editions, and editions whose last day has passed in their own zone, never
    take registrations, whatever their registration dates say."""
    return (edition.status == EditionStatus.ARCHIVED
            or to_local(now, edition.timezone).date() > edition.ends_on)


def usable_invitation(settings: RegistrationSettings, code: str) -> Invitation | None:
    """The invitation a code opens: required in invitation mode; in other modes only a
    delegation's nomination has a code, and an empty code is no invitation."""
    code = (code or "").strip()
    if settings.mode != RegistrationMode.INVITATION and not code:
        return None
    invitation = db.session.scalar(sa.select(Invitation).where(
        Invitation.edition_id == settings.edition_id,
        Invitation.code_hash == hash_token(code))) if code else None
    if settings.mode != RegistrationMode.INVITATION and invitation is not None \
            and invitation.delegation_id is None:
        return None
    if invitation is None or not invitation.is_usable:
        raise DomainError(_l("This invitation code is not valid. Check the code in your "
                             "invitation email."), field="invitation_code")
    return invitation


def claimed_delegation(settings: RegistrationSettings, category: RegistrationCategory,
                       delegation_id: int | None) -> Delegation | None:
    """The delegation a person says they belong to; where the edition asks for it, law
    enforcement comes only through a law-enforcement delegation."""
    delegation = db.session.get(Delegation, delegation_id) if delegation_id else None
    if delegation is not None and delegation.edition_id != settings.edition_id:
        raise DomainError(_l("Choose one of the delegations offered."), field="delegation")
    if (settings.endorsement_rule == EndorsementRule.LAW_ENFORCEMENT
            and category.code == LAW_ENFORCEMENT
            and (delegation is None or not delegation.organization.law_enforcement)):
        raise DomainError(_l("Law-enforcement participants register through their force or "
                             "National Central Bureau: choose it under Delegation, or ask its "
                             "focal point to nominate you."), field="delegation")
    return delegation


def apply_details(registration: Registration, person: Registrant) -> None:
    """Copy the editable details and answers onto a registration."""
    for name in DETAIL_FIELDS:
        setattr(registration, name, getattr(person, name))
    registration.country = registration.country.upper()
    registration.answers = dict(person.answers)


def verify(registration: Registration, *, now: datetime, site: MailSite) -> Registration:
    """Confirm the email: take a seat (pending or approved) or join the waiting list."""
    settings = lock_edition(registration.edition_id)
    db.session.refresh(registration)
    if registration.status != S.UNVERIFIED:
        return registration  # a second click changes nothing
    registration.verified_at = now
    registration.arrival = settings.next_arrival()
    # The counts below do not depend on these changes: they reach the row in one UPDATE.
    with db.session.no_autoflush:
        queue_first = not settings.auto_promote and db.session.scalar(
            waiting_list(settings.edition_id).limit(1)) is not None
        if not queue_first and has_seat(settings, registration.category, registration.delegation):
            status = seat_status(settings, registration.category, registration.delegation)
        else:
            status = S.WAITLISTED
    change_status(registration, status, now=now, actor="attendee", note="email confirmed")
    send_registration_mail(registration, status.value, now=now, site=site,
                           position=waiting_position(registration))
    return registration


def waiting_position(registration: Registration) -> int | None:
    """Place on the waiting list: the waitlisted registrations that arrived earlier, plus one."""
    if registration.status != S.WAITLISTED or registration.arrival is None:
        return None
    ahead = db.session.scalar(sa.select(sa.func.count(Registration.id)).where(
        Registration.edition_id == registration.edition_id,
        Registration.status == S.WAITLISTED, Registration.arrival < registration.arrival))
    return (ahead or 0) + 1


@dataclass(frozen=True)
class Outlook:
    """What the form says before anyone types: approvals needed, and whether the meeting is full."""

    approval: list[RegistrationCategory]
    everyone_approved: bool
    full: bool
    full_categories: list[RegistrationCategory]


def outlook(settings: RegistrationSettings, categories: list[RegistrationCategory]) -> Outlook:
    """Approvals and free seats as `verify` would decide them now (a read: no lock taken)."""
    approval = [c for c in categories if seat_status(settings, c) == S.PENDING]
    queue_first = not settings.auto_promote and db.session.scalar(
        waiting_list(settings.edition_id).limit(1)) is not None
    full = queue_first or (settings.capacity is not None
                           and seats_taken(settings.edition_id) >= settings.capacity)
    full_categories = [c for c in categories if c.quota is not None
                       and seats_taken(settings.edition_id, c.id) >= c.quota]
    return Outlook(approval=approval, everyone_approved=bool(categories)
                   and len(approval) == len(categories), full=full,
                   full_categories=[] if full else full_categories)


def update_details(registration: Registration, person: Registrant, *, now: datetime) -> None:
    """The attendee corrects their details (the email address stays as verified)."""
    apply_details(registration, person)
    registration.updated_at = now
    registration.history.append(RegistrationEvent(at=now, actor="attendee", note="details edited"))
    db.session.flush()


def cancel(registration: Registration, *, now: datetime, site: MailSite,
           user: User | None = None, actor: str = "", note: str = "") -> None:
    """Cancel (by the attendee, or an organizer or focal point on their behalf); the seat
    goes to the list."""
    settings = lock_edition(registration.edition_id)
    db.session.refresh(registration)
    if registration.status in (S.CANCELLED, S.REJECTED):
        raise DomainError(_l("This registration is already closed."))
    release(settings, registration, S.CANCELLED, now=now, site=site, user=user,
            actor=actor or ("organizer" if user else "attendee"), note=note)


def release(settings: RegistrationSettings, registration: Registration,
            status: RegistrationStatus, *, now: datetime, site: MailSite,
            user: User | None = None, actor: str = "system", note: str = "") -> None:
    """Close a registration, free its seat and workshop places, promote the next in line."""
    signals.leaving.send(registration, now=now, site=site)
    change_status(registration, status, now=now, user=user, actor=actor, note=note)
    send_registration_mail(registration, status.value, now=now, site=site, note=note)
    notify_promoted(promote_waiting(settings, now), now, site=site)


def notify_promoted(promoted: list[Registration], now: datetime, *, site: MailSite) -> None:
    """Tell everyone who just got a seat from the waiting list that it is theirs."""
    for registration in promoted:
        kind = "promoted" if registration.status == S.APPROVED else "promoted_pending"
        send_registration_mail(registration, kind, now=now, site=site)


def approve(registration: Registration, user: User, *, now: datetime, site: MailSite,
            note: str = "") -> None:
    """An organizer approves a pending or waitlisted (or rejected) registration."""
    settings = lock_edition(registration.edition_id)
    db.session.refresh(registration)
    if registration.status == S.APPROVED:
        return
    if registration.status in (S.UNVERIFIED, S.CANCELLED):
        raise DomainError(_l("Only confirmed registrations can be approved."))
    check_endorsed(settings, registration)
    if not registration.holds_seat and not has_seat(settings, registration.category,
                                                    registration.delegation):
        raise DomainError(_l("No seat is free for this registration. Raise the capacity or "
                             "the category quota first."))
    change_status(registration, S.APPROVED, now=now, user=user, actor="organizer", note=note)
    send_registration_mail(registration, "approved", now=now, site=site, note=note)


def check_endorsed(settings: RegistrationSettings, registration: Registration) -> None:
    """The secretariat decides only after the delegation's focal point has endorsed."""
    name = registration.delegation.organization.name if registration.delegation else ""
    if registration.endorsement == Endorsement.DECLINED:
        raise DomainError(_l("The focal point of %(name)s declined this registration.",
                             name=name))
    if needs_endorsement(settings, registration):
        raise DomainError(_l("Waiting for endorsement by the focal point of %(name)s.",
                             name=name))


def endorse(registration: Registration, user: User, *, now: datetime) -> None:
    """A delegation's focal point vouches for a person who claims the delegation."""
    lock_edition(registration.edition_id)
    db.session.refresh(registration)
    if registration.delegation_id is None or registration.status in (S.CANCELLED, S.REJECTED):
        raise DomainError(_l("This registration cannot be endorsed in its current state."))
    if registration.endorsement == Endorsement.ENDORSED:
        return
    registration.endorsement = Endorsement.ENDORSED
    registration.updated_at = now
    db.session.add(RegistrationEvent(registration=registration, at=now, user=user,
                                     actor="focal point", note="endorsed by the focal point"))
    db.session.flush()


def decline(registration: Registration, user: User, *, now: datetime, site: MailSite,
            note: str = "") -> None:
    """A focal point says the person does not belong to the delegation: the registration is
    rejected and its seat goes to the waiting list."""
    settings = lock_edition(registration.edition_id)
    db.session.refresh(registration)
    if registration.delegation_id is None or registration.status in (S.CANCELLED, S.REJECTED):
        raise DomainError(_l("This registration cannot be declined in its current state."))
    registration.endorsement = Endorsement.DECLINED
    note = note or "declined by the focal point of the delegation"
    if registration.status == S.UNVERIFIED:
        change_status(registration, S.REJECTED, now=now, user=user, actor="focal point",
                      note=note)
        return
    release(settings, registration, S.REJECTED, now=now, site=site, user=user,
            actor="focal point", note=note)


def promote(registration: Registration, user: User, *, now: datetime, site: MailSite) -> None:
    """Move someone from the waiting list into a free seat, out of turn if need be."""
    settings = lock_edition(registration.edition_id)
    db.session.refresh(registration)
    if registration.status != S.WAITLISTED:
        raise DomainError(_l("Only registrations on the waiting list can be promoted."))
    if not has_seat(settings, registration.category, registration.delegation):
        raise DomainError(_l("No seat is free for this registration. Raise the capacity or "
                             "the category quota first."))
    status = seat_status(settings, registration.category, registration.delegation)
    change_status(registration, status, now=now, user=user, actor="organizer",
                  note="promoted from the waiting list")
    notify_promoted([registration], now, site=site)


def reject(registration: Registration, user: User, *, now: datetime, site: MailSite,
           note: str = "") -> None:
    """An organizer declines a registration; its seat goes to the waiting list."""
    settings = lock_edition(registration.edition_id)
    db.session.refresh(registration)
    if registration.status in (S.REJECTED, S.CANCELLED, S.UNVERIFIED):
        raise DomainError(_l("This registration cannot be rejected in its current state."))
    release(settings, registration, S.REJECTED, now=now, site=site, user=user,
            actor="organizer", note=note)


def decide_many(registrations: list[Registration], action: str, user: User, *,
                now: datetime, site: MailSite, note: str = "") -> tuple[int, list[str]]:
    """Approve or reject several registrations; returns how many changed and the problems."""
    decide = {"approve": approve, "reject": reject}[action]
    done, problems = 0, []
    for registration in registrations:
        try:
            decide(registration, user, now=now, site=site, note=note)
            done += 1
        except Busy:
            raise  # the lock is stuck: answer "busy" once instead of waiting for each one
        except DomainError as error:
            problems.append(f"{registration.full_name}: {error.message}")
    return done, problems
