"""What organizers and focal points read about delegations: each delegate's progress from
registration to the door, and the coverage of countries and regions."""

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from meetings.badges.models import Badge
from meetings.checkin.models import CheckIn
from meetings.countries import country_name
from meetings.delegations.service import CLOSED, members
from meetings.extensions import db
from meetings.registration.models import (
    SEAT_HOLDING,
    Delegation,
    Invitation,
    Organization,
    Registration,
)
from meetings.registration.reports import region_of
from meetings.visas.models import VisaRequest


@dataclass(frozen=True)
class Progress:
    """One delegate's way to the meeting, as the focal point and organizers follow it."""

    registration: Registration
    visa: str  # "" when no letter was asked for, else the latest request's status
    badge_printed: bool
    checked_in: bool


def progress(delegation: Delegation) -> list[Progress]:
    """Every person of the delegation with their visa, badge and check-in state (4 queries)."""
    people = members(delegation)
    ids = [registration.id for registration in people]
    visas: dict[int, str] = {}
    for registration_id, status in db.session.execute(
            sa.select(VisaRequest.registration_id, VisaRequest.status)
            .where(VisaRequest.registration_id.in_(ids)).order_by(VisaRequest.id)):
        visas[registration_id] = status.value  # the latest request wins
    printed = set(db.session.scalars(sa.select(Badge.registration_id).where(
        Badge.registration_id.in_(ids), Badge.printed_at.is_not(None))))
    arrived = set(db.session.scalars(sa.select(CheckIn.registration_id).where(
        CheckIn.registration_id.in_(ids), CheckIn.admitted.is_(True))))
    return [Progress(r, visas.get(r.id, ""), r.id in printed, r.id in arrived) for r in people]


@dataclass(frozen=True)
class Coverage:
    """Which countries take part, and which delegations have nobody coming yet."""

    countries: list[tuple[str, str, int]]  # code, name, people holding a seat
    regions: list[tuple[str, int, int]]  # region, countries, people
    silent: list[tuple[str, str, str]]  # country code, country name, organization


def coverage(edition_id: int) -> Coverage:
    people = Counter(dict(db.session.execute(
        sa.select(Registration.country, sa.func.count(Registration.id))
        .where(Registration.edition_id == edition_id, Registration.status.in_(SEAT_HOLDING),
               Registration.country != "")
        .group_by(Registration.country)).all()))
    countries = sorted(((code, country_name(code), count) for code, count in people.items()),
                       key=lambda row: (-row[2], row[1]))
    regions: dict[str, list[int]] = {}
    for code, _, count in countries:
        totals = regions.setdefault(region_of(code) or "", [0, 0])
        totals[0] += 1
        totals[1] += count
    active = (sa.select(Registration.delegation_id).where(
        Registration.delegation_id.is_not(None), Registration.status.not_in(CLOSED))
        .union(sa.select(Invitation.delegation_id).where(
            Invitation.delegation_id.is_not(None), Invitation.revoked_at.is_(None))))
    silent = db.session.execute(
        sa.select(Organization.country, Organization.name).join(
            Delegation, Delegation.organization_id == Organization.id)
        .where(Delegation.edition_id == edition_id, Delegation.id.not_in(active))
        .order_by(Organization.country, Organization.name)).all()
    return Coverage(
        countries=countries,
        regions=sorted(((region, n, total) for region, (n, total) in regions.items()),
                       key=lambda row: (-row[2], row[0])),
        silent=[(code, country_name(code) if code else "", name) for code, name in silent])
