"""Runtime overrides a parent sets from the dashboard and the proxy obeys at once.

Two kinds, stored in the database (not the config) so they apply within one
purchase and need no reload:

- a lock: every child's purchases are refused until it is lifted, or until
  its end time passes (``until_ms``);
- an extra allowance: a child's day cap is raised by an amount for one local
  date (several allowances for the same day add up).

The proxy reads them inside the ledger's write transaction, so a purchase
judged after the parent pressed "lock" is refused. Each new override and each
lifted lock is journaled (kinds ``override`` and ``override-cleared``) with
the row it writes, so `guardian verify` can check the table.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from guardian.household.money import SCALE, Money
from guardian.household.periods import Calendar
from guardian.store import db, journal

LOCK, EXTRA = "lock", "extra"
ADDED, CLEARED = "override", "override-cleared"  # journal kinds


@dataclass(frozen=True, slots=True)
class Overrides:
    """What is in force for one child at one instant."""

    locked: bool = False
    locked_until_ms: int | None = None  # None with locked: until unlocked
    extra_day: Decimal = Decimal(0)  # added to today's day cap


NONE = Overrides()


def active(conn: sqlite3.Connection, child: str | None, now: datetime, calendar: Calendar) -> Overrides:
    """Overrides in force for `child` at `now`; call inside the caller's transaction."""
    now_ms = db.ms(now)
    lock = conn.execute(
        "SELECT until_ms FROM overrides WHERE kind = 'lock' AND cleared_ms IS NULL"
        " AND (until_ms IS NULL OR until_ms > ?) ORDER BY until_ms IS NULL DESC, until_ms DESC LIMIT 1",
        (now_ms,),
    ).fetchone()
    extra = Decimal(0)
    if child is not None:
        today = calendar.local(now).date().isoformat()
        units = conn.execute(
            "SELECT COALESCE(SUM(amount_units), 0) FROM overrides"
            " WHERE kind = 'extra' AND cleared_ms IS NULL AND child = ? AND day = ?",
            (child, today),
        ).fetchone()[0]
        extra = Decimal(units) / SCALE
    return Overrides(lock is not None, None if lock is None else lock[0], extra)


def lock(conn: sqlite3.Connection, now: datetime, until: datetime | None = None) -> int:
    """Lock all purchases from `now` until `until` (None: until unlocked). Call inside a transaction."""
    if until is not None and until <= now:
        raise ValueError("the lock's end must be in the future")
    return _insert(conn, LOCK, None, None, None, 0, None if until is None else db.ms(until), db.ms(now))


def unlock(conn: sqlite3.Connection, now: datetime) -> int:
    """Lift every lock; returns how many were in force."""
    now_ms = db.ms(now)
    ids = [
        i
        for (i,) in conn.execute(
            "SELECT id FROM overrides"
            " WHERE kind = 'lock' AND cleared_ms IS NULL AND (until_ms IS NULL OR until_ms > ?)",
            (now_ms,),
        ).fetchall()
    ]
    for i in ids:
        conn.execute("UPDATE overrides SET cleared_ms = ? WHERE id = ?", (now_ms, i))
        journal.append(conn, CLEARED, i, {"cleared_ms": now_ms}, now_ms)
    return len(ids)


def extra(conn: sqlite3.Connection, child: str, amount: Money, day: date, now: datetime) -> int:
    """Raise `child`'s day cap by `amount` on the local date `day`."""
    if amount.amount <= 0:
        raise ValueError("the extra amount must be above zero")
    return _insert(conn, EXTRA, child, day.isoformat(), str(amount.amount), amount.to_units(), None, db.ms(now))


def _insert(conn: sqlite3.Connection, kind: str, child, day, amount, units: int, until_ms, created_ms: int) -> int:
    row = {
        "kind": kind,
        "child": child,
        "day": day,
        "amount": amount,
        "amount_units": units,
        "until_ms": until_ms,
        "created_ms": created_ms,
        "cleared_ms": None,
    }
    cur = conn.execute(
        f"INSERT INTO overrides ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
    )
    journal.append(conn, ADDED, cur.lastrowid, row, created_ms)
    return cur.lastrowid
