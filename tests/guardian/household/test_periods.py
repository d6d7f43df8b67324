from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guardian.household.periods import WEEKDAYS, Calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY, SUNDAY = WEEKDAYS.index("monday"), WEEKDAYS.index("sunday")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("tz", "now", "day", "week", "month"),
    [
        # 2024-06-06 00:30 in Shanghai (Thursday) is still 06-05 in UTC.
        (SHANGHAI, utc(2024, 6, 5, 16, 30), utc(2024, 6, 5, 16), utc(2024, 6, 2, 16), utc(2024, 5, 31, 16)),
        # One minute before Shanghai midnight belongs to the day before.
        (SHANGHAI, utc(2024, 6, 5, 15, 59), utc(2024, 6, 4, 16), utc(2024, 6, 2, 16), utc(2024, 5, 31, 16)),
        # Berlin in summer time (UTC+2): Saturday 2024-06-08 12:00.
        (BERLIN, utc(2024, 6, 8, 10), utc(2024, 6, 7, 22), utc(2024, 6, 2, 22), utc(2024, 5, 31, 22)),
        # Berlin in winter (UTC+1); its month started in winter too.
        (BERLIN, utc(2024, 1, 17, 12), utc(2024, 1, 16, 23), utc(2024, 1, 14, 23), utc(2023, 12, 31, 23)),
        # April in Berlin started on summer time, the day after the change.
        (BERLIN, utc(2024, 4, 15, 12), utc(2024, 4, 14, 22), utc(2024, 4, 14, 22), utc(2024, 3, 31, 22)),
        # New York, 2024-11-06 (Wednesday, EST, UTC-5); its week and month started on EDT (UTC-4).
        (NEW_YORK, utc(2024, 11, 6, 15), utc(2024, 11, 6, 5), utc(2024, 11, 4, 5), utc(2024, 11, 1, 4)),
        # 2024-11-03 01:30 EST, the second pass of the repeated hour: the day began on EDT.
        (NEW_YORK, utc(2024, 11, 3, 6, 30), utc(2024, 11, 3, 4), utc(2024, 10, 28, 4), utc(2024, 11, 1, 4)),
        # 20:00 on 2024-06-30 in New York is already July in UTC.
        (NEW_YORK, utc(2024, 7, 1, 0), utc(2024, 6, 30, 4), utc(2024, 6, 24, 4), utc(2024, 6, 1, 4)),
    ],
)
def test_day_week_month_starts(tz: ZoneInfo, now: datetime, day: datetime, week: datetime, month: datetime) -> None:
    cal = Calendar(tz, MONDAY)
    assert cal.day_start(now) == day
    assert cal.week_start(now) == week
    assert cal.month_start(now) == month
    for start in (cal.day_start(now), cal.week_start(now), cal.month_start(now)):
        assert start.utcoffset() == timedelta(0)
        local = start.astimezone(tz)
        assert (local.hour, local.minute) == (0, 0)


def test_starts_do_not_depend_on_the_zone_now_is_written_in() -> None:
    cal = Calendar(SHANGHAI, MONDAY)
    instant = utc(2024, 6, 5, 16, 30)
    for zone in (UTC, BERLIN, NEW_YORK, SHANGHAI):
        assert cal.day_start(instant.astimezone(zone)) == utc(2024, 6, 5, 16)


def test_naive_now_is_refused() -> None:
    cal = Calendar(SHANGHAI, MONDAY)
    for method in (cal.local, cal.day_start, cal.week_start, cal.month_start):
        with pytest.raises(ValueError, match="^now must be timezone-aware$"):
            method(datetime(2024, 6, 5, 12))


def test_local_converts_to_the_household_zone() -> None:
    local = Calendar(SHANGHAI, MONDAY).local(utc(2024, 6, 5, 16, 30))
    assert (local.date(), local.hour, local.minute, local.utcoffset()) == (date(2024, 6, 6), 0, 30, timedelta(hours=8))


@pytest.mark.parametrize(
    ("tz", "day", "hours", "start"),
    [
        (BERLIN, date(2024, 3, 31), 23, utc(2024, 3, 30, 23)),
        (BERLIN, date(2024, 10, 27), 25, utc(2024, 10, 26, 22)),
        (BERLIN, date(2024, 6, 8), 24, utc(2024, 6, 7, 22)),
        (NEW_YORK, date(2024, 3, 10), 23, utc(2024, 3, 10, 5)),
        (NEW_YORK, date(2024, 11, 3), 25, utc(2024, 11, 3, 4)),
        (SHANGHAI, date(2024, 3, 31), 24, utc(2024, 3, 30, 16)),
        # Santiago changes clocks at midnight: 00:00 does not exist, the day starts at 01:00 (-03).
        (ZoneInfo("America/Santiago"), date(2024, 9, 8), 23, utc(2024, 9, 8, 4)),
    ],
)
def test_day_bounds_follow_dst(tz: ZoneInfo, day: date, hours: int, start: datetime) -> None:
    first, after = Calendar(tz, MONDAY).day_bounds(day)
    assert first == start
    assert after - first == timedelta(hours=hours)
    assert after == Calendar(tz, MONDAY).day_bounds(day + timedelta(days=1))[0]


