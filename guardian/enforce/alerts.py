"""Which outbox events a judged purchase raises: a refusal, or a cap passing 80 %.

Called by the guard inside the ledger's write transaction, so an event is
queued if and only if its attempt is recorded.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from decimal import Decimal

from guardian.catalog.detect import Purchase
from guardian.enforce.policy import EXPLAIN, Decision, Reason
from guardian.household.config import Child
from guardian.household.money import Money
from guardian.household.periods import Calendar
from guardian.household.text import quoted
from guardian.store import db, outbox
from guardian.store.overrides import Overrides
from guardian.store.spend import Spending

NEAR = Decimal("0.8")


def _what(purchase: Purchase) -> str:
    amount = "amount unreadable" if purchase.money is None else str(purchase.money)
    # Quoted and inert: a recipient chosen to look like a link is not one on the parent's phone.
    to = f" to {quoted(purchase.recipient)}" if purchase.recipient else ""
    return f"{purchase.app} {purchase.kind} {amount}{to}"


def judged(
    conn: sqlite3.Connection,
    child: Child | None,
    purchase: Purchase,
    decision: Decision,
    spending: Spending,
    overrides: Overrides,
    now: datetime,
    calendar: Calendar,
) -> None:
    """The events a judged purchase raises: its refusal, or the caps it brings near; inside the guard's transaction.

    A purchase waiting for a parent, or refused by one, raises none: the parent's question is its own event.
    """
    if decision.allowed:
        if child is not None:
            near_caps(conn, child, purchase, spending, overrides, now, calendar)
    elif decision.reason not in (Reason.WAITING_FOR_PARENT, Reason.PARENT_DENIED):
        refused(conn, None if child is None else child.name, purchase, decision, now)


def refused(conn: sqlite3.Connection, child: str | None, purchase: Purchase, decision: Decision, now: datetime) -> int:
    _, en = EXPLAIN[decision.reason]
    who = child or "an unlisted device"
    return outbox.post(
        conn,
        outbox.REFUSED,
        child,
        f"Refused for {who}: {_what(purchase)}",
        f"{en} ({decision.reason}).",
        db.ms(now),
        "/",
    )


def near_caps(
    conn: sqlite3.Connection,
    child: Child,
    purchase: Purchase,
    spending: Spending,
    overrides: Overrides,
    now: datetime,
    calendar: Calendar,
) -> list[int]:
    """Post `cap-80` for each cap this allowed purchase brings to 80 % or more, once per period."""
    if purchase.money is None:
        return []
    caps = child.caps.with_extra(overrides.extra_day)
    posted = []
    for period, cap, spent, start in (
        ("day", caps.day, spending.day, calendar.day_start(now)),
        ("week", caps.week, spending.week, calendar.week_start(now)),
        ("month", caps.month, spending.month, calendar.month_start(now)),
    ):
        if cap is None or cap.amount <= 0:
            continue
        threshold = cap.amount * NEAR
        after = spent.amount + purchase.money.amount
        if not (spent.amount < threshold <= after):
            continue
        title = f"{child.name} has spent 80 % of the {period} cap"
        if outbox.posted_since(conn, outbox.CAP_NEAR, child.name, title, db.ms(start)):
            continue
        body = f"{Money(after, cap.currency)} of {cap} this {period}, after {_what(purchase)}."
        posted.append(outbox.post(conn, outbox.CAP_NEAR, child.name, title, body, db.ms(now), "/week"))
    return posted
