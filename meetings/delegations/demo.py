"""Demo delegations for the upcoming edition: focal points endorse before the secretariat
decides; two delegations with focal points and people in each state of a nomination, and a
third that has nominated nobody yet (it shows in the coverage report). People and
organizations are invented; rows are written directly, so loading the demo mails nobody."""

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from meetings.accounts.service import create_user, user_by_email
from meetings.delegations import service
from meetings.delegations.models import FocalPoint
from meetings.extensions import db
from meetings.models import Edition
from meetings.registration.configuration import settings_of
from meetings.registration.models import (
    LAW_ENFORCEMENT,
    Delegation,
    Endorsement,
    EndorsementRule,
    Invitation,
    OrganizationKind,
    Registration,
    RegistrationCategory,
    RegistrationEvent,
    RegistrationStatus,
)
from meetings.secret_tokens import hash_token

S = RegistrationStatus
DEMO_FOCAL_POINT_EMAIL = "focal.kenya@example.org"

# (organization, kind, country, quota, focal point name, email, accepted)
DELEGATIONS = (
    ("Kenya National Police Service", OrganizationKind.POLICE, "KE", 4, "Grace Wanjiku",
     DEMO_FOCAL_POINT_EMAIL, True),
    ("INTERPOL NCB Brasília", OrganizationKind.NCB, "BR", 3, "Rafael Souza",
     "focal.brazil@example.org", False),
    ("Policía Nacional de Colombia", OrganizationKind.POLICE, "CO", 2, "", "", False),
)

# (delegation index, given, family, status, endorsement, nominated, head, note)
PEOPLE = (
    (0, "Otieno", "Ochieng", S.APPROVED, Endorsement.ENDORSED, True, True, ""),
    (0, "Achieng", "Odhiambo", S.PENDING, Endorsement.ENDORSED, True, False, ""),
    (0, "Brian", "Kiprono", S.PENDING, Endorsement.AWAITING, False, False, ""),
    (0, "Samuel", "Mwangi", S.REJECTED, Endorsement.DECLINED, False, False,
     "declined by the focal point of Kenya National Police Service"),
    (0, "Faith", "Njeri", S.CANCELLED, Endorsement.ENDORSED, True, False,
     "substituted by Mercy Atieno"),
    (1, "Ana", "Pereira", S.PENDING, Endorsement.ENDORSED, True, True, ""),
)
# (delegation index, name, email, withdrawn): nominations not used to register yet.
OPEN_NOMINATIONS = (
    (0, "Mercy Atieno", "mercy.atieno@example.org", False),
    (1, "João Lima", "joao.lima@example.org", False),
    (1, "Carla Dias", "carla.dias@example.org", True),
)


def add_demo_delegations(edition: Edition, *, password: str | None,
                         now: datetime) -> list[Delegation]:
    """The delegations, their focal points, registrations and nominations; flushes, never
    commits. The accepted focal point gets an account that signs in with `password`; without
    one (a database that already had accounts) no invitation is accepted."""
    settings = settings_of(edition.id)
    service.set_endorsement_rule(settings, EndorsementRule.DELEGATIONS)
    law_enforcement = db.session.scalar(sa.select(RegistrationCategory.id).where(
        RegistrationCategory.edition_id == edition.id,
        RegistrationCategory.code == LAW_ENFORCEMENT))
    delegations = []
    for name, kind, country, quota, person, email, accepted in DELEGATIONS:
        delegation = service.add_delegation(edition, name=name, kind=kind, country=country,
                                            quota=quota)
        delegations.append(delegation)
        if not email:
            continue
        user = None
        accepted = accepted and password is not None
        if accepted:
            user = user_by_email(email) or create_user(email, password, name=person)
        db.session.add(FocalPoint(
            delegation=delegation, email=email, name=person,
            token_hash=hash_token(secrets.token_urlsafe(24)), invited_at=now - timedelta(days=20),
            accepted_at=now - timedelta(days=19) if accepted else None,
            user_id=user.id if user else None))
    for days, (index, given, family, status, endorsement, nominated, head, note) in enumerate(
            PEOPLE, start=3):
        delegation = delegations[index]
        when = now - timedelta(days=days)
        email = f"{given}.{family}@example.org".lower()
        invitation = Invitation(
            edition_id=edition.id, email=email, code_hash=hash_token(secrets.token_urlsafe(12)),
            created_at=when - timedelta(days=1), used_at=when, delegation_id=delegation.id,
            category_id=law_enforcement, name=f"{given} {family}") if nominated else None
        if invitation is not None:
            db.session.add(invitation)
            db.session.flush()
        registration = Registration(
            edition_id=edition.id, category_id=law_enforcement, status=status, email=email,
            given_name=given, family_name=family, organization=delegation.organization.name,
            job_title="Police officer", country=delegation.organization.country,
            consent_privacy_at=when, verified_at=when, created_at=when, updated_at=when,
            arrival=settings.next_arrival(), delegation_id=delegation.id,
            endorsement=endorsement, head_of_delegation=head,
            invitation_id=invitation.id if invitation else None)
        registration.history.append(RegistrationEvent(
            at=when, actor="attendee", to_status=status.value, note=note or "demo data"))
        db.session.add(registration)
    for index, name, email, withdrawn in OPEN_NOMINATIONS:
        db.session.add(Invitation(
            edition_id=edition.id, email=email, code_hash=hash_token(secrets.token_urlsafe(12)),
            created_at=now - timedelta(days=2), delegation_id=delegations[index].id,
            category_id=law_enforcement, name=name,
            revoked_at=now - timedelta(days=1) if withdrawn else None))
    db.session.flush()
    return delegations
