"""Delegations' answers to registration's signals (connected when the package is imported)."""

import sqlalchemy as sa

from meetings.delegations.models import FocalPoint
from meetings.extensions import db
from meetings.models import AuditEntry, Edition
from meetings.registration import signals
from meetings.registration.models import Delegation, Registration
from meetings.registration.privacy import redact_audit


@signals.manage_page.connect
def manage_page_part(registration: Registration, *, token: str) -> dict:
    """The attendee sees the delegation they belong to and whether its focal point endorsed
    them (the secretariat decides after the focal point)."""
    if registration.delegation is None:
        return {}
    return {"page_sections": ["delegations/_manage_section.html"]}


@signals.purging.connect
def forget_focal_points(edition: Edition) -> list[sa.Table]:
    """The edition's purge takes its focal points' names and addresses, and their addresses out
    of the audit log (their accounts, which other editions may use, stay; the mails sent to them
    go with `purge --due`)."""
    delegations = sa.select(Delegation.id).where(Delegation.edition_id == edition.id)
    points = FocalPoint.delegation_id.in_(delegations)
    for email in db.session.scalars(sa.select(FocalPoint.email).where(points)):
        redact_audit(email)
    db.session.execute(sa.delete(FocalPoint).where(points))
    return [FocalPoint.__table__, AuditEntry.__table__]
