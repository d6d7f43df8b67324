"""Guardian's devices: a WireGuard listener for each phone the config lists, and when each device was last seen.

Listeners follow the config: adding or removing a phone needs no restart.
Last-seen times are one dict store per request, written to the database every
`guardian_seen_seconds` (guardian.setup.devices_seen). This addon comes before
the enforcement addon, so a refused request still counts as seen.
"""

from __future__ import annotations

import asyncio
import logging
import time

from mitmproxy import connection, ctx, http

from addons import flows
from addons.runtime import Runtime
from guardian.household.devices import device_key
from guardian.setup import wireguard

log = logging.getLogger(__name__)
MAX_SEEN = 4096  # devices remembered between two flushes of last-seen times


def device(conn: connection.Client, metadata: dict | None = None) -> str:
    address, user, tunnel = flows.client(conn, metadata)
    return device_key(address, user=user, tunnel=tunnel)


class Devices:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.seen: dict[str, float] = {}  # written on the hot path, flushed by a timer on the database thread
        self._tasks: list[asyncio.Task] = []
        runtime.reloaded.append(self.listen)

    def load(self, loader) -> None:
        loader.add_option(
            "guardian_seen_seconds", int, 30, "How often Guardian saves when each device was last seen, in seconds."
        )

    def running(self) -> None:
        loop = asyncio.get_running_loop()
        self._tasks += [loop.create_task(self._flush_seen()), loop.create_task(self.listen())]

    def done(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self.runtime.guard is not None:
            self.runtime.submit(self.runtime.record_seen, self._take_seen(), what="save last-seen times")

    def client_connected(self, client: connection.Client) -> None:
        if len(self.seen) < MAX_SEEN:
            self.seen[device(client)] = time.time()

    def request(self, flow: http.HTTPFlow) -> None:
        if self.runtime.guard is None or flow.response or not flow.live:
            return
        if len(self.seen) < MAX_SEEN:
            self.seen[device(flow.client_conn, flow.metadata)] = time.time()

    async def listen(self) -> None:
        """Listen for exactly the WireGuard devices the config lists."""
        s, follower = self.runtime.settings, self.runtime.follower
        if s is None or follower is None:
            return
        try:
            names = wireguard.listed(s.config)
            args = (list(ctx.options.mode), follower.path, names)
            new = await self.runtime.call(wireguard.wanted_modes, *args)
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
            if self.runtime.guard is not None and self.seen:
                await self.runtime.attempt(self.runtime.record_seen, self._take_seen(), what="save last-seen times")
