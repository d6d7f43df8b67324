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

import html
import sqlite3
from dataclasses import replace
from datetime import datetime

from guardian.catalog.detect import Purchase
from guardian.enforce.answers import DECISION_HEADER, REASON_HEADER, Answer
from guardian.enforce.policy import EXPLAIN, Decision, Reason
from guardian.enforce.policy import decide as decide_caps
from guardian.household.config import Caps, Child
from guardian.household.periods import Calendar
from guardian.store import approvals, db
from guardian.store.ledger import Attempt
from guardian.store.overrides import Overrides
from guardian.store.spend import Spending

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
    return approvals.find(conn, child.id, purchase, db.ms(now), child.ask.valid * 60_000)


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
    child: Child,
    attempt: Attempt,
    attempt_id: int,
    decision: Decision,
    answer: approvals.Approval | None,
    app_name: str,
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
        conn, child.id, attempt.purchase, attempt.client_ip, attempt.proxy_user, attempt_id, at_ms, app_name, child.name
    )


def waiting_page(app_name: str, approval_id: int) -> Answer:
    """A page in both languages that reloads itself (the same purchase again) until a parent answers."""
    zh, en = EXPLAIN[Reason.WAITING_FOR_PARENT]
    name = html.escape(app_name)
    body = f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{REFRESH_SECONDS}">
<title>等待家长确认 · Waiting for a parent</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}}
h1{{font-size:1.4rem}}p{{line-height:1.5}}.en{{color:#555}}</style></head>
<body><h1>正在等待家长确认</h1>
<p>{html.escape(zh)}（{name}，请求 #{approval_id}）。这个页面会自动刷新。</p>
<h1 class="en" lang="en">Waiting for a parent</h1>
<p class="en" lang="en">{html.escape(en)} ({name}, request #{approval_id}). This page reloads by itself.</p>
</body></html>
""".encode()
    headers = {
        DECISION_HEADER: "blocked",
        REASON_HEADER: str(Reason.WAITING_FOR_PARENT),
        "Cache-Control": "no-store",
        "Refresh": str(REFRESH_SECONDS),
        "Content-Type": "text/html; charset=utf-8",
    }
    return Answer(202, headers, body)
