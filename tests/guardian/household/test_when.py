"""The household's times: the quiet time's grammar and the usual hours' default."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from guardian.household.when import USUAL_HOURS, parse_quiet


@pytest.mark.parametrize(
    "text,want",
    [
        ("2h", timedelta(hours=2)),
        ("90m", timedelta(minutes=90)),
        ("1h30m", timedelta(minutes=90)),
        ("1d", timedelta(days=1)),
        ("off", None),
    ],
)
def test_parse_quiet(text, want):
    assert parse_quiet(text) == want


@pytest.mark.parametrize(
    "text,error",
    [("2 hours", "expected a duration"), ("", "expected a duration"), ("1m", "too short"), (2, "expected a duration")],
)
def test_parse_quiet_refuses(text, error):
    with pytest.raises(ValueError, match=error):
        parse_quiet(text)


def test_usual_hours_default_to_seven_to_nine_every_day():
    assert USUAL_HOURS.allows(datetime(2026, 3, 7, 7, 0)) and USUAL_HOURS.allows(datetime(2026, 3, 8, 20, 59))
    assert not USUAL_HOURS.allows(datetime(2026, 3, 7, 21, 0)) and not USUAL_HOURS.allows(datetime(2026, 3, 7, 6, 59))
