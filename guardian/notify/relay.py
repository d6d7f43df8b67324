"""Which desktop shows Guardian's notifications: the parent's, named in the config, or none.

- ``[notifications] desktop_user`` is the account this process runs as (Guardian run by the parent in
  their own session): plyer shows them here.
- It names another account (the service runs as ``guardian``): `Relay` hands each one to the agent in
  that account's session (guardian.store.desktop_notes, guardian.notify.agent).
- It is not set: desktop notifications are off; the dashboard and the other channels carry them.
A child's own session is never a target, whoever started the process.
"""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path

from guardian.household.config import Config
from guardian.notify.desktop import MAX_BODY, MAX_TITLE, Notifier, PlyerNotifier, clean
from guardian.store import desktop_notes
from guardian.store.db import connect, ms


class Relay:
    """A notifier that queues notifications for the parent's desktop agent; it cannot fail."""

    def __init__(self, db: Path):
        self.db = db

    def notify(self, title: str, body: str) -> None:
        conn = connect(self.db)
        try:
            desktop_notes.post(conn, clean(title, MAX_TITLE), clean(body, MAX_BODY), ms(datetime.now(UTC)))
        finally:
            conn.close()


def running_as() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def desktop(config: Config, me: str | None = None) -> Notifier | None:
    """The notifier for this process, or None when desktop notifications are off."""
    parent = config.desktop_user
    if parent is None:
        return None
    if parent == (me if me is not None else running_as()):
        return PlyerNotifier()
    return Relay(config.storage)
