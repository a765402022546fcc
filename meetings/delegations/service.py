"""Delegations: organizations taking part, focal points and what they do for their delegation.

Seat and status rules (quotas, endorsement before approval) live in registration, which decides
them under the edition lock; this module adds who may act for a delegation and the reads that
show a delegation's progress.
"""

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from meetings.accounts.service import normalize_email, user_by_email
from meetings.database import count_of
from meetings.delegations.models import FocalPoint
from meetings.errors import DomainError, NotAllowed
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.mail_site import MailSite
from meetings.models import Edition, User
from meetings.registration import service as registration_service
from meetings.registration.models import (
    LAW_ENFORCEMENT_KINDS,
    Delegation,
    Endorsement,
    EndorsementRule,
    Invitation,
    Organization,
    OrganizationKind,
    Registration,
    RegistrationCategory,
    RegistrationSettings,
    RegistrationStatus,
)
from meetings.registration.seats import lock_edition, seats_taken
from meetings.secret_tokens import hash_token

S = RegistrationStatus
INVITATION_LIFETIME = timedelta(days=30)
CLOSED = (S.CANCELLED, S.REJECTED)


# Organizations and delegations (organizers)

def organizations() -> sa.Select:
    return sa.select(Organization).order_by(Organization.name, Organization.country)


def organization_for(name: str, kind: OrganizationKind, country: str) -> Organization:
    """The organization of this name and country, created the first time it is named."""
    name, country = " ".join(name.split()), country.upper()
    organization = db.session.scalar(sa.select(Organization).where(
        sa.func.lower(Organization.name) == name.lower(), Organization.country == country))
    if organization is None:
        organization = Organization(name=name, kind=kind, country=country,
                                    law_enforcement=kind in LAW_ENFORCEMENT_KINDS)
        db.session.add(organization)
        db.session.flush()
    return organization


def add_delegation(edition: Edition, *, name: str, kind: OrganizationKind, country: str,
                   quota: int | None) -> Delegation:
    """Let an organization take part in the edition, with its own quota of seats."""
    organization = organization_for(name, kind, country)
    if db.session.scalar(sa.select(Delegation).where(
            Delegation.edition_id == edition.id,
            Delegation.organization_id == organization.id)) is not None:
        raise DomainError(_l("%(name)s already has a delegation in this edition.",
                             name=organization.name), field="name")
    delegation = Delegation(edition_id=edition.id, organization=organization, quota=quota)
    db.session.add(delegation)
    db.session.flush()
    return delegation


def update_delegation(delegation: Delegation, *, quota: int | None,
                      law_enforcement: bool) -> None:
    """Change the quota (never below the seats its people hold) and whether it is law
    enforcement (which decides who may endorse law-enforcement participants)."""
    lock_edition(delegation.edition_id)
    held = seats_taken(delegation.edition_id, delegation_id=delegation.id)
    if quota is not None and quota < held:
        raise DomainError(_l("%(n)d people of this delegation already hold a seat: the quota "
                             "cannot be lower.", n=held), field="quota")
    delegation.quota = quota
    delegation.organization.law_enforcement = law_enforcement
    db.session.flush()


def set_endorsement_rule(settings: RegistrationSettings, rule: EndorsementRule) -> None:
    settings.endorsement_rule = rule
    db.session.flush()


# Focal points

def invite_focal_point(delegation: Delegation, *, email: str, name: str,
                       now: datetime) -> tuple[FocalPoint, str]:
    """A new focal point invitation, bound to `email`; returns it with its link's token."""
    email = normalize_email(email)
    existing = db.session.scalar(sa.select(FocalPoint).where(
        FocalPoint.delegation_id == delegation.id, FocalPoint.email == email))
    token = secrets.token_urlsafe(24)
    if existing is not None and existing.is_active:
        raise DomainError(_l("%(email)s is already a focal point of this delegation.",
                             email=email), field="email")
    focal_point = existing or FocalPoint(delegation=delegation, email=email)
    focal_point.name = " ".join(name.split())
    focal_point.token_hash, focal_point.invited_at = hash_token(token), now
    focal_point.accepted_at = focal_point.revoked_at = focal_point.user_id = None
    db.session.add(focal_point)
    db.session.flush()
    return focal_point, token


