"""Adding and removing a child's WireGuard device: its keys and its line in the config, together.

The config is edited with tomlkit, so the parent's comments and layout stay;
the new text is checked with the ordinary config parser before it replaces
the file (atomically), so a failed edit leaves the old config in force.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from guardian.household import configfile, editor, edits
from guardian.household.config import Config
from guardian.household.devices import device_key
from guardian.setup import wireguard
from guardian.store import db, journal
from guardian.words import N_, Said


def which_child(config: Config, text: str):
    """The child a parent means (a name, or an id); ValueError listing the children otherwise."""
    child = config.named(text)
    if child is None:
        names = ", ".join(c.name for c in config.children)
        if not names:
            raise Said(N_("there is no child called %(name)s, and no children yet"), name=repr(text))
        raise Said(
            N_("there is no child called %(name)s; the children are: %(children)s"), name=repr(text), children=names
        )
    return child


def add(path: Path, child: str, name: str, known_apps: Iterable[str] = ()) -> wireguard.Tunnel:
    """Create a tunnel for a new device of `child` (a name or an id) and list it in the config.

    ValueError says what is wrong.
    """
    wireguard.check_name(name)
    device = device_key(tunnel=name)
    config = configfile.load(path, known_apps)
    owner = which_child(config, child)
    if any(d.text == device for c in config.children for d in c.devices):
        raise ValueError(f"a device called {name!r} already exists")
    try:
        tunnel = wireguard.create(path, name)
    except FileExistsError:
        raise ValueError(f"a device called {name!r} already has keys; remove it first") from None
    try:
        editor.update(path, lambda doc: edits.add_device(doc, owner.id, device), known_apps)
    except BaseException:
        wireguard.revoke(path, name)
        raise
    return tunnel


def remove(path: Path, name: str, known_apps: Iterable[str] = ()) -> tuple[str | None, bool]:
    """Take the device out of the config, then delete its keys: its tunnel stops working.

    Returns the id of the child it was listed for (None if none) and whether it had keys.
    """
    wireguard.check_name(name)
    _, owner = editor.update(path, lambda doc: edits.remove_device(doc, device_key(tunnel=name)), known_apps)
    revoked = wireguard.revoke(path, name)
    return owner, revoked


def revoke_all(path: Path, devices: Iterable[str]) -> list[str]:
    """Delete the keys of every phone among `devices` (a removed child's): their tunnels stop working."""
    revoked = []
    for device in devices:
        if device.startswith("wireguard:") and wireguard.revoke(path, device.removeprefix("wireguard:")):
            revoked.append(device.removeprefix("wireguard:"))
    return revoked


def record(conn: sqlite3.Connection, action: str, child: str | None, name: str, at_ms: int) -> None:
    """Record and journal that a phone was added or removed (for the child with id `child`): it changes which
    traffic a child's limits cover."""
    device = device_key(tunnel=name)
    with db.transaction(conn):
        conn.execute(
            """INSERT INTO devices (device, child, action, at_ms) VALUES (?, ?, ?, ?)
               ON CONFLICT (device) DO UPDATE
               SET child = excluded.child, action = excluded.action, at_ms = excluded.at_ms""",
            (device, child, action, at_ms),
        )
        journal.append(conn, "device", None, {"action": action, "child": child, "device": device}, at_ms)
