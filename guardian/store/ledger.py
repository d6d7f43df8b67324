"""The ledger: every recognised purchase attempt, in a SQLite file (WAL).

Several processes share the file (proxies, the dashboard). The cap check and
the insert of a new attempt run in one ``BEGIN IMMEDIATE`` transaction, which
takes SQLite's write lock first, so two purchases racing (in one process or
in two) are judged one after the other against the same totals::

    with ledger.writing() as tx:
        spending = tx.spending(child, now, calendar, currency)
        decision = decide(purchase, child, spending, now, calendar)
        attempt_id = tx.insert(attempt, tz, currency, allowed=decision.allowed, reason=decision.reason)

The totals are read only on a transaction, so they cannot be read outside the
one that records the attempt judged against them.

Amounts are stored twice: exact text for people, and integer 1/10,000 units
(rounded up) for sums, so SQLite adds without floating point.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from guardian.catalog.detect import Purchase
from guardian.household.config import MAX_PER_MINUTE
from guardian.household.money import Money
from guardian.household.periods import Calendar
from guardian.store import db, journal, spend
from guardian.store.spend import Spending

# How the app's server answered an attempt. Only pending and accepted purchases count towards caps:
# pending ones may have reached the server (the proxy died, the connection broke after sending).
PENDING, ACCEPTED, FAILED, NEVER = "pending", "accepted", "failed", "never-contacted"
COUNTED = f"outcome IN ('{PENDING}', '{ACCEPTED}')"
CONTINUE_WITHIN = timedelta(minutes=15)  # a payment's steps (cashier, order, gateway) follow within seconds


@dataclass(frozen=True, slots=True)
class Attempt:
    """A new attempt as the proxy saw it, before judgement."""

    at: datetime
    client_ip: str
    proxy_user: str | None
    child: str | None
    purchase: Purchase
    mac: str | None = None  # the device's hardware address, when the OS neighbour table knows it


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    at: datetime
    client_ip: str
    proxy_user: str | None
    child: str | None
    app: str
    kind: str
    rule: str
    app_amount: str | None
    app_unit: str
    amount: str | None
    currency: str
    recipient: str | None
    decision: str
    reason: str | None
    problem: str | None
    outcome: str
    mac: str | None = None
    continues: int | None = None  # the earlier attempt whose payment this one continues (not counted again)


class Reading:
    """What is read inside one transaction on the ledger's connection: the totals a purchase is judged against."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn  # for the other store modules' reads and writes in the same transaction

    def spending(self, child: str | None, now: datetime, calendar: Calendar, currency: str) -> Spending:
        """What `child` spent in the day, week and month holding `now`; an unlisted device (None) spent nothing."""
        if child is None:
            return Spending.zero(currency)
        day, week, month = (
            db.ms(calendar.day_start(now)),
            db.ms(calendar.week_start(now)),
            db.ms(calendar.month_start(now)),
        )
        minute = db.ms(now - timedelta(seconds=60))
        earliest = min(day, week, month, minute)
        sums = spend.totals(self.conn, child, (day, week, month))
        if sums is not None:  # pre-added buckets: the cost no longer grows with the month's purchases
            # Counted only as far as the largest per-minute cap needs, so a busy minute costs no more than a quiet one.
            count = self.conn.execute(
                "SELECT COUNT(*) FROM "
                "(SELECT 1 FROM attempts WHERE child = ? AND decision = 'allowed' AND at_ms > ? "
                "AND continues IS NULL LIMIT ?)",
                (child, minute, MAX_PER_MINUTE + 1),
            ).fetchone()[0]
            return Spending(*(Money.from_units(units, currency) for units in sums), count)
        row = self.conn.execute(
            f"""SELECT
                 COALESCE(SUM(CASE WHEN at_ms >= :day AND {COUNTED} THEN amount_units END), 0),
                 COALESCE(SUM(CASE WHEN at_ms >= :week AND {COUNTED} THEN amount_units END), 0),
                 COALESCE(SUM(CASE WHEN at_ms >= :month AND {COUNTED} THEN amount_units END), 0),
                 COUNT(CASE WHEN at_ms > :minute AND continues IS NULL THEN 1 END)
               FROM attempts
               WHERE child = :child AND decision = 'allowed' AND at_ms >= :earliest""",
            dict(day=day, week=week, month=month, minute=minute, child=child, earliest=earliest),
        ).fetchone()
        return Spending(
            Money.from_units(row[0], currency),
            Money.from_units(row[1], currency),
            Money.from_units(row[2], currency),
            row[3],
        )

    def continued(self, child: str, rules: tuple[str, ...], rule: str, units: int, now: datetime) -> int | None:
        """The earlier attempt whose payment a request of `rule` continues: same child, an allowed and counted
        attempt of one of `rules`, the same amount, within CONTINUE_WITHIN, not yet continued by `rule`.

        Each counted attempt covers one later step per rule, so a step never hides a payment of its own.
        """
        since = db.ms(now - CONTINUE_WITHIN)
        marks = ", ".join("?" * len(rules))
        row = self.conn.execute(
            f"""SELECT a.id FROM attempts a
                WHERE a.child = ? AND a.decision = 'allowed' AND a.at_ms >= ? AND a.{COUNTED}
                  AND a.continues IS NULL AND a.amount_units = ? AND a.rule IN ({marks})
                  AND NOT EXISTS (SELECT 1 FROM attempts h WHERE h.child = a.child AND h.decision = 'allowed'
                                  AND h.at_ms >= ? AND h.continues = a.id AND h.rule = ?)
                ORDER BY a.id DESC LIMIT 1""",
            (child, since, units, *rules, since, rule),
        ).fetchone()
        return None if row is None else row[0]


