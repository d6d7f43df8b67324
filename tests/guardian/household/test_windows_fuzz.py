"""Property tests: windows and schedules parse or raise ValueError, and parsed ones answer for any time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.household.windows import DAYS, Schedule, Window

FUZZ = settings(max_examples=300, deadline=None)
day = st.sampled_from([*DAYS, "daily", "always", "Mon", "xyz", ""])
days = st.lists(st.one_of(day, st.builds(lambda a, b: f"{a}-{b}", day, day)), min_size=1, max_size=3).map(",".join)
clock = st.one_of(
    st.from_regex(r"\A[0-9]{1,2}:[0-9]{1,2}\Z"), st.sampled_from(["24:00", "24:01", "00:00", "-1:00", ""])
)
windowish = st.one_of(
    st.builds(lambda d, a, b, sp: f"{d}{sp}{a}-{b}", days, clock, clock, st.sampled_from([" ", "  ", "\t", "", " - "])),
    st.text(max_size=30),
)
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))


@FUZZ
@given(windowish, moments)
def test_window_parse(text, local):
    try:
        window = Window.parse(text)
    except ValueError as e:
        assert str(e)
        return
    assert window.days and window.days <= frozenset(range(7))
    assert 0 <= window.start < 24 * 60 and 0 <= window.end <= 24 * 60 and window.start != window.end
    assert window.contains(local) in (True, False)
    assert Window.parse(str(window)) == window  # the canonical text parses to the same window


@FUZZ
@given(
    st.one_of(
        st.none(),
        windowish,
        st.lists(windowish, max_size=3),
        st.integers(),
        st.dictionaries(st.text(max_size=2), st.text(max_size=2), max_size=2),
    ),
    moments,
    st.integers(-12, 14),
)
def test_schedule_parse(value, local, hours):
    try:
        schedule = Schedule.parse(value)
    except ValueError:
        return
    assert schedule.allows(local.replace(tzinfo=timezone(timedelta(hours=hours)))) in (True, False)
    if value == []:
        assert not schedule.allows(local)  # an empty list means never
