from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guardian.household.windows import UNRESTRICTED, Schedule, Window

# The week of Monday 2024-06-03 to Sunday 2024-06-09, then Monday 2024-06-10.
WEEK = {"mon": 3, "tue": 4, "wed": 5, "thu": 6, "fri": 7, "sat": 8, "sun": 9, "next-mon": 10}
BERLIN = ZoneInfo("Europe/Berlin")


def at(day: str, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime(2024, 6, WEEK[day], hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))


ALL = frozenset(range(7))


@pytest.mark.parametrize(
    ("text", "days", "start", "end", "normal"),
    [
        ("mon-fri 18:00-20:00", {0, 1, 2, 3, 4}, 18 * 60, 20 * 60, "mon-fri 18:00-20:00"),
        ("fri-mon 10:00-12:00", {4, 5, 6, 0}, 600, 720, "fri-mon 10:00-12:00"),
        ("tue-mon 10:00-12:00", ALL, 600, 720, "tue-mon 10:00-12:00"),
        ("sun-sun 00:00-01:00", {6}, 0, 60, "sun-sun 00:00-01:00"),
        ("daily 07:00-21:30", ALL, 420, 1290, "daily 07:00-21:30"),
        ("always", ALL, 0, 1440, "always"),
        ("  ALWAYS ", ALL, 0, 1440, "always"),
        ("mon,wed,sat-sun 09:00-10:00", {0, 2, 5, 6}, 540, 600, "mon,wed,sat-sun 09:00-10:00"),
        ("fri 22:00-01:00", {4}, 1320, 60, "fri 22:00-01:00"),
        ("sun 23:00-02:00", {6}, 1380, 120, "sun 23:00-02:00"),
        ("sat 20:00-24:00", {5}, 1200, 1440, "sat 20:00-24:00"),
        ("daily 00:00-24:00", ALL, 0, 1440, "daily 00:00-24:00"),
        ("  Mon-Fri    18:00-20:00 ", {0, 1, 2, 3, 4}, 1080, 1200, "mon-fri 18:00-20:00"),
    ],
)
def test_window_parse_good(text: str, days: set[int], start: int, end: int, normal: str) -> None:
    w = Window.parse(text)
    assert (w.days, w.start, w.end) == (frozenset(days), start, end)
    assert str(w) == w.text == normal


DAYS_HINT = "(days: mon, tue, wed, thu, fri, sat, sun)"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("mon-fri 18:00", "'mon-fri 18:00': expected a window like \"mon-fri 18:00-20:00\""),
        ("mon-fri", "'mon-fri': expected a window like \"mon-fri 18:00-20:00\""),
        ("", "'': expected a window like \"mon-fri 18:00-20:00\""),
        ("mon 10:00-11:00-12:00", "'mon 10:00-11:00-12:00': expected a window like \"mon-fri 18:00-20:00\""),
        ("mon 10:00-11:00 tue", "'mon 10:00-11:00 tue': expected a window like \"mon-fri 18:00-20:00\""),
        ("funday 18:00-20:00", f"'funday 18:00-20:00': 'funday' is not a day or day range like mon-fri {DAYS_HINT}"),
        ("monday 18:00-20:00", f"'monday 18:00-20:00': 'monday' is not a day or day range like mon-fri {DAYS_HINT}"),
        (
            "mon-tue-wed 10:00-11:00",
            f"'mon-tue-wed 10:00-11:00': 'mon-tue-wed' is not a day or day range like mon-fri {DAYS_HINT}",
        ),
        ("mon,,tue 10:00-11:00", f"'mon,,tue 10:00-11:00': '' is not a day or day range like mon-fri {DAYS_HINT}"),
        ("mon- 10:00-11:00", f"'mon- 10:00-11:00': 'mon-' is not a day or day range like mon-fri {DAYS_HINT}"),
        (
            "daily,mon 10:00-11:00",
            f"'daily,mon 10:00-11:00': 'daily' is not a day or day range like mon-fri {DAYS_HINT}",
        ),
        ("always 10:00-12:00", f"'always 10:00-12:00': 'always' is not a day or day range like mon-fri {DAYS_HINT}"),
        ("mon 25:00-26:00", "'mon 25:00-26:00': '25:00' is not a time like 18:00"),
        ("mon 9:00-10:00", "'mon 9:00-10:00': '9:00' is not a time like 18:00"),
        ("mon 10:60-11:00", "'mon 10:60-11:00': '10:60' is not a time like 18:00"),
        ("mon 10:00-24:30", "'mon 10:00-24:30': '24:30' is not a time like 18:00"),
        ("mon 10:00-", "'mon 10:00-': '' is not a time like 18:00"),
        ("mon 10h-11h", "'mon 10h-11h': '10h' is not a time like 18:00"),
        ("mon 24:00-01:00", "'mon 24:00-01:00': a window cannot start at 24:00"),
        ("mon 10:00-10:00", "'mon 10:00-10:00': start and end are the same; use \"daily 00:00-24:00\" for all day"),
        (5, 'expected a window like "mon-fri 18:00-20:00", got 5'),
        (None, 'expected a window like "mon-fri 18:00-20:00", got None'),
    ],
)
def test_window_parse_bad(text: object, error: str) -> None:
    with pytest.raises(ValueError) as e:
        Window.parse(text)  # type: ignore[arg-type]
    assert str(e.value) == error


