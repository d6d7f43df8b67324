"""When each device was last seen through the proxy, and which ones went quiet.

The proxy keeps an in-memory map (device -> last time) on its hot path and
hands it to `record` in its worker thread every ~30 seconds; one upsert per
device, never a write per request. A device key is its address
(``192.168.1.23``), its proxy user (``user:mia``) or its tunnel
(``wireguard:mia-phone``).

A listed device is flagged when, since it was last seen, the child's usual
hours have run for longer than the household's quiet time: a phone silent
all night is not flagged, one silent for three hours of a school afternoon is.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from guardian.household.devices import Device, client_ip, device_key
from guardian.household.windows import Schedule
from guardian.store import db
from guardian.words import Words

MAX_KEY = 120  # keys come from addresses and proxy user names; bound them anyway
MAX_LOOKBACK = timedelta(days=60)  # a device silent longer is flagged whenever any usual hour passed


def record(conn: sqlite3.Connection, seen: dict[str, float]) -> None:
    """Store a batch of {device key: last seen, epoch seconds} in one transaction. Blocking: worker thread."""
    if not seen:
        return
    rows: dict[str, int] = {}
    for key, at in seen.items():
        k, ms = device_key(key)[:MAX_KEY], int(at * 1000)  # addresses unwrapped (``::ffff:10.0.0.2``)
        rows[k] = max(ms, rows.get(k, 0))
    with db.transaction(conn):
        conn.executemany(
            """INSERT INTO devices_seen (device, first_ms, last_ms) VALUES (?, ?, ?)
               ON CONFLICT (device) DO UPDATE SET last_ms = MAX(last_ms, excluded.last_ms)""",
            [(k, ms, ms) for k, ms in rows.items()],
        )


def last_seen(conn: sqlite3.Connection) -> dict[str, datetime]:
    return {
        k: datetime.fromtimestamp(ms / 1000, UTC) for k, ms in conn.execute("SELECT device, last_ms FROM devices_seen")
    }


def last_for(device: Device, seen: dict[str, datetime]) -> datetime | None:
    """When a listed device was last seen; a range is as recent as its most recent address."""
    if device.tunnel is not None or device.user is not None:
        return seen.get(device_key(user=device.user, tunnel=device.tunnel))
    times = []
    for key, at in seen.items():
        ip = None if key.startswith(("user:", "wireguard:")) else client_ip(key)
        if (
            ip is not None
            and device.network is not None
            and ip.version == device.network.version
            and ip in device.network
        ):
            times.append(at)
    return max(times, default=None)


def _at(day: date, minute: int, tz: ZoneInfo) -> datetime:
    day = day + timedelta(days=minute // 1440)
    minute %= 1440
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz).astimezone(UTC)


def usual_time(start: datetime, end: datetime, usual: Schedule, tz: ZoneInfo) -> timedelta:
    """How much of [start, end) fell inside the usual hours (wall-clock windows in `tz`, DST included)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return timedelta(0)
    if usual.windows is None:
        return end - start
    start = max(start, end - MAX_LOOKBACK)
    spans = []
    day = start.astimezone(tz).date() - timedelta(days=1)  # yesterday's window may run past midnight
    last = end.astimezone(tz).date()
    while day <= last:
        for w in usual.windows:
            if day.weekday() in w.days:
                stop = w.end if w.end > w.start else w.end + 1440
                lo, hi = max(_at(day, w.start, tz), start), min(_at(day, stop, tz), end)
                if hi > lo:
                    spans.append((lo, hi))
        day += timedelta(days=1)
    total, reach = timedelta(0), start
    for lo, hi in sorted(spans):  # windows may overlap: count each moment once
        lo = max(lo, reach)
        if hi > lo:
            total += hi - lo
            reach = hi
    return total


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    device: str  # as written in the config
    last: datetime | None
    quiet: bool  # went quiet for longer than the quiet time during usual hours

    @property
    def never(self) -> bool:
        return self.last is None


def status(
    device: Device, seen: dict[str, datetime], now: datetime, usual: Schedule, tz: ZoneInfo, quiet: timedelta | None
) -> DeviceStatus:
    last = last_for(device, seen)
    flagged = quiet is not None and last is not None and usual_time(last, now, usual, tz) >= quiet
    return DeviceStatus(device.text, last, flagged)


def unlisted(devices: list[Device], seen: dict[str, datetime]) -> list[tuple[str, datetime]]:
    """Seen devices that no child lists (a new phone, a visitor), most recent first."""
    out = []
    for key, at in seen.items():
        probe = {key: at}
        if not any(last_for(d, probe) is not None for d in devices):
            out.append((key, at))
    return sorted(out, key=lambda kv: kv[1], reverse=True)


def ago(last: datetime | None, now: datetime, _: Words) -> str:
    """ "never", "just now", "12 min ago", "3 h ago", "2 days ago" (in `_`'s language)"""
    if last is None:
        return _("never")
    s = (now - last).total_seconds()
    if s < 90:
        return _("just now")
    if s < 3600:
        return _("%(minutes)d min ago", minutes=int(s // 60))
    if s < 2 * 86400:
        return _("%(hours)d h ago", hours=int(s // 3600))
    return _("%(days)d days ago", days=int(s // 86400))
