"""Two proxy processes sharing one ledger: 200 purchases race against one day cap."""

from __future__ import annotations

import random
import sqlite3
import threading
from decimal import Decimal

import pytest

from tests.conftest import household_config

pytestmark = pytest.mark.e2e

GIFT = "https://api.live.bilibili.com/xlive/revenue/v2/gift/sendGoldMultiUser"
CAP = Decimal("100")
PURCHASES, THREADS = 200, 20


def test_two_proxies_never_pass_the_cap_together(start_proxy, fake_apps, tmp_path):
    config = household_config(f'[child.caps]\nday = "{CAP}"\n')
    proxies = [start_proxy(config), start_proxy(config)]  # the same config file, so the same ledger
    rng = random.Random(7)
    # Amounts with cents (1000 gold seeds = 1 CNY): 0.51 to 3.99 CNY, about 450 CNY asked in all.
    gold = {f"r{i}": rng.randrange(51, 400) * 10 for i in range(PURCHASES)}
    answers: dict[str, tuple[int, str, str]] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def buyer(t: int) -> None:
        proxy = proxies[t % 2]
        mine = [r for i, r in enumerate(gold) if i % THREADS == t]
        with proxy.client() as c:
            c.get("https://news.example/")  # the tunnel and TLS are set up before the race starts
            barrier.wait()
            for ruid in mine:
                r = c.post(GIFT, data={"price": str(gold[ruid]), "gift_num": "1", "ruid": ruid, "coin_type": "gold"})
                with lock:
                    answers[ruid] = (
                        t % 2,
                        r.headers.get("Guardian-Decision", "?"),
                        r.headers.get("Guardian-Reason", ""),
                    )

    threads = [threading.Thread(target=buyer, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(answers) == PURCHASES

    allowed = {r for r, (_, d, _) in answers.items() if d == "allowed"}
    refused = {r for r, (_, d, why) in answers.items() if d == "blocked" and why == "day-cap"}
    assert allowed | refused == set(gold), "every answer is an allow or a day-cap refusal"
    spent = sum(Decimal(gold[r]) / 1000 for r in allowed)
    assert spent <= CAP  # never past the cap, not by a cent
    # Spending only grows, so a refused purchase must not have fitted under the cap even at the end.
    assert all(Decimal(gold[r]) / 1000 > CAP - spent for r in refused)
    assert {p for r, (p, d, _) in answers.items() if d == "allowed"} == {0, 1}, "both processes allowed purchases"

    conn = sqlite3.connect(tmp_path / "guardian.db")
    rows = conn.execute("SELECT recipient, decision, amount FROM attempts").fetchall()
    conn.close()
    assert len(rows) == PURCHASES
    assert {r for r, d, _ in rows if d == "allowed"} == allowed
    assert sum(Decimal(a) for _, d, a in rows if d == "allowed") == spent
    received = [s.body for s in fake_apps.received("sendGoldMultiUser")]
    got = sorted(dict(p.split("=") for p in body.decode().split("&"))["ruid"] for body in received)
    assert got == sorted(allowed)  # the app's server received exactly the allowed ones, each once
