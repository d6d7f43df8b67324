"""Holding a purchase for a parent: what the proxy asks the core while a child waits.

A purchase that needs a parent (`[child.ask]`) is judged by `judge` below, in
the ledger's write transaction, every time the proxy sees it:

1. Caps and windows first: a purchase they refuse is refused without asking
   (unless the parent's yes for it was given "over the cap", which skips the
   amount caps for that one purchase).
2. Then the answer to an identical purchase: an unused yes is used (the
   purchase is allowed and counts); a no stands (`parent-denied`).
3. Else a parent is asked: a new pending approval with a notification, or
   the identical question already pending. The attempt is recorded as
   `waiting-for-parent`; an API call is held while the proxy polls `state`,
   and judged again the moment the parent answers; a page load gets a page
   that reloads itself.

Blocking: call from the proxy's database thread.
"""

from __future__ import annotations

import html
import logging
from dataclasses import replace
from datetime import datetime

from guardian.enforce import alerts
from guardian.store import db, approvals, overrides
from guardian.enforce.answers import DECISION_HEADER, REASON_HEADER, Answer, refusal
from guardian.household.config import Caps, Child
from guardian.catalog.detect import Purchase
from guardian.store.ledger import Attempt
from guardian.enforce.policy import EXPLAIN, Decision, Reason, decide
from guardian.catalog.request import Request
from guardian.household.periods import Calendar
from guardian.store.spend import Spending

log = logging.getLogger(__name__)

AMOUNT_CAPS = frozenset({Reason.PER_PURCHASE, Reason.DAY_CAP, Reason.WEEK_CAP, Reason.MONTH_CAP})
WAITING = Decision(False, Reason.WAITING_FOR_PARENT)
DENIED = Decision(False, Reason.PARENT_DENIED)
REFRESH_SECONDS = 5


def judge(guard, request: Request, purchase: Purchase, now: datetime, child: Child):
    """Decide a purchase that needs a parent, record it, and ask or use an answer; returns the guard's Verdict."""
    from guardian.enforce.guard import Verdict  # guard imports this module

    conn, calendar, at_ms = guard.ledger.conn, guard.calendar, db.ms(now)
    valid_ms = child.ask.valid * 60_000
    app = guard.catalog.apps[purchase.app]

    if request.navigation:
        # A waiting page reloading itself is not a new attempt: answer it without a new row.
        waiting = approvals.find(conn, child.name, purchase, at_ms, valid_ms)
        if waiting is not None and waiting.state == approvals.PENDING:
            return Verdict(0, WAITING, waiting_page(app.name, waiting.id), waiting.id, 0)

    mac = guard.neighbours.mac(request.client)
    attempt = Attempt(now, request.client, request.user, child.name, purchase, mac)
    currency = guard.config.household.currency
    asked = None
    with guard.ledger.writing() as tx:
        spending = tx.spending(child.name, now, calendar, currency)
        answer = approvals.find(tx.conn, child.name, purchase, at_ms, valid_ms)
        active = overrides.active(tx.conn, child.name, now, calendar)  # a parent's lock or extra allowance
        decision = _decide(purchase, child, spending, now, calendar, active, answer)
        attempt_id = tx.insert(attempt, calendar.tz.key, currency, allowed=decision.allowed, reason=decision.reason)
        if decision.allowed:
            approvals.use(tx.conn, answer.id, attempt_id, at_ms)
            alerts.near_caps(tx.conn, child, purchase, spending, active, now, calendar)
        elif decision.reason not in (Reason.WAITING_FOR_PARENT, Reason.PARENT_DENIED):
            alerts.refused(tx.conn, child.name, purchase, decision, now)  # caps, windows, a lock: as without asking
        elif decision.reason == Reason.WAITING_FOR_PARENT:
            if answer is not None and answer.state == approvals.PENDING:
                asked = answer.id  # the identical question is already with the parent
            else:
                asked = approvals.create(tx.conn, child.name, purchase, request.client, request.user, attempt_id, at_ms, app.name)
    log.log(
        # Refusals are news for the proxy's log; allowed purchases are in the ledger and the dashboard,
        # and logging each costs about 10 % of purchase throughput (every record passes every addon).
        logging.INFO if not decision.allowed else logging.DEBUG,
        "%s %s %s %s for %s: %s %s (ask a parent%s)",
        purchase.app,
        purchase.kind,
        purchase.money,
        purchase.recipient or "",
        child.name,
        decision.label,
        decision.reason or "",
        f", approval #{asked}" if asked else "",
    )
    if decision.allowed:
        return Verdict(attempt_id, decision, None)
    if asked is not None and request.navigation:
        return Verdict(attempt_id, decision, waiting_page(app.name, asked), asked, 0)
    answer = refusal(app, decision.reason, request.navigation)
    return Verdict(attempt_id, decision, answer, asked, child.ask.wait if asked is not None else 0)


def _decide(
    purchase: Purchase,
    child: Child,
    spending: Spending,
    now: datetime,
    calendar: Calendar,
    active: overrides.Overrides,
    answer: approvals.Approval | None,
) -> Decision:
    """Caps and windows first, then the parent's answer to an identical purchase; no answer yet: waiting."""
    # A purchase of unknown amount that asks: windows, a lock and spent caps refuse it as for "allow".
    ruled = replace(child, unknown_amount="allow") if purchase.unknown else child
    decision = decide(purchase, ruled, spending, now, calendar, active)
    yes = answer is not None and answer.state == approvals.APPROVED
    if not decision.allowed and decision.reason in AMOUNT_CAPS and yes and answer.over_cap:
        uncapped = replace(ruled, caps=Caps(per_minute=child.caps.per_minute))
        decision = decide(purchase, uncapped, spending, now, calendar, active)
    if not decision.allowed or yes:
        return decision
    return DENIED if answer is not None and answer.state == approvals.DENIED else WAITING


def state(guard, approval_id: int) -> str | None:
    """The approval's state, read by the proxy while it holds a request."""
    return approvals.state(guard.ledger.conn, approval_id)


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
