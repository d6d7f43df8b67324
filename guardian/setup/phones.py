"""Adding and removing a child's WireGuard device: its keys and its line in the config, together.

The config is edited with tomlkit, so the parent's comments and layout stay;
the new text is checked with the ordinary config parser before it replaces
the file (atomically), so a failed edit leaves the old config in force.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterable
from pathlib import Path

import tomlkit

from guardian.household import configfile
from guardian.household.devices import device_key
from guardian.setup import wireguard
from guardian.store import db, journal


def _edit(path: Path, change, known_apps: Iterable[str]) -> None:
    text = path.read_text(encoding="utf-8")
    doc = tomlkit.parse(text)
    change(doc)
    new = tomlkit.dumps(doc)
    configfile.parse(new, path, known_apps)  # raises ConfigError naming the key and the reason
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".guardian-", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(new)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _children(doc) -> list:
    children = doc.get("child")
    return list(children) if children is not None else []


def add(path: Path, child: str, name: str, known_apps: Iterable[str] = ()) -> wireguard.Tunnel:
    """Create a tunnel for a new device of `child` and list it in the config; ValueError says what is wrong."""
    wireguard.check_name(name)
    device = device_key(tunnel=name)
    config = configfile.load(path, known_apps)
    if config.child(child) is None:
        raise ValueError(f"there is no child called {child!r} in {path}")
    if any(d.text == device for c in config.children for d in c.devices):
        raise ValueError(f"a device called {name!r} already exists")
    try:
        tunnel = wireguard.create(path, name)
    except FileExistsError:
        raise ValueError(f"a device called {name!r} already has keys; remove it first") from None

    def change(doc) -> None:
        for table in _children(doc):
            if table.get("name") == child:
                devices = table.get("devices")
                if devices is None:
                    table["devices"] = [device]
                else:
                    devices.append(device)
                return

    try:
        _edit(path, change, known_apps)
    except BaseException:
        wireguard.revoke(path, name)
        raise
    return tunnel


def remove(path: Path, name: str, known_apps: Iterable[str] = ()) -> tuple[str | None, bool]:
    """Take the device out of the config, then delete its keys: its tunnel stops working.

    Returns the child it was listed for (None if none) and whether it had keys.
    """
    wireguard.check_name(name)
    device = device_key(tunnel=name)
    found = []

    def change(doc) -> None:
        for table in _children(doc):
            devices = table.get("devices")
            if devices is not None and device in [str(d) for d in devices]:
                index = [str(d) for d in devices].index(device)
                del devices[index]
                found.append(table.get("name"))

    _edit(path, change, known_apps)
    revoked = wireguard.revoke(path, name)
    return (str(found[0]) if found else None), revoked


def record(conn: sqlite3.Connection, action: str, child: str | None, name: str, at_ms: int) -> None:
    """Record and journal that a phone was added or removed: it changes which traffic a child's limits cover."""
    device = device_key(tunnel=name)
    with db.transaction(conn):
        conn.execute(
            """INSERT INTO devices (device, child, action, at_ms) VALUES (?, ?, ?, ?)
               ON CONFLICT (device) DO UPDATE
               SET child = excluded.child, action = excluded.action, at_ms = excluded.at_ms""",
            (device, child, action, at_ms),
        )
        journal.append(conn, "device", None, {"action": action, "child": child, "device": device}, at_ms)
