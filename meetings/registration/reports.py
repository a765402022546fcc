"""Reads for the back office: the filtered registrations table and the dashboard counts."""

from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from meetings.dates import to_local
from meetings.extensions import db
from meetings.registration.models import Registration, RegistrationCategory, RegistrationStatus


def registrations_for(edition_id: int, *, search: str = "", status: str = "",
                      category_id: int | None = None, country: str = "") -> sa.Select:
    """An edition's registrations, filtered, newest first, with their category loaded."""
    query = (sa.select(Registration).where(Registration.edition_id == edition_id)
             .options(joinedload(Registration.category))
             .order_by(Registration.created_at.desc(), Registration.id.desc()))
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(sa.or_(*(sa.func.lower(column).like(pattern) for column in (
            Registration.given_name, Registration.family_name, Registration.email,
            Registration.organization))))
    if status in RegistrationStatus._value2member_map_:
        query = query.where(Registration.status == RegistrationStatus(status))
    if category_id:
        query = query.where(Registration.category_id == category_id)
    if country:
        query = query.where(Registration.country == country.upper()[:2])
    return query


def count_by(edition_id: int, column) -> list[tuple[str, int]]:
    """(value, count) pairs of one column over an edition's registrations, largest first."""
    rows = db.session.execute(
        sa.select(column, sa.func.count(Registration.id))
        .where(Registration.edition_id == edition_id)
        .group_by(column).order_by(sa.func.count(Registration.id).desc(), column))
    return [(value.value if hasattr(value, "value") else value, count) for value, count in rows]


def counts_by_category(edition_id: int) -> list[tuple[str, int, int | None]]:
    """(category name, registrations, quota) for every category of the edition."""
    rows = db.session.execute(
        sa.select(RegistrationCategory.name, sa.func.count(Registration.id),
                  RegistrationCategory.quota)
        .outerjoin(Registration, Registration.category_id == RegistrationCategory.id)
        .where(RegistrationCategory.edition_id == edition_id)
        .group_by(RegistrationCategory.id, RegistrationCategory.name, RegistrationCategory.quota)
        .order_by(RegistrationCategory.position))
    return [tuple(row) for row in rows]


def daily_counts(edition_id: int, zone: str) -> list[tuple[date, int]]:
    """Registrations per local day of the edition's zone, every day from the first to the last."""
    stamps = db.session.scalars(sa.select(Registration.created_at).where(
        Registration.edition_id == edition_id)).all()
    per_day = Counter(to_local(stamp, zone).date() for stamp in stamps)
    if not per_day:
        return []
    first, last = min(per_day), max(per_day)
    return [(first + timedelta(days=i), per_day.get(first + timedelta(days=i), 0))
            for i in range((last - first).days + 1)]
