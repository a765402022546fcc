"""Reads for the back office: the filtered registrations table and the dashboard counts."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from babel.core import get_global
from sqlalchemy.orm import joinedload

from meetings.dates import to_local
from meetings.extensions import db
from meetings.i18n import lazy_gettext as _l
from meetings.registration import signals
from meetings.registration.erased_counts import ErasedRegistrationCount
from meetings.registration.models import (
    SEAT_HOLDING,
    Registration,
    RegistrationCategory,
    RegistrationStatus,
)


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


def waiting_positions(edition_id: int) -> dict[int, int]:
    """{registration id: place in the waiting list} for every waitlisted registration."""
    ids = db.session.scalars(sa.select(Registration.id).where(
        Registration.edition_id == edition_id,
        Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.arrival, Registration.id)).all()
    return {registration_id: place for place, registration_id in enumerate(ids, start=1)}


def cumulative(points: list[tuple[date, int]]) -> list[tuple[date, int, int]]:
    """(day, registrations that day, registrations so far) for every day."""
    total, rows = 0, []
    for day, count in points:
        total += count
        rows.append((day, count, total))
    return rows


@dataclass(frozen=True)
class CategoryLine:
    """One category on the dashboard: its registrations by status against its quota."""

    name: str
    quota: int | None
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def holding(self) -> int:
        """Registrations that hold a seat (pending and approved), what the quota limits."""
        return sum(self.by_status.get(status.value, 0) for status in SEAT_HOLDING)


def category_status_lines(edition_id: int) -> list[CategoryLine]:
    """Every category with its counts per status (erased registrations included)."""
    categories = db.session.scalars(sa.select(RegistrationCategory).where(
        RegistrationCategory.edition_id == edition_id)
        .order_by(RegistrationCategory.position, RegistrationCategory.id)).all()
    counts: dict[int, Counter] = {category.id: Counter() for category in categories}
    for category_id, status, count in db.session.execute(
            sa.select(Registration.category_id, Registration.status, sa.func.count(Registration.id))
            .where(Registration.edition_id == edition_id)
            .group_by(Registration.category_id, Registration.status)):
        counts[category_id][status.value] += count
    for row in db.session.scalars(sa.select(ErasedRegistrationCount).where(
            ErasedRegistrationCount.edition_id == edition_id)):
        counts[row.category_id][row.status] += row.count
    return [CategoryLine(category.name, category.quota, dict(counts[category.id]))
            for category in categories]


# A country's region, read from the continent of its main time zone (CLDR, through Babel).
REGION_OF_ZONE_AREA = {"Africa": _l("Africa"), "America": _l("Americas"), "Asia": _l("Asia"),
                       "Europe": _l("Europe"), "Australia": _l("Oceania"),
                       "Pacific": _l("Oceania"), "Atlantic": _l("Atlantic islands"),
                       "Indian": _l("Indian Ocean islands"), "Antarctica": _l("Antarctica")}


def region_of(country: str) -> str:
    """The region of a country code ('' when unknown or erased)."""
    zones = get_global("territory_zones").get((country or "").upper(), [])
    return str(REGION_OF_ZONE_AREA.get(zones[0].split("/")[0], "")) if zones else ""


def count_by_region(by_country: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """(region, count) pairs from the per-country counts, largest first."""
    regions = Counter()
    for country, count in by_country:
        regions[region_of(country)] += count
    return sorted(regions.items(), key=lambda item: (-item[1], item[0]))


def workshop_occupancy(edition_id: int) -> list[tuple[str, int, int | None, int]]:
    """(workshop title, confirmed places, capacity, waiting), as the features that hold
    workshop places answer (attendance, through signals.workshop_occupancy)."""
    return [row for _, rows in signals.workshop_occupancy.send(edition_id) for row in rows]


def workshop_choices(edition_id: int) -> dict[int, list[str]]:
    """{registration id: its workshops by title}, through signals.workshop_choices."""
    choices: dict[int, list[str]] = {}
    for _, answer in signals.workshop_choices.send(edition_id):
        for registration_id, titles in answer.items():
            choices.setdefault(registration_id, []).extend(titles)
    return choices
