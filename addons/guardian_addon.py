"""Guardian's mitmproxy addon: spending caps and time windows for streaming-app payments.

Usage:
    mitmdump -s addons/guardian_addon.py --set guardian_config=PATH/guardian.toml

Without `guardian_config` it uses GUARDIAN_CONFIG, else the default data
directory's config (written on first use). The file is followed: a saved
change applies within `guardian_reload_seconds`; a bad one is logged and
the last good config stays in force.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime

from mitmproxy import ctx, exceptions, http

from addons.catalog_hooks import GIFT_LIST, CatalogHooks, refuse_connect
from guardian import settings
from guardian.catalog import bodies
from guardian.catalog.model import App
from guardian.catalog.request import MAX_BODY, Request, normalize_host
from guardian.enforce import hostcontrol
from guardian.enforce.answers import DECISION_HEADER, Answer, refusal
from guardian.enforce.guard import Guard
from guardian.enforce.policy import Reason
from guardian.household.home import config_path, ensure_config
from guardian.household.reload import Follower
from guardian.setup import devices_seen, wireguard
from guardian.setup.wireguard import tunnel_name
from guardian.store.ledger import NEVER, Ledger

log = logging.getLogger(__name__)
META = "guardian"
MAX_SEEN = 4096  # devices remembered between two flushes of last-seen times
POLL_SECONDS = 0.4  # how often a held purchase looks for the parent's answer


def _client(flow: http.HTTPFlow) -> tuple[str, str | None]:
    auth = flow.metadata.get("proxyauth")
    user = auth[0] if isinstance(auth, tuple) and auth else None
    return flow.client_conn.peername[0], user


def _tunnel(flow: http.HTTPFlow) -> str | None:
    """The WireGuard device this flow came through (one listener per device), else None."""
    mode = flow.client_conn.proxy_mode
    return tunnel_name(mode.data) if mode.type_name == "wireguard" else None


def _device(conn, metadata: dict | None) -> str:
    """The key under which a device's last-seen time is kept (see guardian.devices_seen)."""
    mode = conn.proxy_mode
    if mode.type_name == "wireguard":
        return "wireguard:" + tunnel_name(mode.data)
    auth = metadata.get("proxyauth") if metadata else None
    if isinstance(auth, tuple) and auth:
        return f"user:{auth[0]}"
    peer = conn.peername
    return peer[0] if peer else "unknown"


def _navigation(req: http.Request) -> bool:
    if req.headers.get("sec-fetch-mode", "").lower() == "navigate":
        return True
    return req.method == "GET" and req.headers.get("accept", "").lower().startswith("text/html")


def _app_host(guard: Guard, req: http.Request) -> tuple[App | None, str]:
    """The app a request is for and the host that says so: the target, the authority or any Host header.

    An IP address or another name in the URL with the app's Host header (or the reverse, or two Host
    headers) is still the app's; a host with payment rules wins. Read from the raw fields: pretty_host's
    regex alone would cost more than the rest of the hook for ordinary traffic.
    """
    data = req.data
    names = [data.host]
    if data.authority:
        names.append(data.authority.decode("utf-8", "surrogateescape"))
    for key, value in data.headers.fields:
        if len(key) == 4 and key.lower() == b"host":
            names.append(value.decode("utf-8", "surrogateescape"))
    found: tuple[App | None, str] = (None, "")
    for name in names:
        host = normalize_host(name)
        app = guard.app_for(host)
        if app is not None:
            if guard.catalog.rules_for(host):
                return app, host
            if found[0] is None:
                found = (app, host)
    return found


def _body(req: http.Request) -> bytes | None:
    raw = req.raw_content
    if raw is None or len(raw) > MAX_BODY:
        return None
    # Bounded: a small compressed body is never inflated past MAX_BODY on the event loop.
    return bodies.decode(raw, req.headers.get("content-encoding"))


def _method_override(req: http.Request) -> str | None:
    h = req.headers
    return (
        h.get("x-http-method-override")
        or h.get("x-method-override")
        or h.get("x-http-method")
        or req.query.get("_method")
    )


def to_request(flow: http.HTTPFlow, host: str) -> Request:
    req = flow.request
    client, user = _client(flow)
    tunnel = _tunnel(flow)
    if tunnel is not None:  # inside a tunnel every phone is 10.0.0.1: the tunnel names the device
        client = f"wireguard:{tunnel}"
    return Request(
        client=client,
        user=user,
        method=req.method.upper(),
        host=host,
        path=req.path.split("?", 1)[0],
        query=tuple(req.query.items(multi=True)),
        content_type=req.headers.get("content-type", ""),
        body=_body(req),
        navigation=_navigation(req),
        method_override=_method_override(req),
        tunnel=tunnel,
    )


def _log_failure(done: Future) -> None:
    if not done.cancelled() and done.exception() is not None:
        log.error("Guardian could not record a purchase's outcome", exc_info=done.exception())


