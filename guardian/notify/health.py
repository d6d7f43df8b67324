"""Alerts about Guardian's own reach: a child's device that stopped going through it.

The Devices page flags a device silent for longer than the household's quiet
time during its child's usual hours (guardian.setup.devices_seen). This turns
the flag into a notification (kind ``device-quiet``, the "health" group of the
phone channels), once per silence: a device seen again and then silent again
is told again.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from guardian import words
from guardian.household.config import Config
from guardian.setup import devices_seen
from guardian.store import db, outbox

DEVICE_QUIET = "device-quiet"


def quiet_devices(conn: sqlite3.Connection, config: Config, now: datetime) -> list[int]:
    """Post ``device-quiet`` for each listed device newly flagged; returns the events posted."""
    household = config.household
    if household.quiet_warning is None:
        return []
    seen = devices_seen.last_seen(conn)
    _ = words.of(household.language)
    posted = []
    for child in config.children:
        usual = child.usual_hours or household.usual_hours
        for device in child.devices:
            st = devices_seen.status(device, seen, now, usual, household.calendar.tz, household.quiet_warning)
            if not st.quiet or st.last is None:
                continue
            title = _("%(child)s: %(device)s stopped going through Guardian", child=child.name, device=device.text)
            if outbox.posted_since(conn, DEVICE_QUIET, child.name, title, db.ms(st.last)):
                continue
            since = f"{household.calendar.local(st.last):%m-%d %H:%M}"
            body = _(
                "Last seen %(when)s. Is its tunnel off, its proxy setting removed, or is it on another network?",
                when=since,
            )
            posted.append(outbox.post(conn, DEVICE_QUIET, child.name, title, body, db.ms(now), "/devices"))
    return posted
