"""The MAC look-up runs in the addon's database thread, never on the event loop, and lands in the ledger."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

from mitmproxy.test import taddons, tflow, tutils

from guardian.enforce.neighbours import Neighbours
from tests.addons.test_guardian_addon import done
from tests.conftest import household_config

ADDON = Path(__file__).resolve().parents[2] / "addons" / "guardian_addon.py"
TABLE = "192.168.1.23 dev wlan0 lladdr 3c:22:fb:0a:1b:2c REACHABLE\n"


def gift(client: str):
    flow = tflow.tflow()
    flow.client_conn.peername = (client, 50000)
    flow.request = tutils.treq(
        method=b"POST",
        host="api.live.bilibili.com",
        port=443,
        scheme=b"https",
        path=b"/xlive/revenue/v2/gift/sendGoldMultiUser?price=1000&gift_num=1&ruid=5",
        authority=b"api.live.bilibili.com",
        headers=((b"host", b"api.live.bilibili.com"),),
        content=b"",
    )
    return flow


async def test_the_mac_is_looked_up_off_the_event_loop_and_recorded(tmp_path, monkeypatch):
    config = tmp_path / "guardian.toml"
    config.write_text(household_config(), encoding="utf-8")
    monkeypatch.setenv("GUARDIAN_CONFIG", str(config))
    threads: list[str] = []

    def slow_reader() -> str:  # as slow as a stuck `ip neigh` would be
        threads.append(threading.current_thread().name)
        time.sleep(0.5)
        return TABLE

    with taddons.context() as tctx:
        guardian = tctx.script(str(ADDON))
        tctx.configure(guardian)
        guardian.runtime.guard.neighbours = Neighbours(slow_reader)
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(tick())
        flows = [gift("192.168.1.23"), gift("192.168.1.23"), gift("127.0.0.1")]
        for flow in flows:
            await guardian.enforcement.request(flow)
        ticker.cancel()
        done(guardian)
    assert threads and all(name.startswith("guardian-db") for name in threads)
    assert len(threads) == 1  # cached: the second purchase did not read the table again
    assert ticks >= 10  # the loop kept running while the table was read
    conn = sqlite3.connect(tmp_path / "guardian.db")
    assert conn.execute("SELECT client_ip, mac FROM attempts ORDER BY id").fetchall() == [
        ("192.168.1.23", "3c:22:fb:0a:1b:2c"),
        ("192.168.1.23", "3c:22:fb:0a:1b:2c"),
        ("127.0.0.1", None),
    ]
    conn.close()
