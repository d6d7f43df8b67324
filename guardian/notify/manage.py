"""Adding, testing and removing one of the parent's channels: its line in the config and its address, together.

The route (kind, name, events) goes into guardian.toml through the config
editor (checked by the config's own parser first, written whole); the address
into the address book, a file only the service reads. A failed config write
takes the address back out. Every change is recorded with its author, and an
address only ever in its masked form.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping

import tomlkit

from guardian.household import editor
from guardian.household.config import Config
from guardian.household.routes import EVENTS
from guardian.notify import addressbook, addresses, messages
from guardian.notify.addresses import Address
from guardian.notify.channels import Sender
from guardian.notify.desktop import NotifyError
from guardian.notify.messages import Message
from guardian.store import changes, db, sends
from guardian.words import N_, Words

TEST = (N_("Guardian test"), N_("A test from Guardian: questions and alerts will arrive like this."))
MAX_CHANNELS = 20


def new_id(config: Config, name: str, kind: str) -> str:
    """A short id from the label (or the kind), not used by another channel."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:24] or kind
    taken = {r.id for r in config.channels}
    ident, n = base, 1
    while ident in taken:
        n += 1
        ident = f"{base}-{n}"
    return ident


def _channels(doc: tomlkit.TOMLDocument):
    if "notifications" not in doc:
        doc["notifications"] = tomlkit.table()
    notifications = doc["notifications"]
    if "channel" not in notifications:
        notifications["channel"] = tomlkit.aot()
    return notifications["channel"]


def add(
    config: Config,
    kind: str,
    name: str,
    address_text: str,
    token: str = "",
    to: str = "",
    events: Iterable[str] = EVENTS,
    known_apps: Iterable[str] = (),
) -> tuple[str, Address]:
    """Check the address, store it, and list the channel in the config; ValueError (or ConfigError) says why not."""
    if len(config.channels) >= MAX_CHANNELS:
        raise ValueError(f"there are {MAX_CHANNELS} channels already; remove one first")
    address = addresses.parse(kind, address_text, token, to)
    label = " ".join(name.split())[:40] or addresses.BRANDS[kind]
    ident = new_id(config, label, kind)
    chosen = [e for e in EVENTS if e in set(events)]

    def change(doc: tomlkit.TOMLDocument) -> None:
        table = tomlkit.table()
        table.update({"id": ident, "kind": kind, "name": label, "events": chosen})
        _channels(doc).append(table)

    book = addressbook.path_for(config)
    addressbook.put(book, ident, address)
    try:
        editor.save(config.path, change, known_apps)
    except BaseException:
        addressbook.remove(book, ident)
        raise
    return ident, address


def remove(config: Config, ident: str, conn: sqlite3.Connection, known_apps: Iterable[str] = ()) -> bool:
    """Take the channel out of the config and forget its address and what waited for it; False if unknown."""
    if ident not in {r.id for r in config.channels}:
        return False

    def change(doc: tomlkit.TOMLDocument) -> None:
        channels = _channels(doc)
        for i in reversed(range(len(channels))):
            if channels[i].get("id") == ident:
                del channels[i]

    editor.save(config.path, change, known_apps)
    addressbook.remove(addressbook.path_for(config), ident)
    sends.forget(conn, ident)
    return True


def route(
    config: Config, events: Mapping[str, Iterable[str]], escalate_after: int, known_apps: Iterable[str] = ()
) -> Config:
    """Which events each channel takes, and how long a question waits before it is urgent."""

    def change(doc: tomlkit.TOMLDocument) -> None:
        channels = _channels(doc)
        doc["notifications"]["escalate_after"] = escalate_after
        for table in channels:
            if table.get("id") in events:
                wanted = set(events[table["id"]])
                table["events"] = [e for e in EVENTS if e in wanted]
        if not channels:
            del doc["notifications"]["channel"]

    return editor.save(config.path, change, known_apps)


def test(
    conn: sqlite3.Connection,
    ident: str,
    address: Address,
    make_sender: Callable[[Address, Words], Sender],
    now_ms: int,
    _: Words,
) -> tuple[bool, str]:
    """Send the test message now, in `_`'s language; (True, words) when the channel took it, else (False, why).

    Recorded as a request: it counts against the channel's limits, and a test that worked ends its rest."""
    head = messages.witness(conn)
    message = Message(_(TEST[0]), f"{_(TEST[1])}\n{head}".strip())
    try:
        make_sender(address, _).send(message)
    except NotifyError as e:
        sends.record(conn, ident, now_ms, [], error=str(e), permanent=e.permanent, test=True)
        return False, str(e)
    sends.record(conn, ident, now_ms, [], test=True)
    return True, _("%(who)s took the test message. Check that it arrived.", who=_(addresses.LABELS[address.kind]))


def record(conn: sqlite3.Connection, what: str, detail: dict, at_ms: int, author: str) -> None:
    """A change to the channels, for the change list and the journal (the address only masked)."""
    with db.transaction(conn):
        changes.record(conn, what, detail, at_ms, author)
