"""A weekly moment such as "sun 19:00", for scheduled reports.

Grammar: ``DAY HH:MM`` with DAY one of mon tue wed thu fri sat sun, in the
household's time zone; or ``off``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from guardian.household.windows import DAYS

_AT = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True, slots=True)
class Weekly:
    day: int  # 0 = Monday
    hour: int
    minute: int

    @classmethod
    def parse(cls, text: object) -> Weekly | None:
        """None for "off"."""
        if not isinstance(text, str):
            raise ValueError(f"expected a day and time like \"sun 19:00\" or \"off\", got {text!r}")
        whole = " ".join(text.lower().split())
        if whole == "off":
            return None
        m = _AT.match(whole)
        if not m:
            raise ValueError(f"expected a day and time like \"sun 19:00\" or \"off\", got {text!r}")
        return cls(DAYS.index(m.group(1)), int(m.group(2)), int(m.group(3)))

    def __str__(self) -> str:
        return f"{DAYS[self.day]} {self.hour:02d}:{self.minute:02d}"


def keep_days(value: object) -> int:
    """How many days of records to keep: a whole number from 30, or 0 to keep everything."""
    if isinstance(value, bool) or not isinstance(value, int) or not (value == 0 or 30 <= value <= 36500):
        raise ValueError(f"expected a whole number of days from 30 to 36500, or 0 to keep everything, got {value!r}")
    return value