def focal_point_by_token(token: str, now: datetime) -> FocalPoint | None:
    """The invitation a link opens: not revoked, and accepted or younger than 30 days (the
    organizer can invite again, which makes a new link)."""
    focal_point = db.session.scalar(sa.select(FocalPoint).where(
        FocalPoint.token_hash == hash_token(token)))
    if focal_point is None or focal_point.revoked_at:
        return None
    if focal_point.accepted_at is None and now - focal_point.invited_at > INVITATION_LIFETIME:
        return None
    return focal_point


def accept(focal_point: FocalPoint, user: User, *, now: datetime) -> None:
    """The invited person, signed in with the invited address, takes the role."""
    if normalize_email(user.email) != focal_point.email:
        raise NotAllowed(_l("This invitation was sent to another email address. Sign in with "
                            "the address it was sent to."))
    if focal_point.accepted_at is None:
        focal_point.accepted_at, focal_point.user_id = now, user.id
        db.session.flush()


def account_for_invitation(focal_point: FocalPoint) -> User | None:
    """The account of the invited address, if one exists."""
    return user_by_email(focal_point.email)


def revoke_focal_point(focal_point: FocalPoint, *, now: datetime) -> None:
    focal_point.revoked_at = now
    db.session.flush()


def focal_points_of(delegation_id: int) -> list[FocalPoint]:
    return db.session.scalars(sa.select(FocalPoint).where(
        FocalPoint.delegation_id == delegation_id, FocalPoint.revoked_at.is_(None))
        .order_by(FocalPoint.email)).all()


def delegations_led_by(user: User) -> list[Delegation]:
    """The delegations the user is an accepted focal point of, newest edition first."""
    return db.session.scalars(
        sa.select(Delegation).join(FocalPoint, FocalPoint.delegation_id == Delegation.id)
        .join(Delegation.edition)
        .where(FocalPoint.user_id == user.id, FocalPoint.accepted_at.is_not(None),
               FocalPoint.revoked_at.is_(None))
        .order_by(Edition.starts_on.desc(), Delegation.id)).unique().all()


def acts_for(user: User, delegation: Delegation) -> bool:
    """Focal points of the delegation act for it; so do the edition's organizers."""
    if not user.is_authenticated:
        return False
    return user.can_manage(delegation.edition) or any(
        d.id == delegation.id for d in delegations_led_by(user))


def check_acts_for(user: User, delegation: Delegation) -> None:
    if not acts_for(user, delegation):
        raise NotAllowed(_l("Only the delegation's focal points can do this."))


# What a focal point does

def open_nominations(delegation_id: int) -> sa.Select:
    """Nominations not yet used to register (nor withdrawn)."""
    return (sa.select(Invitation).where(Invitation.delegation_id == delegation_id,
                                        Invitation.used_at.is_(None),
                                        Invitation.revoked_at.is_(None))
            .order_by(Invitation.created_at, Invitation.id))


def nominate(delegation: Delegation, user: User, *, name: str, email: str, category_id: int,
             now: datetime) -> tuple[Invitation, str]:
    """Nominate a delegate: an invitation bound to their address, with the delegation and the
    category fixed. Seats held and open nominations together stay within the quota."""
    check_acts_for(user, delegation)
    lock_edition(delegation.edition_id)
    email = normalize_email(email)
    category = db.session.get(RegistrationCategory, category_id)
    if category is None or category.edition_id != delegation.edition_id:
        raise DomainError(_l("Choose one of the categories offered."), field="category")
    existing = registration_service.registration_by_email(delegation.edition_id, email)
    if existing is not None and existing.status not in CLOSED:
        raise DomainError(_l("%(email)s is already registered for this edition.", email=email),
                          field="email")
    open_ones = db.session.scalars(open_nominations(delegation.id)).all()  # rows: see emails
    if any(invitation.email == email for invitation in open_ones):
        raise DomainError(_l("%(email)s is already nominated.", email=email), field="email")
    if delegation.quota is not None:
        used = seats_taken(delegation.edition_id, delegation_id=delegation.id) + len(open_ones)
        if used >= delegation.quota:
            raise DomainError(_l("Your delegation's quota of %(n)d is used by its delegates "
                                 "and open nominations.", n=delegation.quota))
    code = secrets.token_urlsafe(12)
    invitation = Invitation(edition_id=delegation.edition_id, email=email,
                            code_hash=hash_token(code), created_at=now,
                            delegation_id=delegation.id, category_id=category.id,
                            name=" ".join(name.split()))
    db.session.add(invitation)
    db.session.flush()
    return invitation, code


