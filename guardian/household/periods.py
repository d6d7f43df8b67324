"""The household's day, week and month, as UTC instants.

A day is midnight to midnight on the household's wall clock, so a DST day is
23 or 25 hours long. Where midnight itself does not exist (a few zones change
clocks at 00:00), zoneinfo maps it to the first instant that does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    local = datetime.combine(day, time(0), tzinfo=tz)
    # Round-trip through UTC to normalise a non-existent local midnight.
    return local.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Calendar:
    tz: ZoneInfo
    week_starts: int  # 0 = Monday

    def local(self, now: datetime) -> datetime:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return now.astimezone(self.tz)

    def day_start(self, now: datetime) -> datetime:
        return _midnight(self.local(now).date(), self.tz)

    def week_start(self, now: datetime) -> datetime:
        today = self.local(now).date()
        back = (today.weekday() - self.week_starts) % 7
        return _midnight(today - timedelta(days=back), self.tz)

    def month_start(self, now: datetime) -> datetime:
        return _midnight(self.local(now).date().replace(day=1), self.tz)

    def week_of(self, day: date) -> tuple[date, date]:
        """First and last local date of the week holding `day`."""
        first = day - timedelta(days=(day.weekday() - self.week_starts) % 7)
        return first, first + timedelta(days=6)

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        return _midnight(day, self.tz), _midnight(day + timedelta(days=1), self.tz)
