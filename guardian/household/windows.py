"""Weekly time windows such as "mon-fri 18:00-20:00".

Grammar: ``DAYS HH:MM-HH:MM`` where DAYS is a day (``mon``), a range
(``mon-fri``, ``fri-mon`` wraps), a comma list of either (``mon,wed,sat-sun``),
``daily`` or ``always``; ``always`` takes no hours. The end may be ``24:00``.
An end at or before the start crosses midnight: ``fri 22:00-01:00`` runs
from Friday 22:00 to Saturday 01:00. Times are the household's wall clock,
so a window keeps its hours across DST changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def _parse_time(text: str, whole: str) -> int:
    m = _TIME.match(text)
    if not m or (m.group(1) == "24" and m.group(2) != "00"):
        raise ValueError(f"{whole!r}: {text!r} is not a time like 18:00")
    return int(m.group(1)) * 60 + int(m.group(2))


def _parse_days(text: str, whole: str) -> frozenset[int]:
    if text == "daily":
        return frozenset(range(7))
    days: set[int] = set()
    for part in text.split(","):
        ends = part.split("-")
        if len(ends) > 2 or not all(e in DAYS for e in ends):
            raise ValueError(f"{whole!r}: {part!r} is not a day or day range like mon-fri (days: {', '.join(DAYS)})")
        first, last = DAYS.index(ends[0]), DAYS.index(ends[-1])
        day = first
        while True:
            days.add(day)
            if day == last:
                break
            day = (day + 1) % 7
    return frozenset(days)


@dataclass(frozen=True, slots=True)
class Window:
    """Starts on each of `days` at `start` minutes past midnight, lasts until `end`."""

    days: frozenset[int]
    start: int
    end: int
    text: str

    @classmethod
    def parse(cls, text: str) -> Window:
        if not isinstance(text, str):
            raise ValueError(f'expected a window like "mon-fri 18:00-20:00", got {text!r}')
        whole = " ".join(text.lower().split())
        if whole == "always":
            return cls(frozenset(range(7)), 0, 24 * 60, whole)
        parts = whole.split(" ")
        if len(parts) != 2 or parts[1].count("-") != 1:
            raise ValueError(f'{text!r}: expected a window like "mon-fri 18:00-20:00"')
        days = _parse_days(parts[0], text)
        start_text, end_text = parts[1].split("-")
        start, end = _parse_time(start_text, text), _parse_time(end_text, text)
        if start == 24 * 60:
            raise ValueError(f"{text!r}: a window cannot start at 24:00")
        if start == end:
            raise ValueError(f'{text!r}: start and end are the same; use "daily 00:00-24:00" for all day')
        return cls(days, start, end, whole)

    def contains(self, local: datetime) -> bool:
        """Whether the household wall-clock time `local` falls inside the window."""
        minute = local.hour * 60 + local.minute
        today = local.weekday()
        if self.start < self.end:
            return today in self.days and self.start <= minute < self.end
        # Crosses midnight: the evening part belongs to today, the morning part to yesterday's start.
        yesterday = (today - 1) % 7
        return (today in self.days and minute >= self.start) or (yesterday in self.days and minute < self.end)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Schedule:
    """A set of windows. `None` windows mean no restriction; an empty tuple means never."""

    windows: tuple[Window, ...] | None

    @classmethod
    def parse(cls, value: object) -> Schedule:
        if value is None:
            return cls(None)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ValueError(f'expected a list of windows like ["mon-fri 18:00-20:00"], got {value!r}')
        return cls(tuple(Window.parse(v) for v in value))

    def allows(self, local: datetime) -> bool:
        if self.windows is None:
            return True
        return any(w.contains(local) for w in self.windows)

    def texts(self) -> list[str] | None:
        return None if self.windows is None else [w.text for w in self.windows]


UNRESTRICTED = Schedule(None)
