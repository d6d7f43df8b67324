"""The enforcement service the proxy adapter calls: one config, the catalog and the ledger.

The adapter asks it questions and never reaches past it. The questions about
hosts, requests and messages (`app_host`, `app_closed`, `detect`, `gift_list`,
...) are cheap and may run on the proxy's event loop; the ones marked
"Blocking" touch the database and must run in the proxy's database thread.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import datetime

from guardian.catalog import discovery, gifts, messages
from guardian.catalog.detect import Prices, Purchase, detect
from guardian.catalog.fields import walk
from guardian.catalog.index import Catalog
from guardian.catalog.model import App, GiftList, Success
from guardian.catalog.request import MAX_BODY, Request, normalize_host, normalize_path
from guardian.enforce import alerts, holds
from guardian.enforce.answers import TOKEN, Answer, Verdict, preflight, refusal
from guardian.enforce.neighbours import Neighbours
from guardian.enforce.policy import ALLOW, Decision, Reason, app_open, decide, refused_whatever_amount
from guardian.household.config import Config
from guardian.store import approvals, gift_prices, overrides, unrecognised
from guardian.store.db import ms
from guardian.store.ledger import ACCEPTED, FAILED, NEVER, Attempt, Ledger
from guardian.store.outbox import Say

log = logging.getLogger(__name__)


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
        self.prices = prices  # learned gift prices (guardian.catalog.gifts.PriceBook); None: the catalog's shipped ones
        self.calendar = config.household.calendar
        self._success = {r.id: r.success for a in catalog.apps.values() for r in a.rules}
        self._continues = {r.id: r.continues for a in catalog.apps.values() for r in a.rules if r.continues}
        self.neighbours = Neighbours()

    def app_for(self, host: str) -> App | None:
        return self.catalog.app_for_host(host)

    def app_host(self, names: Iterable[str]) -> tuple[App | None, str]:
        """The app a request is for and the host that says so, from every name it gives (target, authority, Host).

        A name with payment rules wins: an IP address in the URL with the app's Host header is still the app's.
        """
        found: tuple[App | None, str] = (None, "")
        done: list[str] = []
        for name in names:
            host = normalize_host(name)
            if host in done:  # the target and the Host header usually agree: one look-up
                continue
            done.append(host)
            app = self.catalog.app_for_host(host)
            if app is not None:
                if self.catalog.has_rules(host):
                    return app, host
                if found[0] is None:
                    found = (app, host)
        return found

    def has_payment_rules(self, host: str) -> bool:
        """Whether requests to `host` are read for purchases (a request that cannot be read there is refused)."""
        return self.catalog.has_rules(host)

    def passes_through(self, host: str) -> bool:
        """Whether `host` belongs to a pinned app whose traffic is never decrypted."""
        return self.catalog.passthrough(host) is not None

    def judges_connections_to(self, host: str) -> bool:
        """Whether a connection to `host` is judged by its host alone (pass-through and payment hosts)."""
        return self.catalog.passthrough(host) is not None or self.catalog.payment_host(host) is not None

    def refusal(self, app_id: str, reason: Reason, navigation: bool) -> Answer:
        """What the proxy answers for `app_id` instead of its server (guardian.enforce.answers)."""
        return refusal(self.catalog.apps[app_id], reason, navigation)

    def gift_list(self, host: str, path: str) -> GiftList | None:
        """The gift list a request for `host` and `path` (query string and all) fetches, if it is one."""
        if not self.catalog.has_gift_lists(host):
            return None
        return self.catalog.gift_list_for(host, normalize_path(path.split("?", 1)[0]))

    def unrecognised(self, request: Request) -> str | None:
        """The path shape of a purchase-looking request no rule of its host matches (guardian.catalog.discovery)."""
        shape = discovery.looks_like_purchase(request)
        if shape is None or self.catalog.rules_matching(request.host, normalize_path(request.path)):
            return None
        return shape

    def judges_messages(self, host: str) -> bool:
        """Whether WebSocket messages to `host` are read for purchases (Twitch cheers, Huya's gift calls)."""
        return bool(self.catalog.websocket_rules(host))

    def detect_message(self, host: str, data: str | bytes) -> Purchase | None:
        """The purchase a client's WebSocket message (text or binary) makes, or None."""
        return messages.detect_message(self.catalog, self.config.household, host, data, self.prices)

    def may_be_gift_list(self, host: str, data: bytes) -> bool:
        """Whether a server's binary WebSocket message could be a gift list (cheap: its first field only)."""
        return messages.may_be_gift_list(self.catalog, host, data)

    def app_closed(
        self, app: App, client: str, user: str | None, now: datetime, navigation: bool, tunnel: str | None = None
    ) -> Answer | None:
        """A refusal when the device's child may not use `app` now; None when open."""
        child = self.config.child_for(client, user, tunnel)
        if app_open(child, app.id, now, self.calendar):
            return None
        return refusal(app, Reason.APP_WINDOW, navigation)

    def page_origin(self, app: App, origin: str | None) -> str | None:
        """`origin` (a request's Origin header) when it is a page of `app`, whose own server would let it read
        the answer; None for any other site, a sandboxed page ("null") or something that is not an origin."""
        if not origin or len(origin) > 300:
            return None
        scheme, sep, rest = origin.partition("://")
        if scheme not in ("https", "http") or not sep or not rest or any(c in rest for c in "/?#@ \t\r\n"):
            return None
        return origin if self.catalog.app_for_host(normalize_host(rest)) is app else None

    def pays_at(self, request: Request) -> bool:
        """Whether `request` (its method, host and path; no body) goes to one of the app's payment endpoints."""
        rules = self.catalog.rules_matching(request.host, normalize_path(request.path))
        return any(request.method in rule.methods for rule in rules)

    def preflight_closed(self, app: App, request: Request, origin: str, asked: str, now: datetime) -> Answer | None:
        """The answer to a CORS preflight from `app`'s own page `origin` for `request` (its method, host and
        path) while the app is closed to the child: the request may come, to be refused in the app's shape so
        the page can read why. None when the app is open (see `preflight_purchase`)."""
        child = self.config.child_for(request.client, request.user, request.tunnel)
        if not TOKEN.match(request.method) or app_open(child, app.id, now, self.calendar):
            return None
        return preflight(origin, request.method, asked, Reason.APP_WINDOW)

    def preflight_purchase(self, app: App, request: Request, origin: str, asked: str, now: datetime) -> Answer | None:
        """Like `preflight_closed` for a request to a payment endpoint (`pays_at`) that will be refused whatever
        its amount (purchase hours, a lock, a cap used up); None leaves the preflight to the app's server, as
        always. Blocking: call from a worker thread."""
        child = self.config.child_for(request.client, request.user, request.tunnel)
        if child is None or not TOKEN.match(request.method):
            return None
        currency = self.config.household.currency
        with self.ledger.reading() as view:
            spending = view.spending(child.id, now, self.calendar, currency)
            active = overrides.active(view.conn, child.id, now, self.calendar)
        reason = refused_whatever_amount(child, app.id, spending, now, self.calendar, active)
        return None if reason is None else preflight(origin, request.method, asked, reason)

    def detect(self, request: Request) -> Purchase | None:
        return detect(self.catalog, self.config.household, request, self.prices)

    def judge(self, request: Request, purchase: Purchase, now: datetime) -> Verdict:
        """Decide and record in one transaction, asking a parent when the child's settings say so.

        Blocking: call from a worker thread.
        """
        child = self.config.child_for(request.client, request.user, request.tunnel)
        if child is not None and purchase.money is not None and purchase.rule in self._continues:
            verdict = self._continuation(request, purchase, child.id, now)
            if verdict is not None:
                return verdict
        held = holds.needed(child, purchase)
        app = self.catalog.apps[purchase.app]
        if held and request.navigation:
            # A waiting page reloading itself is not a new attempt: answer it without a new row.
            with self.ledger.reading() as view:
                waiting = holds.answer(view.conn, child, purchase, now)
            if waiting is not None and waiting.state == approvals.PENDING:
                return Verdict(0, holds.WAITING, holds.waiting_page(app, waiting.id), waiting.id)
        mac = self.neighbours.mac(request.client)  # may read the OS table: this runs in the worker thread
        attempt = Attempt(now, request.client, request.user, None if child is None else child.id, purchase, mac)
        calendar, currency = self.calendar, self.config.household.currency
        with self.ledger.writing() as tx:
            spending = tx.spending(attempt.child, now, calendar, currency)
            active = overrides.active(tx.conn, attempt.child, now, calendar)  # a parent's lock or extra allowance
            if held:
                answer = holds.answer(tx.conn, child, purchase, now)
                decision = holds.decide(purchase, child, spending, now, calendar, active, answer)
            else:
                answer, decision = None, decide(purchase, child, spending, now, calendar, active)
            attempt_id = tx.insert(attempt, calendar.tz.key, currency, allowed=decision.allowed, reason=decision.reason)
            say = Say.of(self.config.household.language, app)  # the parent's notifications speak the household's
            alerts.judged(tx.conn, child, purchase, decision, spending, active, now, calendar, say)
            asked = holds.ask(tx.conn, child, attempt, attempt_id, decision, answer, say) if held else None
        _log(attempt, None if child is None else child.name, request, decision, held, asked)
        if decision.allowed:
            return Verdict(attempt_id, decision, None)
        if asked is not None and request.navigation:
            return Verdict(attempt_id, decision, holds.waiting_page(app, asked), asked)
        wait = child.ask.wait if asked is not None else 0  # hold an API call this long for the parent's answer
        return Verdict(attempt_id, decision, refusal(app, decision.reason, request.navigation), asked, wait)

    def _continuation(self, request: Request, purchase: Purchase, child: str, now: datetime) -> Verdict | None:
        """A later step of a payment this child was just allowed (Kuaishou's order after its cashier, Alipay's page
        after either, Douyin's cashdesk after its top-up): recorded as continuing it, not judged or counted again.
        Only a step of the same amount continues, and each allowed step covers one later step of each rule.
        `child` is the child's id, as the ledger keys the child."""
        rules, units = self._continues[purchase.rule], purchase.money.to_units()
        mac = self.neighbours.mac(request.client)
        attempt = Attempt(now, request.client, request.user, child, purchase, mac)
        with self.ledger.writing() as tx:
            earlier = tx.continued(child, rules, purchase.rule, units, now)
            if earlier is None:
                return None
            attempt_id = tx.insert(
                attempt, self.calendar.tz.key, self.config.household.currency, allowed=True, reason=None,
                continues=earlier,
            )  # fmt: skip
        log.debug("%s %s continues attempt #%s for %s: not counted again", purchase.app, purchase.rule, earlier, child)
        return Verdict(attempt_id, ALLOW, None)

    def approval_state(self, approval_id: int) -> str | None:
        """The approval's state, read while the proxy holds a request. Blocking: call from a worker thread."""
        with self.ledger.reading() as view:
            return approvals.state(view.conn, approval_id)

    def settle(self, attempt_id: int, rule: str, status: int, body: bytes | None) -> str:
        """Record the server's answer to an allowed purchase. Blocking: call from a worker thread."""
        result = outcome(self._success.get(rule), status, body)
        self.ledger.settle(attempt_id, result)
        return result

    def never_reached(self, attempt_id: int) -> None:
        """Record that an allowed purchase never reached the app's server: it stops counting. Blocking."""
        self.ledger.settle(attempt_id, NEVER)

    def judge_message(self, request: Request, purchase: Purchase, now: datetime) -> Verdict:
        """Judge a WebSocket message; an allowed one is sent at once, so it is settled as accepted. Blocking."""
        verdict = self.judge(request, purchase, now)
        if verdict.answer is None:
            self.ledger.settle(verdict.attempt_id, ACCEPTED)
        return verdict

    def load_learned_prices(self) -> None:
        """Teach the price book the gift prices learned before this process started. Blocking."""
        if self.prices is not None:
            gift_prices.load(self.ledger.conn, self.prices)

    def learn_gift_list(self, spec: GiftList, body: bytes, now: datetime) -> int:
        """Learn the prices in a gift list the app downloaded; how many. Blocking."""
        try:
            prices = gifts.parse_gift_list(spec, body)
        except ValueError as e:
            log.info("Guardian could not read a %s gift list: %s", spec.app, e)
            return 0
        if prices and self.prices is not None:
            gift_prices.save(self.ledger.conn, spec.app, prices, ms(now))
            self.prices.learn(spec.app, prices)
            log.info("Guardian learned %d %s gift prices", len(prices), spec.app)
        return len(prices)

    def learn_gift_list_message(self, host: str, data: bytes, now: datetime) -> int:
        """Learn the prices in a gift list a server sent on its WebSocket (Huya's getPropsList); how many. Blocking."""
        found = messages.gift_list(self.catalog, host, data)
        if found is None or not found[1] or self.prices is None:
            return 0
        spec, prices = found
        gift_prices.save(self.ledger.conn, spec.app, prices, ms(now))
        self.prices.learn(spec.app, prices)
        log.info("Guardian learned %d %s gift prices", len(prices), spec.app)
        return len(prices)

    def record_unrecognised(self, app_id: str, host: str, method: str, shape: str, now: datetime) -> None:
        """Note a purchase-looking request no rule matched, for the parent's Apps page. Blocking."""
        unrecognised.record(self.ledger.conn, app_id, host, method, shape, ms(now))
        log.info("Guardian saw an unrecognised %s purchase-like request: %s %s%s", app_id, method, host, shape)


def _log(
    attempt: Attempt, name: str | None, request: Request, decision: Decision, held: bool, asked: int | None
) -> None:
    p = attempt.purchase
    log.log(
        # Refusals are news for the proxy's log; allowed purchases are in the ledger and the dashboard,
        # and a log record per purchase costs about 10 % of purchase throughput under mitmdump.
        logging.INFO if not decision.allowed else logging.DEBUG,
        "%s %s %s %s for %s: %s %s%s",
        p.app,
        p.kind,
        p.money or ("amount unknown" if p.unknown else "unreadable"),
        p.recipient or "",
        name or request.client,
        decision.label,
        decision.reason or "",
        (f" (ask a parent, approval #{asked})" if asked else " (ask a parent)") if held else "",
    )
