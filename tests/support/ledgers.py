"""Real ledgers for the evidence tests: attempts recorded through guardian.ledger, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from guardian.catalog.detect import Purchase
from guardian.enforce.policy import Decision, Reason
from guardian.household.money import Money
from guardian.household.periods import Calendar
from guardian.store.ledger import ACCEPTED, FAILED, Attempt, Ledger
from guardian.store.spend import Spending

SHANGHAI = Calendar(ZoneInfo("Asia/Shanghai"), 0)
START = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai


@dataclass(frozen=True)
class Buy:
    yuan: str
    recipient: str | None = "7734"
    app: str = "bilibili"
    allowed: bool = True
    outcome: str = ACCEPTED
    client: str = "192.168.1.23"
    user: str | None = None
    mac: str | None = "aa:bb:cc:dd:ee:01"
    child: str | None = "Mia"


def purchase(b: Buy) -> Purchase:
    amount = Decimal(b.yuan)
    return Purchase(b.app, "gift", f"{b.app}.gift", amount * 1000, "gold", Money(amount, "CNY"), b.recipient)


def judged(
    ledger: Ledger, attempt: Attempt, calendar: Calendar, currency: str, judge: Callable[[Spending], Decision]
) -> tuple[int, Decision]:
    """Judge an attempt against the totals and record it in one write transaction, as the guard does."""
    with ledger.writing() as tx:
        decision = judge(tx.spending(attempt.child, attempt.at, calendar, currency))
        attempt_id = tx.insert(attempt, calendar.tz.key, currency, allowed=decision.allowed, reason=decision.reason)
    return attempt_id, decision


def spending(ledger: Ledger, child: str | None, now: datetime, calendar: Calendar, currency: str) -> Spending:
    with ledger.reading() as view:
        return view.spending(child, now, calendar, currency)


def record(ledger: Ledger, b: Buy, at: datetime) -> int:
    decision = Decision(True) if b.allowed else Decision(False, Reason.DAY_CAP)
    attempt_id, _ = judged(
        ledger, Attempt(at, b.client, b.user, b.child, purchase(b), b.mac), SHANGHAI, "CNY", lambda s: decision
    )
    if b.allowed:
        ledger.settle(attempt_id, b.outcome, at + timedelta(seconds=1))
    return attempt_id


def fill(path: Path, buys: list[Buy], start: datetime = START, step: timedelta = timedelta(minutes=10)) -> list[int]:
    ledger = Ledger(path)
    try:
        return [record(ledger, b, start + i * step) for i, b in enumerate(buys)]
    finally:
        ledger.close()


def five(path: Path) -> list[int]:
    """Five attempts: four gifts (one failed at the server) and one refused."""
    return fill(
        path,
        [
            Buy("12"),
            Buy("30", recipient="5521"),
            Buy("8", outcome=FAILED),
            Buy("50", allowed=False),
            Buy("1.5", recipient="5521"),
        ],
    )


def sql(path: Path, *statements: str) -> None:
    """Edit the file the way someone with the sqlite3 shell would."""
    conn = sqlite3.connect(path)
    try:
        for s in statements:
            conn.execute(s)
        conn.commit()
    finally:
        conn.close()


def chain_key(path: Path) -> bytes:
    """The ledger's chain key, as an administrator (or the service account) can read it."""
    return (path.parent / "chain-key").read_bytes()


def rehash(
    path: Path, edit: Callable[[str], str] = lambda body: body, key: bytes | None = None, start: int = 1
) -> None:
    """Rewrite the journal from seq `start` on: `edit` each body and recompute every hash, with `key` or, as a
    child without the key must, with plain SHA-256."""
    from guardian.store import journal

    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT seq, at_ms, kind, ref, body, prev FROM journal WHERE seq >= ? ORDER BY seq", (start,)
        ).fetchall()
        prev = rows[0][5] if rows else journal.GENESIS
        for seq, at_ms, kind, ref, body, _ in rows:
            body = edit(body)
            h = journal.digest(prev, seq, at_ms, kind, ref, body, key)
            conn.execute("UPDATE journal SET body = ?, prev = ?, hash = ? WHERE seq = ?", (body, prev, h, seq))
            prev = h
        conn.commit()
    finally:
        conn.close()


def every_table(path: Path, at: datetime = START) -> None:
    """One row of each journaled table through its real writer: attempts, an approval asked, answered and used,
    a lock lifted, an extra allowance, changes, learned gift prices, a phone added and one removed."""
    from guardian.setup import phones
    from guardian.store import approvals, changes, db, gift_prices, outbox, overrides

    five(path)
    ledger = Ledger(path)
    conn = ledger.conn
    ms = db.ms(at)
    try:
        with db.transaction(conn):
            say = outbox.Say.of("zh", None, "bilibili")
            asked = approvals.create(conn, "Mia", purchase(Buy("40")), "192.168.1.23", None, 5, ms, say)
        approvals.decide(conn, asked, True, "parent (dashboard)", "dashboard", ms + 1000)
        with db.transaction(conn):
            approvals.use(conn, asked, 5, ms + 2000)
        with db.transaction(conn):
            overrides.lock(conn, at)
            changes.record(conn, "locked all purchases", {"until": "until unlocked"}, ms, changes.PARENT_DASHBOARD)
        with db.transaction(conn):
            overrides.unlock(conn, at + timedelta(minutes=5))
            overrides.extra(conn, "Mia", Money(Decimal(10), "CNY"), at.date(), at)
            changes.record(conn, "extra allowance", {"child": "Mia", "amount": "10"}, ms + 300_000, "administrator dad")
        gift_prices.save(conn, "douyin", {"463": Decimal(1), "3389": Decimal(1200)}, ms)
        gift_prices.save(conn, "douyin", {"463": Decimal(2), "3389": Decimal(1200)}, ms + 60_000)
        phones.record(conn, "added", "Mia", "mia-phone", ms)
        phones.record(conn, "added", "Mia", "old-tablet", ms)
        phones.record(conn, "removed", "Mia", "old-tablet", ms + 60_000)
    finally:
        ledger.close()
