"""The household's times that are not limits: the weekly report's moment, when devices are usually in use,
how long one may be quiet, how long records are kept.

A weekly moment: ``DAY HH:MM`` with DAY one of mon tue wed thu fri sat sun, in
the household's time zone; or ``off``. A quiet time: ``2h``, ``90m``, ``1h30m``,
``1d``; or ``off``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from guardian.household.windows import DAYS, Schedule, Window

_AT = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):([0-5]\d)$")
_DURATION = re.compile(r"^(?:(\d{1,3})d)?(?:(\d{1,4})h)?(?:(\d{1,5})m)?$")
USUAL_HOURS = Schedule((Window.parse("daily 07:00-21:00"),))  # default [household] usual_hours


@dataclass(frozen=True, slots=True)
class Weekly:
    day: int  # 0 = Monday
    hour: int
    minute: int

    @classmethod
    def parse(cls, text: object) -> Weekly | None:
        """None for "off"."""
        if not isinstance(text, str):
            raise ValueError(f'expected a day and time like "sun 19:00" or "off", got {text!r}')
        whole = " ".join(text.lower().split())
        if whole == "off":
            return None
        m = _AT.match(whole)
        if not m:
            raise ValueError(f'expected a day and time like "sun 19:00" or "off", got {text!r}')
        return cls(DAYS.index(m.group(1)), int(m.group(2)), int(m.group(3)))

    def __str__(self) -> str:
        return f"{DAYS[self.day]} {self.hour:02d}:{self.minute:02d}"


def keep_days(value: object) -> int:
    """How many days of records to keep: a whole number from 30, or 0 to keep everything."""
    if isinstance(value, bool) or not isinstance(value, int) or not (value == 0 or 30 <= value <= 36500):
        raise ValueError(f"expected a whole number of days from 30 to 36500, or 0 to keep everything, got {value!r}")
    return value


def parse_quiet(value: object) -> timedelta | None:
    """A quiet time like "2h", "90m", "1h30m" or "1d"; "off" (None) never warns."""
    if not isinstance(value, str):
        raise ValueError(f'expected a duration like "2h", "90m" or "off", got {value!r}')
    text = value.strip().lower().replace(" ", "")
    if text == "off":
        return None
    m = _DURATION.match(text)
    if not text or not m:
        raise ValueError(f'expected a duration like "2h", "90m", "1h30m" or "off", got {value!r}')
    d, h, mins = (int(g) if g else 0 for g in m.groups())
    quiet = timedelta(days=d, hours=h, minutes=mins)
    if quiet < timedelta(minutes=5):
        raise ValueError(f'{value!r} is too short to mean anything; use at least "5m" (or "off")')
    return quiet
