"""Holding a purchase for a parent: the rules `Guard.judge` follows when a purchase needs one.

A purchase that needs a parent (`[child.ask]`, see `needed`) is judged in the
ledger's write transaction every time the proxy sees it:

1. Caps and windows first: a purchase they refuse is refused without asking
   (unless the parent's yes for it was given "over the cap", which skips the
   amount caps for that one purchase).
2. Then the answer to an identical purchase: an unused yes is used (the
   purchase is allowed and counts); a no stands (`parent-denied`).
3. Else a parent is asked: a new pending approval with a notification, or
   the identical question already pending. The attempt is recorded as
   `waiting-for-parent`; an API call is held while the proxy polls the
   approval's state, and judged again the moment the parent answers; a page
   load gets a page that reloads itself.

`answer` and `ask` touch the database: call them inside the guard's transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime

from guardian.catalog.detect import Purchase
from guardian.catalog.model import App
from guardian.enforce.answers import DECISION_HEADER, REASON_HEADER, Answer, page
from guardian.enforce.policy import Decision, Reason, explain
from guardian.enforce.policy import decide as decide_caps
from guardian.household.config import Caps, Child
from guardian.household.periods import Calendar
from guardian.store import approvals, db, outbox
from guardian.store.ledger import Attempt
from guardian.store.overrides import Overrides
from guardian.store.spend import Spending
from guardian.words import N_, Words

AMOUNT_CAPS = frozenset({Reason.PER_PURCHASE, Reason.DAY_CAP, Reason.WEEK_CAP, Reason.MONTH_CAP})
WAITING = Decision(False, Reason.WAITING_FOR_PARENT)
DENIED = Decision(False, Reason.PARENT_DENIED)
REFRESH_SECONDS = 5


def needed(child: Child | None, purchase: Purchase) -> bool:
    """Whether the purchase waits for a parent: one of unknown amount when its own setting says so."""
    if child is None:
        return False
    return child.unknown_amount == "ask" if purchase.unknown else child.ask.needed(purchase.app, purchase.money)


def answer(conn: sqlite3.Connection, child: Child, purchase: Purchase, now: datetime) -> approvals.Approval | None:
    """The parent's word on an identical purchase: a usable yes, a standing no, or the question still pending."""
    return approvals.find(conn, child.name, purchase, db.ms(now), child.ask.valid * 60_000)


def decide(
    purchase: Purchase,
    child: Child,
    spending: Spending,
    now: datetime,
    calendar: Calendar,
    active: Overrides,
    answer: approvals.Approval | None,
) -> Decision:
    """Caps and windows first, then the parent's answer to an identical purchase; no answer yet: waiting."""
    # A purchase of unknown amount that asks: windows, a lock and spent caps refuse it as for "allow".
    ruled = replace(child, unknown_amount="allow") if purchase.unknown else child
    decision = decide_caps(purchase, ruled, spending, now, calendar, active)
    yes = answer is not None and answer.state == approvals.APPROVED
    if not decision.allowed and decision.reason in AMOUNT_CAPS and yes and answer.over_cap:
        uncapped = replace(ruled, caps=Caps(per_minute=child.caps.per_minute))
        decision = decide_caps(purchase, uncapped, spending, now, calendar, active)
    if not decision.allowed or yes:
        return decision
    return DENIED if answer is not None and answer.state == approvals.DENIED else WAITING


def ask(
    conn: sqlite3.Connection,
    attempt: Attempt,
    attempt_id: int,
    decision: Decision,
    answer: approvals.Approval | None,
    say: outbox.Say,
) -> int | None:
    """Spend the parent's yes on the allowed attempt, or put the question to a parent; the approval asked, if any."""
    at_ms = db.ms(attempt.at)
    if decision.allowed:  # only a usable yes lets a held purchase through
        approvals.use(conn, answer.id, attempt_id, at_ms)
        return None
    if decision.reason != Reason.WAITING_FOR_PARENT:
        return None
    if answer is not None and answer.state == approvals.PENDING:
        return answer.id  # the identical question is already with the parent
    return approvals.create(
        conn, attempt.child, attempt.purchase, attempt.client_ip, attempt.proxy_user, attempt_id, at_ms, say
    )


def waiting_page(app: App, approval_id: int) -> Answer:
    """A page in both languages that reloads itself (the same purchase again) until a parent answers."""

    def paragraph(_: Words) -> str:
        return _(
            "%(reason)s (%(app)s, request #%(id)s). This page reloads by itself.",
            reason=explain(Reason.WAITING_FOR_PARENT, _.language),
            app=app.name_in(_.language),
            id=approval_id,
        )

    refresh = f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">\n'
    body = page(N_("Waiting for a parent"), N_("Waiting for a parent"), paragraph, refresh)
    headers = {
        DECISION_HEADER: "blocked",
        REASON_HEADER: str(Reason.WAITING_FOR_PARENT),
        "Cache-Control": "no-store",
        "Refresh": str(REFRESH_SECONDS),
        "Content-Type": "text/html; charset=utf-8",
    }
    return Answer(202, headers, body)
