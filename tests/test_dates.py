"""meetings/dates.py: local wall-clock times in an edition's zone and UTC instants."""

from datetime import UTC, date, datetime

import pytest

from meetings.dates import (
    AmbiguousLocalTime,
    LocalTimeError,
    NonexistentLocalTime,
    city_of,
    is_valid_timezone,
    local_day_bounds,
    timezone_names,
    to_local,
    to_utc,
    zone_abbreviation,
)


@pytest.mark.parametrize(("name", "valid"), [
    ("Europe/Amsterdam", True), ("Asia/Singapore", True), ("America/Argentina/Buenos_Aires", True),
    ("UTC", True), ("Mars/Olympus_Mons", False), ("", False), (" Europe/Amsterdam", False),
    ("europe/amsterdam", False), ("../../etc/passwd", False), ("Europe/Amsterdam\x00", False),
])
def test_is_valid_timezone(name, valid):
    assert is_valid_timezone(name) is valid


def test_timezone_names_are_sorted_region_names():
    names = timezone_names()
    assert names == sorted(names)
    assert "Europe/Amsterdam" in names and "Asia/Singapore" in names
    assert not any(name.startswith("Etc/") or "/" not in name for name in names)


@pytest.mark.parametrize(("local", "zone", "instant"), [
    (datetime(2027, 1, 15, 10, 0), "Europe/Amsterdam", datetime(2027, 1, 15, 9, 0, tzinfo=UTC)),
    (datetime(2027, 7, 15, 10, 0), "Europe/Amsterdam", datetime(2027, 7, 15, 8, 0, tzinfo=UTC)),
    (datetime(2019, 7, 3, 9, 0), "Asia/Singapore", datetime(2019, 7, 3, 1, 0, tzinfo=UTC)),
    (datetime(2027, 3, 28, 1, 59), "Europe/Amsterdam", datetime(2027, 3, 28, 0, 59, tzinfo=UTC)),
    (datetime(2027, 3, 28, 3, 0), "Europe/Amsterdam", datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),
    (datetime(2027, 10, 31, 3, 0), "Europe/Amsterdam", datetime(2027, 10, 31, 2, 0, tzinfo=UTC)),
    (datetime(2020, 11, 23, 14, 0), "UTC", datetime(2020, 11, 23, 14, 0, tzinfo=UTC)),
])
def test_to_utc(local, zone, instant):
    assert to_utc(local, zone) == instant
    assert to_local(instant, zone).replace(tzinfo=None) == local


@pytest.mark.parametrize("local", [datetime(2027, 3, 28, 2, 0), datetime(2027, 3, 28, 2, 30),
                                   datetime(2027, 3, 28, 2, 59)])
def test_to_utc_refuses_times_skipped_by_the_clock(local):
    with pytest.raises(NonexistentLocalTime, match="does not exist in Europe/Amsterdam"):
        to_utc(local, "Europe/Amsterdam")


@pytest.mark.parametrize("local", [datetime(2027, 10, 31, 2, 0), datetime(2027, 10, 31, 2, 30)])
def test_to_utc_refuses_times_that_happen_twice(local):
    with pytest.raises(AmbiguousLocalTime, match="happens twice"):
        to_utc(local, "Europe/Amsterdam")
    assert issubclass(AmbiguousLocalTime, LocalTimeError)
    assert issubclass(LocalTimeError, ValueError)


def test_to_utc_in_the_southern_hemisphere():
    # Sydney leaves summer time on the first Sunday of April: 02:30 happens twice.
    with pytest.raises(AmbiguousLocalTime):
        to_utc(datetime(2027, 4, 4, 2, 30), "Australia/Sydney")
    with pytest.raises(NonexistentLocalTime):
        to_utc(datetime(2027, 10, 3, 2, 30), "Australia/Sydney")


def test_to_local_keeps_the_instant():
    instant = datetime(2027, 3, 28, 8, 0, tzinfo=UTC)
    local = to_local(instant, "Europe/Amsterdam")
    assert local == instant and (local.hour, local.tzname()) == (10, "CEST")


def test_local_day_bounds_follow_daylight_saving():
    start, end = local_day_bounds(date(2027, 3, 28), "Europe/Amsterdam")
    assert start == datetime(2027, 3, 27, 23, 0, tzinfo=UTC)
    assert end == datetime(2027, 3, 28, 22, 0, tzinfo=UTC)
    assert (end - start).total_seconds() == 23 * 3600
    start, end = local_day_bounds(date(2027, 10, 31), "Europe/Amsterdam")
    assert (end - start).total_seconds() == 25 * 3600
    assert local_day_bounds(date(2019, 7, 3), "Asia/Singapore") == (
        datetime(2019, 7, 2, 16, 0, tzinfo=UTC), datetime(2019, 7, 3, 16, 0, tzinfo=UTC))


@pytest.mark.parametrize(("instant", "zone", "label"), [
    (datetime(2027, 1, 15, 9, 0, tzinfo=UTC), "Europe/Amsterdam", "CET"),
    (datetime(2027, 7, 15, 9, 0, tzinfo=UTC), "Europe/Amsterdam", "CEST"),
    (datetime(2019, 7, 3, 1, 0, tzinfo=UTC), "Asia/Singapore", "+08"),
    (datetime(2019, 7, 3, 1, 0, tzinfo=UTC), "UTC", "UTC"),
])
def test_zone_abbreviation(instant, zone, label):
    assert zone_abbreviation(instant, zone) == label


@pytest.mark.parametrize(("zone", "city"), [
    ("Asia/Singapore", "Singapore"), ("America/Argentina/Buenos_Aires", "Buenos Aires"),
    ("Europe/Amsterdam", "Amsterdam"), ("UTC", "UTC"),
])
def test_city_of(zone, city):
    assert city_of(zone) == city
