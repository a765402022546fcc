"""Pure time-zone helpers: local wall-clock time in an edition's zone <-> UTC instants."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class LocalTimeError(ValueError):
    """A local time that cannot name exactly one instant."""


class NonexistentLocalTime(LocalTimeError):
    pass


class AmbiguousLocalTime(LocalTimeError):
    pass


class OutOfRangeLocalTime(NonexistentLocalTime):
    """A year outside FIRST_YEAR..LAST_YEAR.

    A NonexistentLocalTime so that callers catching only gaps still answer with a form error.
    """


FIRST_YEAR, LAST_YEAR = 1900, 2200


def is_valid_timezone(name: str) -> bool:
    """True for an IANA zone name such as 'Europe/Amsterdam'."""
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return name in timezone_names() or name == "UTC"


def timezone_names() -> list[str]:
    """The sorted IANA zone names offered in forms."""
    names = available_timezones()
    return sorted(name for name in names if "/" in name and not name.startswith("Etc/"))


def to_utc(local: datetime, zone_name: str) -> datetime:
    """Turn a naive local time in `zone_name` into a UTC instant; refuse gaps, folds, far years."""
    if not FIRST_YEAR <= local.year <= LAST_YEAR:
        raise OutOfRangeLocalTime(
            f"{local:%Y-%m-%d %H:%M} is out of range: "
            f"enter a year from {FIRST_YEAR} to {LAST_YEAR}."
        )
    zone = ZoneInfo(zone_name)
    first = local.replace(tzinfo=zone, fold=0)
    second = local.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        # Both folds differ: either the clock jumped over this time or it happened twice.
        round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != local:
            raise NonexistentLocalTime(
                f"{local:%Y-%m-%d %H:%M} does not exist in {zone_name}: "
                "the clocks skip that hour for daylight saving time."
            )
        raise AmbiguousLocalTime(
            f"{local:%Y-%m-%d %H:%M} happens twice in {zone_name}: "
            "the clocks repeat that hour when daylight saving time ends. Choose another time."
        )
    return first.astimezone(UTC)


def to_local(instant: datetime, zone_name: str) -> datetime:
    """The wall-clock time of a UTC instant in `zone_name` (aware)."""
    return instant.astimezone(ZoneInfo(zone_name))


def local_day_bounds(day: date, zone_name: str) -> tuple[datetime, datetime]:
    """The UTC instants at which a local date starts and ends in `zone_name`."""
    zone = ZoneInfo(zone_name)
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def zone_abbreviation(instant: datetime, zone_name: str) -> str:
    """A short label for the zone at that instant: 'CET', 'CEST', or '+08' where none exists."""
    return to_local(instant, zone_name).tzname() or zone_name


def city_of(zone_name: str) -> str:
    """'Asia/Singapore' -> 'Singapore', 'America/Argentina/Buenos_Aires' -> 'Buenos Aires'."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")