@pytest.mark.parametrize(
    ("window", "day", "time", "inside"),
    [
        # Crossing midnight: the morning part belongs to the day the window started.
        ("fri 22:00-01:00", "fri", "22:00", True),
        ("fri 22:00-01:00", "fri", "23:59", True),
        ("fri 22:00-01:00", "sat", "00:30", True),
        ("fri 22:00-01:00", "sat", "00:59", True),
        ("fri 22:00-01:00", "sat", "01:00", False),
        ("fri 22:00-01:00", "fri", "21:59", False),
        ("fri 22:00-01:00", "fri", "00:30", False),  # Thursday night did not open it
        ("fri 22:00-01:00", "sat", "22:30", False),
        ("fri 22:00-01:00", "thu", "23:00", False),
        # Sunday night wraps to Monday morning.
        ("sun 23:00-02:00", "sun", "23:30", True),
        ("sun 23:00-02:00", "next-mon", "01:59", True),
        ("sun 23:00-02:00", "mon", "01:00", True),
        ("sun 23:00-02:00", "next-mon", "02:00", False),
        ("sun 23:00-02:00", "sun", "01:00", False),
        ("sun 23:00-02:00", "sat", "23:30", False),
        # 24:00 ends at midnight, not after it.
        ("sat 20:00-24:00", "sat", "23:59", True),
        ("sat 20:00-24:00", "sat", "20:00", True),
        ("sat 20:00-24:00", "sun", "00:00", False),
        ("sat 20:00-24:00", "sat", "19:59", False),
        # Day ranges that wrap round the end of the week.
        ("fri-mon 10:00-12:00", "fri", "10:00", True),
        ("fri-mon 10:00-12:00", "sat", "11:59", True),
        ("fri-mon 10:00-12:00", "sun", "10:30", True),
        ("fri-mon 10:00-12:00", "mon", "10:30", True),
        ("fri-mon 10:00-12:00", "mon", "12:00", False),
        ("fri-mon 10:00-12:00", "tue", "10:30", False),
        ("fri-mon 10:00-12:00", "wed", "10:30", False),
        ("fri-mon 10:00-12:00", "thu", "10:30", False),
        # Comma lists.
        ("mon,wed,sat-sun 09:00-10:00", "mon", "09:00", True),
        ("mon,wed,sat-sun 09:00-10:00", "wed", "09:59", True),
        ("mon,wed,sat-sun 09:00-10:00", "sun", "09:30", True),
        ("mon,wed,sat-sun 09:00-10:00", "tue", "09:30", False),
        ("mon,wed,sat-sun 09:00-10:00", "fri", "09:30", False),
        ("mon,wed,sat-sun 09:00-10:00", "wed", "10:00", False),
        ("daily 07:00-21:30", "tue", "07:00", True),
        ("daily 07:00-21:30", "sun", "21:29", True),
        ("daily 07:00-21:30", "sun", "21:30", False),
        ("daily 07:00-21:30", "mon", "06:59", False),
        ("always", "mon", "00:00", True),
        ("always", "sun", "23:59", True),
    ],
)
def test_window_contains(window: str, day: str, time: str, inside: bool) -> None:
    assert Window.parse(window).contains(at(day, time)) is inside


def test_window_ignores_seconds_but_not_minutes() -> None:
    w = Window.parse("mon 10:00-11:00")
    assert w.contains(at("mon", "10:59").replace(second=59))
    assert not w.contains(at("mon", "09:59").replace(second=59))


