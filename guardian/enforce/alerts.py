"""Which outbox events a judged purchase raises: a refusal, or a cap passing 80 %.

Called by the guard inside the ledger's write transaction, so an event is
queued if and only if its attempt is recorded.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from decimal import Decimal

from guardian.catalog.detect import Purchase
from guardian.enforce.policy import Decision, Reason, explain
from guardian.household.config import Child
from guardian.household.money import Money
from guardian.household.periods import Calendar
from guardian.store import db, outbox
from guardian.store.outbox import Say
from guardian.store.overrides import Overrides
from guardian.store.spend import Spending
from guardian.words import N_

NEAR = Decimal("0.8")
TITLES = {
    "day": N_("%(child)s has spent 80%% of the day cap"),
    "week": N_("%(child)s has spent 80%% of the week cap"),
    "month": N_("%(child)s has spent 80%% of the month cap"),
}
BODIES = {
    "day": N_("%(spent)s of %(cap)s today, after %(what)s."),
    "week": N_("%(spent)s of %(cap)s this week, after %(what)s."),
    "month": N_("%(spent)s of %(cap)s this month, after %(what)s."),
}


def judged(
    conn: sqlite3.Connection,
    child: Child | None,
    purchase: Purchase,
    decision: Decision,
    spending: Spending,
    overrides: Overrides,
    now: datetime,
    calendar: Calendar,
    say: Say,
) -> None:
    """The events a judged purchase raises: its refusal, or the caps it brings near; inside the guard's transaction.

    A purchase waiting for a parent, or refused by one, raises none: the parent's question is its own event.
    """
    if decision.allowed:
        if child is not None:
            near_caps(conn, child, purchase, spending, overrides, now, calendar, say)
    elif decision.reason not in (Reason.WAITING_FOR_PARENT, Reason.PARENT_DENIED):
        refused(conn, None if child is None else child.name, purchase, decision, now, say)


def refused(
    conn: sqlite3.Connection, child: str | None, purchase: Purchase, decision: Decision, now: datetime, say: Say
) -> int:
    _ = say.words
    who = child or _("an unlisted device")
    return outbox.post(
        conn,
        outbox.REFUSED,
        child,
        _("Refused for %(child)s: %(what)s", child=who, what=say.what(purchase)),
        _("%(reason)s.", reason=explain(decision.reason, _.language)),
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
    say: Say,
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
        title = say.words(TITLES[period], child=child.name)
        if outbox.posted_since(conn, outbox.CAP_NEAR, child.name, title, db.ms(start)):
            continue
        body = say.words(BODIES[period], spent=Money(after, cap.currency), cap=cap, what=say.what(purchase))
        posted.append(outbox.post(conn, outbox.CAP_NEAR, child.name, title, body, db.ms(now), "/week"))
    return posted