class Writing(Reading):
    """The write transaction a purchase is judged and recorded in (see `Ledger.writing`)."""

    def insert(
        self,
        attempt: Attempt,
        tz: str,
        currency: str,
        *,
        allowed: bool,
        reason: str | None,
        continues: int | None = None,
    ) -> int:
        """Record a judged attempt and its journal entry; returns its id. Only an allowed one counts towards caps,
        and not when it `continues` an earlier attempt's payment (counted there)."""
        p = attempt.purchase
        row = {
            "at_ms": db.ms(attempt.at),
            "tz": tz,
            "client_ip": attempt.client_ip,
            "proxy_user": attempt.proxy_user,
            "child": attempt.child,
            "app": p.app,
            "kind": p.kind,
            "rule": p.rule,
            "app_amount": None if p.amount is None else str(p.amount),
            "app_unit": p.unit,
            "amount": None if p.money is None else str(p.money.amount),
            "amount_units": p.money.to_units() if p.money is not None and allowed and continues is None else 0,
            "currency": currency,
            "recipient": p.recipient,
            "decision": "allowed" if allowed else "blocked",
            "reason": None if reason is None else str(reason),
            "problem": p.problem,
            "outcome": PENDING if allowed else NEVER,
            "mac": attempt.mac,
        }
        if continues is not None:  # older journal entries have no such key; an absent key reads as None
            row["continues"] = continues
        cur = self.conn.execute(
            f"INSERT INTO attempts ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
        )
        journal.append(self.conn, "attempt", cur.lastrowid, row, row["at_ms"])
        return cur.lastrowid


class Ledger:
    """One connection, used by one thread at a time (the caller's executor or the lock below)."""

    def __init__(self, path: Path):
        self.path = path
        self.conn = db.connect(path)
        self._lock = threading.Lock()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def writing(self) -> Iterator[Writing]:
        """One ``BEGIN IMMEDIATE`` transaction: the totals read in it are still the totals when its insert commits.

        Nothing is written when the block raises.
        """
        with self._lock, db.transaction(self.conn):
            yield Writing(self.conn)

    @contextmanager
    def reading(self) -> Iterator[Reading]:
        """One read transaction: a consistent view of the totals, for checks that record nothing."""
        with self._lock, db.snapshot(self.conn):
            yield Reading(self.conn)

    def settle(self, attempt_id: int, outcome: str, at: datetime | None = None) -> None:
        """Record how the app's server answered; a failed or never-sent purchase stops counting towards caps."""
        at_ms = db.ms(at or datetime.now(UTC))
        with self._lock, db.transaction(self.conn):
            cur = self.conn.execute(
                "UPDATE attempts SET outcome = ? WHERE id = ? AND outcome = 'pending'", (outcome, attempt_id)
            )
            if cur.rowcount:
                journal.append(self.conn, "outcome", attempt_id, {"outcome": outcome}, at_ms)

    def rows(self, limit: int = 100, child: str | None = None, since: datetime | None = None) -> list[Row]:
        sql = "SELECT * FROM attempts WHERE 1=1"
        args: list[object] = []
        if child is not None:
            sql += " AND child = ?"
            args.append(child)
        if since is not None:
            sql += " AND at_ms >= ?"
            args.append(db.ms(since))
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        with self._lock:
            cur = self.conn.execute(sql, args)
            names = [d[0] for d in cur.description]
            raw = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        return [_row(r) for r in raw]


def _row(r: dict) -> Row:
    return Row(
        id=r["id"],
        at=datetime.fromtimestamp(r["at_ms"] / 1000, UTC),
        client_ip=r["client_ip"],
        proxy_user=r["proxy_user"],
        child=r["child"],
        app=r["app"],
        kind=r["kind"],
        rule=r["rule"],
        app_amount=r["app_amount"],
        app_unit=r["app_unit"],
        amount=r["amount"],
        currency=r["currency"],
        recipient=r["recipient"],
        decision=r["decision"],
        reason=r["reason"],
        problem=r["problem"],
        outcome=r["outcome"],
        mac=r.get("mac"),
        continues=r.get("continues"),
    )