def _minutes_inside(schedule: Schedule, day: date, tz: ZoneInfo) -> tuple[int, list[str]]:
    """Real minutes of `day` (local midnight to midnight) the schedule allows, and the wall-clock times it allowed."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
    end = (datetime(day.year, day.month, day.day, tzinfo=tz) + timedelta(days=1)).astimezone(UTC)
    count, seen = 0, []
    instant = start
    while instant < end:
        local = instant.astimezone(tz)
        if schedule.allows(local):
            count += 1
            seen.append(f"{local:%H:%M%z}")
        instant += timedelta(minutes=1)
    return count, seen


def test_window_on_an_ordinary_berlin_day() -> None:
    count, seen = _minutes_inside(Schedule.parse(["daily 01:30-03:30"]), date(2024, 6, 2), BERLIN)
    assert count == 120
    assert (seen[0], seen[-1]) == ("01:30+0200", "03:29+0200")


def test_window_on_berlin_spring_forward_keeps_wall_clock_hours() -> None:
    # 2024-03-31 02:00 CET became 03:00 CEST: the wall clock skips 02:00-02:59.
    schedule = Schedule.parse(["daily 01:30-03:30"])
    count, seen = _minutes_inside(schedule, date(2024, 3, 31), BERLIN)
    assert count == 60
    assert seen[:2] == ["01:30+0100", "01:31+0100"]
    assert seen[29:31] == ["01:59+0100", "03:00+0200"]
    assert seen[-1] == "03:29+0200"
    # Pinned instants, in UTC.
    assert not schedule.allows(datetime(2024, 3, 31, 0, 29, tzinfo=UTC).astimezone(BERLIN))  # 01:29 CET
    assert schedule.allows(datetime(2024, 3, 31, 0, 30, tzinfo=UTC).astimezone(BERLIN))  # 01:30 CET
    assert schedule.allows(datetime(2024, 3, 31, 1, 0, tzinfo=UTC).astimezone(BERLIN))  # 03:00 CEST
    assert not schedule.allows(datetime(2024, 3, 31, 1, 30, tzinfo=UTC).astimezone(BERLIN))  # 03:30 CEST


def test_window_on_berlin_fall_back_covers_both_passes_of_the_repeated_hour() -> None:
    # 2024-10-27 03:00 CEST became 02:00 CET: the wall clock shows 02:00-02:59 twice.
    schedule = Schedule.parse(["daily 01:30-03:30"])
    count, seen = _minutes_inside(schedule, date(2024, 10, 27), BERLIN)
    assert count == 180
    assert seen.count("02:30+0200") == 1 and seen.count("02:30+0100") == 1
    first = datetime(2024, 10, 27, 0, 30, tzinfo=UTC).astimezone(BERLIN)
    second = datetime(2024, 10, 27, 1, 30, tzinfo=UTC).astimezone(BERLIN)
    assert (first.hour, first.minute, first.fold) == (2, 30, 0)
    assert (second.hour, second.minute, second.fold) == (2, 30, 1)
    assert schedule.allows(first) and schedule.allows(second)
    assert not schedule.allows(datetime(2024, 10, 27, 2, 30, tzinfo=UTC).astimezone(BERLIN))  # 03:30 CET
    assert not schedule.allows(datetime(2024, 10, 26, 23, 29, tzinfo=UTC).astimezone(BERLIN))  # 01:29 CEST


def test_schedule_none_is_unrestricted() -> None:
    schedule = Schedule.parse(None)
    assert schedule == UNRESTRICTED
    assert schedule.windows is None and schedule.texts() is None
    assert all(schedule.allows(at(day, "03:00")) for day in WEEK)


def test_schedule_empty_list_means_never() -> None:
    schedule = Schedule.parse([])
    assert schedule.windows == () and schedule.texts() == []
    assert not any(schedule.allows(at(day, t)) for day in WEEK for t in ("00:00", "12:00", "23:59"))


def test_schedule_single_string_is_one_window() -> None:
    schedule = Schedule.parse("sat-sun 10:00-20:00")
    assert schedule.texts() == ["sat-sun 10:00-20:00"]
    assert schedule.allows(at("sat", "10:00"))
    assert not schedule.allows(at("fri", "12:00"))


def test_schedule_is_the_union_of_its_windows() -> None:
    schedule = Schedule.parse(["mon-fri 18:00-20:00", "sat-sun 09:00-21:00"])
    assert schedule.texts() == ["mon-fri 18:00-20:00", "sat-sun 09:00-21:00"]
    assert schedule.allows(at("tue", "19:00"))
    assert schedule.allows(at("sun", "09:00"))
    assert not schedule.allows(at("tue", "09:00"))
    assert not schedule.allows(at("sat", "21:00"))


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (5, 'expected a list of windows like ["mon-fri 18:00-20:00"], got 5'),
        ({"mon": "10:00"}, "expected a list of windows like [\"mon-fri 18:00-20:00\"], got {'mon': '10:00'}"),
        (["mon 10:00-11:00", 7], 'expected a window like "mon-fri 18:00-20:00", got 7'),
        (["mon 10:00-11:00", "tue 10:00"], "'tue 10:00': expected a window like \"mon-fri 18:00-20:00\""),
    ],
)
def test_schedule_parse_bad(value: object, error: str) -> None:
    with pytest.raises(ValueError) as e:
        Schedule.parse(value)
    assert str(e.value) == error