def withdraw_nomination(delegation: Delegation, user: User, invitation_id: int, *,
                        now: datetime) -> None:
    check_acts_for(user, delegation)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.delegation_id != delegation.id or invitation.used_at:
        raise DomainError(_l("This nomination can no longer be withdrawn."))
    invitation.revoked_at = now
    db.session.flush()


def member_of(delegation: Delegation, registration_id: int | None) -> Registration:
    """A registration of the delegation (anything else is refused)."""
    registration = db.session.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.delegation_id != delegation.id:
        raise DomainError(_l("This person is not in your delegation."))
    return registration


def endorse(delegation: Delegation, user: User, registration_id: int, *, now: datetime) -> None:
    check_acts_for(user, delegation)
    registration_service.endorse(member_of(delegation, registration_id), user, now=now)


def decline(delegation: Delegation, user: User, registration_id: int, *, now: datetime,
            site: MailSite) -> None:
    check_acts_for(user, delegation)
    registration_service.decline(member_of(delegation, registration_id), user, now=now, site=site,
                                 note=f"declined by the focal point of "
                                      f"{delegation.organization.name}")


def name_head(delegation: Delegation, user: User, registration_id: int, *,
              now: datetime) -> None:
    """One head of delegation: naming someone replaces the previous one."""
    check_acts_for(user, delegation)
    head = member_of(delegation, registration_id)
    if head.status in CLOSED:
        raise DomainError(_l("A cancelled or declined registration cannot lead the delegation."))
    db.session.execute(sa.update(Registration).where(
        Registration.delegation_id == delegation.id).values(head_of_delegation=False))
    head.head_of_delegation = True
    head.updated_at = now
    db.session.flush()


def substitute(delegation: Delegation, user: User, registration_id: int, *, name: str,
               email: str, category_id: int | None, now: datetime,
               site: MailSite) -> tuple[Invitation, str]:
    """Replace a delegate: their registration is cancelled (its badge revoked, its seat
    freed) and the substitute is nominated in their place."""
    check_acts_for(user, delegation)
    leaving = member_of(delegation, registration_id)
    if leaving.status in CLOSED:
        raise DomainError(_l("This registration is already closed."))
    replacement = " ".join(name.split())
    registration_service.cancel(leaving, now=now, site=site, user=user, actor="focal point",
                                note=f"substituted by {replacement}")
    leaving.head_of_delegation = False
    return nominate(delegation, user, name=replacement, email=email,
                    category_id=category_id or leaving.category_id, now=now)


# Reads

def members(delegation: Delegation) -> list[Registration]:
    return db.session.scalars(sa.select(Registration).where(
        Registration.delegation_id == delegation.id)
        .order_by(Registration.family_name, Registration.given_name, Registration.id)).all()


def awaiting_endorsement(delegation_id: int) -> sa.Select:
    """People claiming the delegation whom its focal point has not answered yet."""
    return (sa.select(Registration).where(
        Registration.delegation_id == delegation_id,
        Registration.endorsement == Endorsement.AWAITING,
        Registration.status.not_in(CLOSED))
        .order_by(Registration.created_at, Registration.id))


def seat_use(delegation: Delegation) -> dict[str, int | None]:
    return {"held": seats_taken(delegation.edition_id, delegation_id=delegation.id),
            "nominated": count_of(open_nominations(delegation.id)),
            "quota": delegation.quota}
