"""`kill -9` the proxy in the middle of a burst of purchases; after a restart nothing the app received is missing."""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time

import httpx
import pytest

from guardian.store.journal import verify_chain
from guardian.store.ledger import Ledger
from tests.conftest import household_config

pytestmark = pytest.mark.e2e

GIFT = "https://api.live.bilibili.com/xlive/revenue/v2/gift/sendGoldMultiUser"


def received_ruids(fake_apps) -> list[str]:
    return [
        dict(p.split("=") for p in s.body.decode().split("&"))["ruid"] for s in fake_apps.received("sendGoldMultiUser")
    ]


def test_a_killed_proxy_loses_no_purchase_the_app_received(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(household_config('[child.caps]\nday = "100000"\n'))
    counter = itertools.count()
    stop = threading.Event()
    answered: list[str] = []

    def burst() -> None:
        with proxy.client(timeout=10) as c:
            while not stop.is_set():
                ruid = f"c{next(counter)}"
                try:
                    r = c.post(GIFT, data={"price": "1000", "gift_num": "1", "ruid": ruid, "coin_type": "gold"})
                except httpx.HTTPError:
                    return  # the proxy is gone
                if r.headers.get("Guardian-Decision") == "allowed":
                    answered.append(ruid)

    threads = [threading.Thread(target=burst) for _ in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(fake_apps.received("sendGoldMultiUser")) < 40 and time.monotonic() < deadline:
        time.sleep(0.01)
    proxy.kill()  # SIGKILL mid-burst: purchases are in flight on eight connections
    stop.set()
    for t in threads:
        t.join(30)
    received = received_ruids(fake_apps)
    assert len(received) >= 40

    proxy.start()  # the same config, ledger and port
    db = tmp_path / "guardian.db"
    ledger = Ledger(db)  # opens (and recovers the WAL) while the new proxy runs
    try:
        assert ledger.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert verify_chain(ledger.conn) is None
        rows = {r.recipient: r for r in ledger.rows(limit=100_000)}
    finally:
        ledger.close()
    missing = [r for r in received if r not in rows or rows[r].decision != "allowed"]
    assert missing == [], "the app received purchases the ledger does not hold as allowed"
    assert set(answered) <= set(received)
    # Purchases cut off by the crash stay pending (they may have reached the app), so they keep counting.
    assert {rows[r].outcome for r in received} <= {"accepted", "pending"}

    with proxy.client() as c:  # the restarted proxy keeps working on the same chain
        assert (
            c.post(GIFT, data={"price": "1000", "gift_num": "1", "ruid": "after", "coin_type": "gold"}).headers[
                "Guardian-Decision"
            ]
            == "allowed"
        )
    conn = sqlite3.connect(db)
    try:
        assert verify_chain(conn) is None
        assert conn.execute("SELECT decision FROM attempts WHERE recipient = 'after'").fetchone() == ("allowed",)
    finally:
        conn.close()
