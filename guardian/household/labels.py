"""Config keys in a parent's words: ``child[0].caps.day`` is "Mia's day cap".

Errors keep the key (for whoever edits the file, with its line) and say it
with these labels, so the dashboard and `guardian check` name the child and
the setting rather than the file's structure.
"""

from __future__ import annotations

import re

HOUSEHOLD = {  # what the dashboard's Household page sets
    "household.currency": "the household's currency",
    "household.timezone": "the household's time zone",
    "household.week_starts": "the first day of the week",
    "household.unknown_devices": "unlisted devices",
    "household.rates": "the exchange rates",
    "household.quiet_warning": "the quiet-device warning",
    "household.usual_hours": "the usual hours",
    "proxy.listen": "the proxy's address",
}

CHILD = {
    "id": "id",
    "name": "name",
    "devices": "devices",
    "unknown_amount": "setting for unknown amounts",
    "usual_hours": "usual hours",
    "caps.per_purchase": "per-purchase cap",
    "caps.day": "day cap",
    "caps.week": "week cap",
    "caps.month": "month cap",
    "caps.per_minute": "purchases-per-minute limit",
    "windows.purchases": "purchase hours",
    "ask.over": "ask-a-parent amount",
    "ask.apps": "ask-a-parent apps",
    "ask.wait": "ask-a-parent wait",
    "ask.valid": "ask-a-parent valid time",
    "ask": "ask-a-parent settings",
}

_CHILD_KEY = re.compile(r"^child\[(\d+)\](?:\.(.+))?$")


def child_setting(name: str, rest: str) -> str:
    """One child's setting: ("Mia", "caps.day") is "Mia's day cap"."""
    if rest.startswith("windows.apps."):
        return f"{name}'s hours for {rest.removeprefix('windows.apps.')}"
    return f"{name}'s {CHILD.get(rest, rest or 'settings')}"


def label(key: str, names: list[str] | tuple[str, ...] = ()) -> str | None:
    """The words for `key`, given the children's names in file order (a child without one is "child 2")."""
    if key in HOUSEHOLD:
        return HOUSEHOLD[key]
    m = _CHILD_KEY.match(key)
    if m is None:
        return None
    index, rest = int(m.group(1)), m.group(2) or ""
    name = names[index] if index < len(names) and names[index] else f"child {index + 1}"
    return child_setting(name, rest)
