"""Editing the config file from the dashboard (a child's limits, the notification channels), keeping comments.

The new text is checked with the same parser the proxy uses
(`guardian.household.configfile.parse`) before anything is written, so a bad value is
reported with the loader's own message (file, key, reason) and never reaches
the file. The write is atomic: a temporary file beside the config, renamed
over it, so the proxy's reloader never reads half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit

from guardian.household import configfile
from guardian.household.config import Config

CAPS = ("per_purchase", "day", "week", "month", "per_minute")


@dataclass(frozen=True, slots=True)
class ChildLimits:
    """A child's limits as a form gives them: text, "" meaning no cap; None windows meaning any time."""

    devices: list[str] = field(default_factory=list)
    caps: dict[str, str] = field(default_factory=dict)
    purchases: list[str] | None = None
    apps: dict[str, list[str] | None] = field(default_factory=dict)


def _set(table, key: str, value) -> None:
    if value is None:
        if key in table:
            del table[key]
    else:
        table[key] = value


def _table(parent, key: str):
    if key not in parent:
        parent[key] = tomlkit.table()
    return parent[key]


def _cap_value(name: str, text: str):
    text = text.strip()
    if not text:
        return None
    if name == "per_minute" and text.isascii() and text.isdigit():
        return int(text)
    return text  # amounts are text; a non-number per_minute is left for the parser to name


def edit_child(text: str, index: int, limits: ChildLimits) -> str:
    """The config text with child `index`'s devices, caps and windows replaced."""
    doc = tomlkit.parse(text)
    children = doc.get("child")
    if children is None or not 0 <= index < len(children):
        raise ValueError(f"there is no child number {index + 1} in the config")
    child = children[index]
    child["devices"] = [d.strip() for d in limits.devices if d.strip()]
    caps = _table(child, "caps")
    for name in CAPS:
        _set(caps, name, _cap_value(name, limits.caps.get(name, "")))
    windows = _table(child, "windows")
    _set(windows, "purchases", None if limits.purchases is None else [w.strip() for w in limits.purchases if w.strip()])
    apps = _table(windows, "apps")
    for app, schedule in limits.apps.items():
        _set(apps, app, None if schedule is None else [w.strip() for w in schedule if w.strip()])
    return tomlkit.dumps(doc)


def atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.chmod(tmp, path.stat().st_mode & 0o777)
        except FileNotFoundError:
            pass
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save_child(path: Path, index: int, limits: ChildLimits, known_apps: Iterable[str] = ()) -> Config:
    """Validate and write; raises ConfigError (nothing written) or ValueError for a missing child."""
    text = path.read_text(encoding="utf-8")
    new = edit_child(text, index, limits)
    parsed = configfile.parse(new, path, known_apps)
    atomic_write(path, new)
    return parsed


def save(path: Path, change: Callable[[tomlkit.TOMLDocument], None], known_apps: Iterable[str] = ()) -> Config:
    """Apply `change` to the parsed file, validate, and write; raises ConfigError (nothing written)."""
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    change(doc)
    new = tomlkit.dumps(doc)
    parsed = configfile.parse(new, path, known_apps)
    atomic_write(path, new)
    return parsed
