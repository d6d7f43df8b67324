"""The catalog's part of Guardian's addon: host-level control, pass-through, gift lists, discovery, WebSockets
(Twitch's IRC cheers in text frames; Huya's TARS gift calls in binary frames, priced from the gift list its server
sends on the same socket).

Mixed into `addons.guardian_addon.Guardian`, which owns `self.guard` (the
core service) and `self.db` (the single database thread). Every hook returns
after a dict look-up or two for traffic that is not an app's.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from mitmproxy import http, tls
from mitmproxy.proxy import server_hooks

from guardian.catalog import discovery, gifts, messages
from guardian.catalog.index import Catalog
from guardian.catalog.model import GiftList
from guardian.catalog.request import Request, normalize_host, normalize_path
from guardian.enforce import hostcontrol
from guardian.enforce.answers import DECISION_HEADER, REASON_HEADER
from guardian.enforce.guard import Guard
from guardian.enforce.policy import Reason
from guardian.household.config import Child
from guardian.setup.wireguard import tunnel_name
from guardian.store import gift_prices, unrecognised
from guardian.store.db import connect, ms
from guardian.store.ledger import ACCEPTED

log = logging.getLogger(__name__)
GIFT_LIST = "guardian-gift-list"
HOST_ONLY_MODES = (
    "regular",
    "upstream",
)  # these see a CONNECT (http_connect judges it); the rest only a server connection


def refuse_connect(flow: http.HTTPFlow, reason: Reason) -> None:
    flow.response = http.Response.make(403, b"", {DECISION_HEADER: "blocked", REASON_HEADER: str(reason)})


class CatalogHooks:
    guard: Guard | None
    db: object

    def __init__(self) -> None:
        self.prices: gifts.PriceBook | None = None
        self.discovered = discovery.Seen()
        self._store: tuple[Path, sqlite3.Connection] | None = None

    # -- state kept across config reloads ------------------------------------------------------

    def price_book(self, catalog: Catalog, path: Path) -> gifts.PriceBook:
        """One price book for the process; learned prices survive reloads, shipped ones follow the catalog."""
        if self.prices is None:
            self.prices = gifts.PriceBook(catalog)
            self.db.submit(self._load_prices, path, self.prices)
        self.prices.catalog = catalog
        return self.prices

    def store(self, path: Path) -> sqlite3.Connection:
        """The catalog tables' own connection, used only on the database thread."""
        if self._store is None or self._store[0] != path:
            if self._store is not None:
                self._store[1].close()
            self._store = (path, connect(path))
        return self._store[1]

    def _load_prices(self, path: Path, book: gifts.PriceBook) -> None:
        try:
            gift_prices.load(self.store(path), book)
        except Exception:
            log.exception("Guardian could not load learned gift prices")

    def close_store(self) -> None:
        if self._store is not None:
            self._store[1].close()
            self._store = None

    # -- connections ---------------------------------------------------------------------------

    async def connect_caps(self, flow: http.HTTPFlow, guard: Guard, child: Child, now: datetime) -> None:
        reason = await self._in_db(hostcontrol.check_caps, guard, child, now)
        if reason is not None:
            refuse_connect(flow, reason)

    def tls_clienthello(self, data: tls.ClientHelloData) -> None:
        """Pass-through hosts (pinned apps) are never decrypted."""
        guard = self.guard
        if guard is None or data.ignore_connection:
            return
        sni = data.client_hello.sni
        address = data.context.server.address
        host = normalize_host(sni) if sni else normalize_host(address[0]) if address else ""
        if host and guard.catalog.passthrough(host) is not None:
            data.ignore_connection = True

    def server_connect(self, data: server_hooks.ServerConnectionHookData):
        """Transparent, WireGuard, local and SOCKS modes see no CONNECT: judge pass-through and payment hosts here."""
        guard = self.guard
        mode = getattr(data.client.proxy_mode, "type_name", "regular")
        if guard is None or data.server.error or mode in HOST_ONLY_MODES:
            return None
        name = data.server.sni or (data.server.address[0] if data.server.address else "")
        host = normalize_host(str(name))
        if guard.catalog.passthrough(host) is None and guard.catalog.payment_host(host) is None:
            return None
        now = datetime.now(UTC)
        tunnel = tunnel_name(data.client.proxy_mode.data) if mode == "wireguard" else None
        client = f"wireguard:{tunnel}" if tunnel is not None else data.client.peername[0]
        reason, child = hostcontrol.quick(guard, host, client, None, now, tunnel)
        if reason is not None:
            data.server.error = f"Guardian refused the connection to {host} ({reason})"
            return None
        if child is not None:
            return self._server_caps(data, guard, host, child, now)
        return None

    async def _server_caps(self, data, guard: Guard, host: str, child: Child, now: datetime) -> None:
        reason = await self._in_db(hostcontrol.check_caps, guard, child, now)
        if reason is not None:
            data.server.error = f"Guardian refused the connection to {host} ({reason})"

    # -- gift lists and discovery --------------------------------------------------------------

    def mark_gift_list(self, flow: http.HTTPFlow, guard: Guard, host: str) -> None:
        spec = guard.catalog.gift_list_for(host, normalize_path(flow.request.path.split("?", 1)[0]))
        if spec is not None:
            flow.metadata[GIFT_LIST] = spec

    def learn_gift_list(self, flow: http.HTTPFlow):
        spec: GiftList = flow.metadata.pop(GIFT_LIST)
        resp = flow.response
        if resp is None or resp.status_code != 200 or self.guard is None or self.prices is None:
            return None
        raw = resp.raw_content
        if raw is None or len(raw) > gifts.MAX_LIST_BODY:
            return None
        try:
            body = resp.get_content(strict=True)
        except ValueError:
            return None
        return self._in_db(self._learn, self.guard.ledger.path, spec, body or b"", self.prices)

    def _learn(self, path: Path, spec: GiftList, body: bytes, book: gifts.PriceBook) -> None:
        try:
            prices = gifts.parse_gift_list(spec, body)
        except ValueError as e:
            log.info("Guardian could not read a %s gift list: %s", spec.app, e)
            return
        if prices:
            gift_prices.save(self.store(path), spec.app, prices, ms(datetime.now(UTC)))
            book.learn(spec.app, prices)
            log.info("Guardian learned %d %s gift prices", len(prices), spec.app)

    def discover(self, guard: Guard, app_id: str, req: Request) -> None:
        """Note a purchase-looking request no rule matched (first time per host and path shape)."""
        shape = discovery.looks_like_purchase(req)
        if shape is None or guard.catalog.rules_matching(req.host, normalize_path(req.path)):
            return
        if self.discovered.first(req.host, shape):
            at_ms = ms(datetime.now(UTC))
            self.db.submit(self._record_unrecognised, guard.ledger.path, app_id, req.host, req.method, shape, at_ms)

    def _record_unrecognised(self, path: Path, app_id: str, host: str, method: str, shape: str, at_ms: int) -> None:
        try:
            unrecognised.record(self.store(path), app_id, host, method, shape, at_ms)
            log.info("Guardian saw an unrecognised %s purchase-like request: %s %s%s", app_id, method, host, shape)
        except Exception:
            log.exception("Guardian could not record an unrecognised request")

    # -- WebSockets ----------------------------------------------------------------------------

    def websocket_message(self, flow: http.HTTPFlow):
        guard = self.guard
        if guard is None or flow.websocket is None:
            return None
        host = normalize_host(flow.request.pretty_host)
        message = flow.websocket.messages[-1]
        if not message.from_client:
            return self.learn_message(guard, host, message)
        if not guard.catalog.websocket_rules(host) or message.dropped:
            return None
        try:
            data = message.text if message.is_text else message.content
            purchase = messages.detect_message(guard.catalog, guard.config.household, host, data, self.prices)
        except Exception:
            log.exception("Guardian could not read a WebSocket message to %s; dropping it", host)
            message.drop()
            return None
        if purchase is None:
            return None
        auth = flow.metadata.get("proxyauth")
        user = auth[0] if isinstance(auth, tuple) and auth else None
        mode = flow.client_conn.proxy_mode
        tunnel = tunnel_name(mode.data) if mode.type_name == "wireguard" else None  # every phone is 10.0.0.1 inside
        client = f"wireguard:{tunnel}" if tunnel is not None else flow.client_conn.peername[0]
        path = flow.request.path.split("?", 1)[0]
        req = Request(client, user, flow.request.method.upper(), host, path, tunnel=tunnel)
        return self._judge_message(flow, message, guard, req, purchase)

    def learn_message(self, guard: Guard, host: str, message):
        """A gift list the server sends on the socket (Huya's getPropsList answer): read in the database thread."""
        if message.is_text or not messages.may_be_gift_list(guard.catalog, host, message.content):
            return None
        return self._in_db(self._learn_from_message, guard.ledger.path, guard.catalog, host, message.content)

    def _learn_from_message(self, path: Path, catalog: Catalog, host: str, data: bytes) -> None:
        found = messages.gift_list(catalog, host, data)
        if found is None or self.prices is None:
            return
        spec, prices = found
        if prices:
            gift_prices.save(self.store(path), spec.app, prices, ms(datetime.now(UTC)))
            self.prices.learn(spec.app, prices)
            log.info("Guardian learned %d %s gift prices", len(prices), spec.app)

    async def _judge_message(self, flow, message, guard: Guard, req: Request, purchase) -> None:
        now = datetime.now(UTC)
        try:
            verdict = await self._in_db(guard.judge, req, purchase, now)
        except Exception:
            log.exception("Guardian could not record a WebSocket purchase; dropping it")
            message.drop()
            return
        if verdict.answer is not None:
            message.drop()
        else:
            await self._in_db(guard.ledger.settle, verdict.attempt_id, ACCEPTED)

    async def _in_db(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.db, fn, *args)