def test_day_start_on_a_dst_day_is_that_days_midnight() -> None:
    cal = Calendar(BERLIN, MONDAY)
    # 23:30 local on the 25-hour day is 22:30 UTC: still the same local day.
    assert cal.day_start(utc(2024, 10, 27, 22, 30)) == utc(2024, 10, 26, 22)
    assert cal.day_start(utc(2024, 10, 27, 23, 0)) == utc(2024, 10, 27, 23)
    # 23:30 local on the 23-hour day is 21:30 UTC.
    assert cal.day_start(utc(2024, 3, 31, 21, 30)) == utc(2024, 3, 30, 23)
    assert cal.day_start(utc(2024, 3, 31, 22, 0)) == utc(2024, 3, 31, 22)


@pytest.mark.parametrize(
    ("now", "week_starts", "start"),
    [
        # Wednesday 2024-06-05 12:00 Shanghai.
        (utc(2024, 6, 5, 4), MONDAY, utc(2024, 6, 2, 16)),
        (utc(2024, 6, 5, 4), SUNDAY, utc(2024, 6, 1, 16)),
        # On the first day of the week itself.
        (utc(2024, 6, 3, 4), MONDAY, utc(2024, 6, 2, 16)),
        (utc(2024, 6, 9, 4), SUNDAY, utc(2024, 6, 8, 16)),
        # Sunday is the last day of a Monday week and the first of a Sunday week.
        (utc(2024, 6, 9, 4), MONDAY, utc(2024, 6, 2, 16)),
        # Saturday is the last day of a Sunday week.
        (utc(2024, 6, 8, 4), SUNDAY, utc(2024, 6, 1, 16)),
        # A week that starts on a Saturday.
        (utc(2024, 6, 5, 4), WEEKDAYS.index("saturday"), utc(2024, 5, 31, 16)),
    ],
)
def test_week_starts_monday_or_sunday(now: datetime, week_starts: int, start: datetime) -> None:
    assert Calendar(SHANGHAI, week_starts).week_start(now) == start


def test_week_across_a_month_boundary() -> None:
    cal = Calendar(BERLIN, MONDAY)
    now = utc(2024, 8, 1, 12)  # Thursday 1 August
    assert cal.week_start(now) == utc(2024, 7, 28, 22)  # Monday 29 July, CEST
    assert cal.month_start(now) == utc(2024, 7, 31, 22)
    assert cal.week_of(date(2024, 8, 1)) == (date(2024, 7, 29), date(2024, 8, 4))


@pytest.mark.parametrize(
    ("week_starts", "week_start", "first", "last"),
    [
        (MONDAY, utc(2024, 12, 29, 16), date(2024, 12, 30), date(2025, 1, 5)),
        (SUNDAY, utc(2024, 12, 28, 16), date(2024, 12, 29), date(2025, 1, 4)),
    ],
)
def test_week_across_a_year_boundary(week_starts: int, week_start: datetime, first: date, last: date) -> None:
    cal = Calendar(SHANGHAI, week_starts)
    now = utc(2025, 1, 1, 10)  # Wednesday 1 January 2025, 18:00 in Shanghai
    assert cal.week_start(now) == week_start
    assert cal.month_start(now) == utc(2024, 12, 31, 16)
    assert cal.day_start(now) == utc(2024, 12, 31, 16)
    assert cal.week_of(date(2025, 1, 1)) == (first, last)
    assert cal.week_of(first) == cal.week_of(last) == (first, last)
    assert cal.week_of(last + timedelta(days=1))[0] == last + timedelta(days=1)


def test_new_years_eve_in_new_york_is_still_last_year() -> None:
    cal = Calendar(NEW_YORK, SUNDAY)
    now = utc(2025, 1, 1, 3)  # 22:00 on 31 December in New York
    assert cal.month_start(now) == utc(2024, 12, 1, 5)
    assert cal.week_start(now) == utc(2024, 12, 29, 5)


def test_week_containing_dst_change_is_one_hour_short() -> None:
    cal = Calendar(BERLIN, MONDAY)
    first, last = cal.week_of(date(2024, 3, 31))
    assert (first, last) == (date(2024, 3, 25), date(2024, 3, 31))
    start, _ = cal.day_bounds(first)
    _, end = cal.day_bounds(last)
    assert end - start == timedelta(days=7, hours=-1)
