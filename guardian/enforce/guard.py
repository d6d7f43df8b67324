"""The enforcement service the proxy adapter calls: one config, the catalog and the ledger.

`app_for`, `app_closed` and `detect` are cheap and may run on the proxy's
event loop. `judge` and `settle` touch the database and must run in a worker
thread.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from guardian.enforce import alerts
from guardian.store import overrides
from guardian.enforce.answers import Answer, refusal
from guardian.catalog.index import Catalog
from guardian.catalog.model import App, Success
from guardian.household.config import Config
from guardian.catalog.detect import Prices, Purchase, detect
from guardian.catalog.fields import walk
from guardian.store.ledger import ACCEPTED, FAILED, Attempt, Ledger
from guardian.enforce.neighbours import Neighbours
from guardian.enforce.policy import Decision, Reason, app_open, decide
from guardian.catalog.request import MAX_BODY, Request

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Verdict:
    attempt_id: int
    decision: Decision
    answer: Answer | None  # what to answer instead of the server; None to forward
    approval: int | None = None  # the question put to a parent (guardian/holds.py)
    wait: int = 0  # seconds to hold the request for the parent's answer before `answer`


def outcome(success: Success | None, status: int, body: bytes | None) -> str:
    """Whether the app's server accepted a purchase. Unclear answers count as accepted (spending is not forgiven)."""
    if status >= 400:
        return FAILED
    if success is None or not body or len(body) > MAX_BODY:
        return ACCEPTED
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return ACCEPTED
    value = walk(doc, success.path)
    if value is None:
        return ACCEPTED
    return ACCEPTED if value in success.values else FAILED


class Guard:
    def __init__(self, config: Config, catalog: Catalog, ledger: Ledger, prices: Prices | None = None):
        self.config, self.catalog, self.ledger = config, catalog, ledger
        self.prices = prices  # learned gift prices (guardian.gifts.PriceBook); None: the catalog's shipped ones
        self.calendar = config.household.calendar
        self._success = {r.id: r.success for a in catalog.apps.values() for r in a.rules}
        self.neighbours = Neighbours()

    def app_for(self, host: str) -> App | None:
        return self.catalog.app_for_host(host)

    def app_closed(
        self, app: App, client: str, user: str | None, now: datetime, navigation: bool, tunnel: str | None = None
    ) -> Answer | None:
        """A refusal when the device's child may not use `app` now; None when open."""
        child = self.config.child_for(client, user, tunnel)
        if app_open(child, app.id, now, self.calendar):
            return None
        return refusal(app, Reason.APP_WINDOW, navigation)

    def detect(self, request: Request) -> Purchase | None:
        return detect(self.catalog, self.config.household, request, self.prices)

    def judge(self, request: Request, purchase: Purchase, now: datetime) -> Verdict:
        """Decide and record in one transaction. Blocking: call from a worker thread."""
        child = self.config.child_for(request.client, request.user, request.tunnel)
        # A purchase of unknown amount asks when its own setting says so; "refuse" and "allow" are decided by policy.
        if child is not None and (
            child.unknown_amount == "ask" if purchase.unknown else child.ask.needed(purchase.app, purchase.money)
        ):
            from guardian.enforce import holds  # holds builds Verdicts

            return holds.judge(self, request, purchase, now, child)
        mac = self.neighbours.mac(request.client)  # may read the OS table: this runs in the worker thread
        attempt = Attempt(now, request.client, request.user, None if child is None else child.name, purchase, mac)
        # Both callbacks run inside the ledger's write transaction, on its connection.
        conn = self.ledger.conn
        active = overrides.NONE

        def judge(spending):
            nonlocal active
            active = overrides.active(conn, attempt.child, now, self.calendar)
            return decide(purchase, child, spending, now, self.calendar, active)

        def notify(attempt_id, decision, spending):
            if not decision.allowed:
                alerts.refused(conn, attempt.child, purchase, decision, now)
            elif child is not None:
                alerts.near_caps(conn, child, purchase, spending, active, now, self.calendar)

        attempt_id, decision = self.ledger.record(
            attempt, self.calendar, self.config.household.currency, judge, after=notify
        )
        answer = None
        if not decision.allowed:
            answer = refusal(self.catalog.apps[purchase.app], decision.reason, request.navigation)
        log.log(
            # Refusals are news for the proxy's log; allowed purchases are in the ledger and the dashboard,
            # and a log record per purchase costs about 10 % of purchase throughput under mitmdump.
            logging.INFO if not decision.allowed else logging.DEBUG,
            "%s %s %s %s for %s: %s %s",
            purchase.app,
            purchase.kind,
            purchase.money or "unreadable",
            purchase.recipient or "",
            attempt.child or request.client,
            decision.label,
            decision.reason or "",
        )
        return Verdict(attempt_id, decision, answer)

    def approval_state(self, approval_id: int) -> str | None:
        """Blocking: call from a worker thread."""
        from guardian.enforce import holds

        return holds.state(self, approval_id)

    def settle(self, attempt_id: int, rule: str, status: int, body: bytes | None) -> str:
        """Record the server's answer to an allowed purchase. Blocking: call from a worker thread."""
        result = outcome(self._success.get(rule), status, body)
        self.ledger.settle(attempt_id, result)
        return result
