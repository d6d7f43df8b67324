"""Running spending totals per child in 15-minute buckets, kept by SQLite triggers on `attempts`.

The cap check sums what a child spent this day, week and month. Summing the
attempts themselves costs one row per purchase, so a child who buys fast
makes every later check slower. The buckets hold the same sums pre-added:
one row per child per 15 minutes that saw spending, at most ~3,000 a month.

Every household midnight falls on a 15-minute boundary (every time zone's
offset is a whole number of quarter hours), so summing whole buckets from a
midnight on is exact. Triggers (in schema.sql) keep the buckets right whoever
writes the attempts (the proxies, the dashboard, approvals), and an existing
ledger is back-filled once when the triggers are first created. A boundary
that is not on a quarter hour makes the caller fall back to summing the attempts.

A purchase counts when it is allowed and its outcome is pending or accepted.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal

from guardian.household.money import Money

BUCKET_MS = 15 * 60 * 1000
COUNTS = "decision = 'allowed' AND child IS NOT NULL AND outcome IN ('pending', 'accepted')"


def back_fill(conn: sqlite3.Connection) -> None:
    """Sum the existing attempts into buckets; run once, in the transaction that creates the triggers."""
    conn.execute("DELETE FROM spend_buckets")
    conn.execute(
        f"INSERT INTO spend_buckets (child, bucket, units) SELECT child, at_ms / {BUCKET_MS}, SUM(amount_units)"
        f" FROM attempts WHERE {COUNTS} GROUP BY child, at_ms / {BUCKET_MS}"
    )


def totals(conn: sqlite3.Connection, child: str, starts: tuple[int, ...]) -> tuple[int, ...] | None:
    """Units spent by `child` since each start (UTC ms), or None when a start is not on a bucket boundary."""
    if any(start % BUCKET_MS for start in starts):
        return None
    buckets = [start // BUCKET_MS for start in starts]
    sums = ", ".join(f"COALESCE(SUM(CASE WHEN bucket >= {b:d} THEN units END), 0)" for b in buckets)
    return tuple(
        conn.execute(
            f"SELECT {sums} FROM spend_buckets WHERE child = ? AND bucket >= ?", (child, min(buckets))
        ).fetchone()
    )


@dataclass(frozen=True, slots=True)
class Spending:
    """What the child has spent (allowed and not failed) in each period, and allowed purchases in the last 60 s."""

    day: Money
    week: Money
    month: Money
    last_minute: int

    @classmethod
    def zero(cls, currency: str) -> Spending:
        nothing = Money(Decimal(0), currency)
        return cls(nothing, nothing, nothing, 0)
