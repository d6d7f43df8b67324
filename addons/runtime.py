"""What Guardian's addons share: the guard for the config in force, and the one database thread.

The runtime is an addon too. It adds the config options, loads the config and
follows it (a saved change applies within `guardian_reload_seconds`; a bad one
is logged and the last good config stays in force). It comes last in the
script's list: its `done` closes the database thread after the other addons
have queued their last work.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor

from mitmproxy import ctx, exceptions

from guardian import settings
from guardian.catalog.gifts import PriceBook
from guardian.enforce.guard import Guard
from guardian.household.home import config_path, ensure_config
from guardian.household.reload import Follower
from guardian.setup import devices_seen
from guardian.store.ledger import Ledger

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self) -> None:
        self.guard: Guard | None = None
        self.follower: Follower[settings.Settings] | None = None
        # One thread owns the database connection: ledger writes never block the event loop and run in order
        # (a purchase settles before the next one is judged); BEGIN IMMEDIATE serialises them across processes.
        self.db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="guardian-db")
        self.reloaded: list[Callable[[], Awaitable[None]]] = []  # awaited after each config reload
        self._ledger: Ledger | None = None
        self._prices: PriceBook | None = None  # one for the process: learned prices survive reloads
        self._follow: asyncio.Task | None = None

    @property
    def settings(self) -> settings.Settings | None:
        return None if self.follower is None else self.follower.current

    # -- mitmproxy's lifecycle ---------------------------------------------------------------

    def load(self, loader) -> None:
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

    def configure(self, updated) -> None:
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
        log.info("Guardian enforcing %s (ledger %s)", path, self._ledger.path)

    def running(self) -> None:
        self._follow = asyncio.get_running_loop().create_task(self._follow_config())

    def done(self) -> None:
        if self._follow is not None:
            self._follow.cancel()
        if self._ledger is not None:
            self.db.submit(self._ledger.close)
        self.db.shutdown(wait=True)

    # -- the database thread, for the other addons -------------------------------------------

    async def call(self, fn: Callable, *args):
        """`fn(*args)` on the database thread; the event loop goes on meanwhile."""
        return await asyncio.get_running_loop().run_in_executor(self.db, fn, *args)

    async def attempt(self, fn: Callable, *args, what: str) -> None:
        """Like `call`, for work whose failure is logged and goes no further."""
        try:
            await self.call(fn, *args)
        except Exception:
            log.exception("Guardian could not %s", what)

    def submit(self, fn: Callable, *args, what: str) -> Future:
        """Queue `fn(*args)` on the database thread without waiting for it; a failure is logged."""

        def report(done: Future) -> None:
            if not done.cancelled() and done.exception() is not None:
                log.error("Guardian could not %s", what, exc_info=done.exception())

        future = self.db.submit(fn, *args)
        future.add_done_callback(report)
        return future

    def record_seen(self, seen: dict[str, float]) -> None:
        """Store a batch of last-seen times (guardian.setup.devices_seen). Blocking: the database thread."""
        if self._ledger is not None:
            devices_seen.record(self._ledger.conn, seen)

    # -- following the config ----------------------------------------------------------------

    def _ledger_for(self, s: settings.Settings) -> Ledger:
        old = self._ledger
        return old if old is not None and old.path == s.config.storage else Ledger(s.config.storage)

    def _install(self, s: settings.Settings, ledger: Ledger) -> None:
        old, first = self._ledger, self._prices is None
        if first:
            self._prices = PriceBook(s.catalog)
        self._prices.catalog = s.catalog  # shipped prices follow the catalog
        self.guard = guard = Guard(s.config, s.catalog, ledger, prices=self._prices)
        self._ledger = ledger
        if first:
            self.submit(guard.load_learned_prices, what="load learned gift prices")
        if old is not None and old is not ledger:
            self.db.submit(old.close)

    async def _follow_config(self) -> None:
        while True:
            await asyncio.sleep(max(1, ctx.options.guardian_reload_seconds))
            follower = self.follower
            if follower is None:
                continue
            try:
                new = await self.call(follower.poll)
                if new is not None:
                    self._install(new, await self.call(self._ledger_for, new))
                    for listener in self.reloaded:
                        await listener()
            except Exception:  # the follower must outlive any one bad reload
                log.exception("Guardian config reload failed; the last good config stays in force")
