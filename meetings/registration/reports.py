"""Reads for the back office: the filtered registrations table and the dashboard counts."""

from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from meetings.dates import to_local
from meetings.extensions import db
from meetings.registration.erased_counts import ErasedRegistrationCount
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


def erased_count_by(edition_id: int, column) -> Counter:
    """The same count over the anonymous rows left by erased and purged registrations."""
    rows = db.session.execute(
        sa.select(column, sa.func.sum(ErasedRegistrationCount.count))
        .where(ErasedRegistrationCount.edition_id == edition_id).group_by(column))
    return Counter({value: total for value, total in rows})


def count_by(edition_id: int, column) -> list[tuple[str, int]]:
    """(value, count) pairs of one column over an edition's registrations, erased ones
    included as their anonymous counts, largest first."""
    rows = db.session.execute(
        sa.select(column, sa.func.count(Registration.id))
        .where(Registration.edition_id == edition_id).group_by(column))
    counts = Counter({value.value if hasattr(value, "value") else value: count
                      for value, count in rows})
    counts.update(erased_count_by(edition_id, getattr(ErasedRegistrationCount, column.key)))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0] or ""))


def counts_by_category(edition_id: int) -> list[tuple[str, int, int | None]]:
    """(category name, registrations including erased ones, quota) for every category."""
    rows = db.session.execute(
        sa.select(RegistrationCategory.id, RegistrationCategory.name,
                  sa.func.count(Registration.id), RegistrationCategory.quota)
        .outerjoin(Registration, Registration.category_id == RegistrationCategory.id)
        .where(RegistrationCategory.edition_id == edition_id)
        .group_by(RegistrationCategory.id, RegistrationCategory.name, RegistrationCategory.quota)
        .order_by(RegistrationCategory.position))
    erased = erased_count_by(edition_id, ErasedRegistrationCount.category_id)
    return [(name, count + erased[category_id], quota)
            for category_id, name, count, quota in rows]


def daily_counts(edition_id: int, zone: str) -> list[tuple[date, int]]:
    """Registrations per local day of the edition's zone (erased ones included), every day from
    the first to the last."""
    stamps = db.session.scalars(sa.select(Registration.created_at).where(
        Registration.edition_id == edition_id)).all()
    per_day = Counter(to_local(stamp, zone).date() for stamp in stamps)
    per_day.update(erased_count_by(edition_id, ErasedRegistrationCount.day))
    if not per_day:
        return []
    first, last = min(per_day), max(per_day)
    return [(first + timedelta(days=i), per_day.get(first + timedelta(days=i), 0))
            for i in range((last - first).days + 1)]