def _respond(flow: http.HTTPFlow, answer: Answer) -> None:
    flow.response = http.Response.make(answer.status, answer.body, answer.headers)


class Guardian(CatalogHooks):
    def __init__(self) -> None:
        CatalogHooks.__init__(self)
        self.guard: Guard | None = None
        self.follower: Follower[settings.Settings] | None = None
        # One thread owns the database connection: ledger writes never block the event loop
        # and are serialised in this process; BEGIN IMMEDIATE serialises them across processes.
        self.db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="guardian-db")
        self._follow: asyncio.Task | None = None
        # Last-seen times, written on the hot path (one dict store) and flushed by a timer in the db thread.
        self.seen: dict[str, float] = {}
        self._tasks: list[asyncio.Task] = []

    def load(self, loader):
        # mitmdump sets the root logger to DEBUG and turns every record into an event for every addon;
        # the core's debug records (one per allowed purchase) would cost ~10 % of purchase throughput.
        logging.getLogger("guardian").setLevel(logging.INFO)
        loader.add_option(
            "guardian_config",
            str | None,
            None,
            "Guardian's config file (TOML). Default: GUARDIAN_CONFIG, else guardian.toml in the data directory.",
        )
        loader.add_option(
            "guardian_reload_seconds", int, 2, "How often Guardian checks its config file for changes, in seconds."
        )
        loader.add_option(
            "guardian_seen_seconds", int, 30, "How often Guardian saves when each device was last seen, in seconds."
        )

    def configure(self, updated):
        if "guardian_config" not in updated and self.guard is not None:
            return
        path = config_path(ctx.options.guardian_config)
        ensure_config(path)
        try:
            follower = Follower(path, settings.load, lambda: settings.watched_files(path))
        except ValueError as e:
            raise exceptions.OptionsError(f"Guardian config rejected: {e}") from e
        self.follower = follower
        self._install(follower.current, self._ledger_for(follower.current))
        log.info("Guardian enforcing %s (ledger %s)", path, self.guard.ledger.path)

    def _ledger_for(self, s: settings.Settings) -> Ledger:
        old = self.guard
        return old.ledger if old is not None and old.ledger.path == s.config.storage else Ledger(s.config.storage)

    def _install(self, s: settings.Settings, ledger: Ledger) -> None:
        old = self.guard
        self.guard = Guard(s.config, s.catalog, ledger, prices=self.price_book(s.catalog, ledger.path))
        if old is not None and old.ledger is not ledger:
            self.db.submit(old.ledger.close)

    def running(self):
        self._follow = asyncio.get_running_loop().create_task(self._follow_config())
        loop = asyncio.get_running_loop()
        self._tasks += [loop.create_task(self._flush_seen()), loop.create_task(self._listen_tunnels())]

    async def _follow_config(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(max(1, ctx.options.guardian_reload_seconds))
            follower = self.follower
            if follower is None:
                continue
            try:
                new = await loop.run_in_executor(self.db, follower.poll)
                if new is not None:
                    self._install(new, await loop.run_in_executor(self.db, self._ledger_for, new))
                    await self._listen_tunnels()
            except Exception:  # the follower must outlive any one bad reload
                log.exception("Guardian config reload failed; the last good config stays in force")

    async def _listen_tunnels(self) -> None:
        """Listen for exactly the WireGuard devices the config lists: adding or removing one needs no restart."""
        guard, follower = self.guard, self.follower
        if guard is None or follower is None:
            return
        try:
            names = wireguard.listed(guard.config)
            args = (list(ctx.options.mode), follower.path, names)
            new = await asyncio.get_running_loop().run_in_executor(self.db, wireguard.wanted_modes, *args)
            if new is not None:
                ctx.options.update(mode=new)
                log.info("Guardian WireGuard listeners: %s", ", ".join(names) or "none")
        except Exception:
            log.exception("Guardian could not update its WireGuard listeners")

    def _take_seen(self) -> dict[str, float]:
        batch, self.seen = self.seen, {}
        return batch

    async def _flush_seen(self) -> None:
        while True:
            await asyncio.sleep(max(1, ctx.options.guardian_seen_seconds))
            if self.guard is not None and self.seen:
                await self._run(devices_seen.record, self.guard.ledger.conn, self._take_seen())

    def client_connected(self, client) -> None:
        if len(self.seen) < MAX_SEEN:
            self.seen[_device(client, None)] = time.time()

    def done(self):
        for task in self._tasks:
            task.cancel()
        if self._follow is not None:
            self._follow.cancel()
        if self.guard is not None:
            self.db.submit(devices_seen.record, self.guard.ledger.conn, self._take_seen())
            self.db.submit(self.guard.ledger.close)
        self.db.submit(self.close_store)
        self.db.shutdown(wait=True)

    def http_connect(self, flow: http.HTTPFlow):
        """Refuse tunnels to an app outside its hours, and to its payment hosts while purchases are not possible.

        Covers apps whose traffic cannot be decrypted (guardian.hostcontrol).
        """
        guard = self.guard
        if guard is None or flow.response:
            return None
        client, user = _client(flow)
        now = datetime.now(UTC)
        tunnel = _tunnel(flow)
        if tunnel is not None:
            client = f"wireguard:{tunnel}"
        reason, child = hostcontrol.quick(guard, normalize_host(flow.request.host), client, user, now, tunnel)
        if reason is not None:
            refuse_connect(flow, reason)
        elif child is not None:
            return self.connect_caps(flow, guard, child, now)
        return None

    def request(self, flow: http.HTTPFlow):
        # Deliberately not `async def`: ordinary traffic returns here after one or two dict look-ups;
        # only a purchase gets a coroutine, which mitmproxy awaits.
        guard = self.guard
        if guard is None or flow.response or not flow.live:
            return None
        if len(self.seen) < MAX_SEEN:
            self.seen[_device(flow.client_conn, flow.metadata)] = time.time()
        app, host = _app_host(guard, flow.request)
        if app is None:
            return None
        try:
            req = to_request(flow, host)
            now = datetime.now(UTC)
            closed = guard.app_closed(app, req.client, req.user, now, req.navigation, req.tunnel)
            if closed is not None:
                _respond(flow, closed)
                return None
            if guard.catalog.has_gift_lists(host):
                self.mark_gift_list(flow, guard, host)
            purchase = guard.detect(req)
        except Exception:
            log.exception("Guardian could not read a request to %s; refusing it", host)
            return self._fail_closed(flow, guard, app, host)
        if purchase is None:
            self.discover(guard, app.id, req)
            return None
        return self._judge(flow, guard, req, purchase, now)

    def _fail_closed(self, flow: http.HTTPFlow, guard: Guard, app: App, host: str) -> None:
        if guard.catalog.rules_for(host):  # only payment hosts; other app traffic is not ours to break
            _respond(flow, refusal(app, Reason.UNREADABLE, navigation=False))

    async def _judge(self, flow, guard, req, purchase, now) -> None:
        loop = asyncio.get_running_loop()
        try:
            verdict = await loop.run_in_executor(self.db, guard.judge, req, purchase, now)
        except Exception:
            log.exception("Guardian could not record a purchase; refusing it")
            _respond(flow, refusal(guard.catalog.apps[purchase.app], Reason.UNREADABLE, req.navigation))
            return
        if verdict.wait and verdict.approval is not None:
            verdict = await self._hold(flow, guard, req, purchase, verdict)
        if verdict.answer is not None:
            _respond(flow, verdict.answer)
        else:
            flow.metadata[META] = (verdict.attempt_id, purchase.rule)

    async def _hold(self, flow, guard, req, purchase, verdict):
        """Hold this one request (nothing else waits) until the parent answers or `verdict.wait` runs out."""
        loop = asyncio.get_running_loop()
        end = loop.time() + verdict.wait
        try:
            while loop.time() < end:
                await asyncio.sleep(min(POLL_SECONDS, max(0.0, end - loop.time())))
                if flow.client_conn.timestamp_end is not None:
                    break  # the child's app gave up: keep the question (and any yes) for its next try
                state = await loop.run_in_executor(self.db, guard.approval_state, verdict.approval)
                if state != "pending":
                    return await loop.run_in_executor(self.db, guard.judge, req, purchase, datetime.now(UTC))
        except Exception:
            log.exception("Guardian lost track of approval #%s; the child is told a parent was asked", verdict.approval)
        return verdict  # no answer in time: refused as waiting-for-parent, the question stays with the parent

    def response(self, flow: http.HTTPFlow):
        if GIFT_LIST in flow.metadata:
            return self.learn_gift_list(flow)
        meta = flow.metadata.get(META)
        if meta is None or self.guard is None:
            return None
        flow.response.headers[DECISION_HEADER] = "allowed"
        self._settle(flow, self.guard, meta)
        return None

    def error(self, flow: http.HTTPFlow):
        meta = flow.metadata.get(META)
        if meta is None or self.guard is None or flow.response is not None:
            return None
        if flow.server_conn.timestamp_tcp_setup is None:  # the app's server was never reached
            return self._run(self.guard.ledger.settle, meta[0], NEVER)
        return None  # it may have been received: it keeps counting

    async def _run(self, fn, *args) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(self.db, fn, *args)
        except Exception:
            log.exception("Guardian database work failed: %s", getattr(fn, "__name__", fn))

    def _settle(self, flow, guard, meta) -> None:
        """Queue the outcome on the database thread without holding the answer back: the thread runs its work
        in order, so a purchase settles before the next one from the same client is judged."""
        attempt_id, rule = meta
        resp = flow.response
        raw = resp.raw_content
        body = None if raw is None else bodies.decode(raw, resp.headers.get("content-encoding"))
        self.db.submit(guard.settle, attempt_id, rule, resp.status_code, body).add_done_callback(_log_failure)


addons = [Guardian()]
