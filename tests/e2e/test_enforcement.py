"""End to end: a real mitmdump with Guardian, a real HTTPS client, local fake app servers, a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import httpx
import pytest

from tests.conftest import ORDINARY_HOST, closed_window, household_config

pytestmark = pytest.mark.e2e

GIFT = "https://api.live.bilibili.com/xlive/revenue/v2/gift/sendGoldMultiUser"
DOUYIN_RECHARGE = "https://www.douyin.com/webcast/wallet_api/diamond_buy_external_safe/"
KUAISHOU_RECHARGE = "https://pay.ssl.kuaishou.com/rest/k/pay/kscoin/deposit/nlogin/kspay/cashier"

CAPS = """
[child.caps]
per_purchase = "30"
day = "50"
week = "200"
month = "500"
"""


def gift(client: httpx.Client, yuan: int, streamer: str = "9001") -> httpx.Response:
    """A Bilibili gift worth `yuan` CNY (1000 gold seeds = 1 CNY), as the web client sends it."""
    return client.post(
        GIFT,
        data={"price": str(yuan * 1000), "gift_num": "1", "ruid": streamer, "coin_type": "gold", "csrf": "x"},
    )


def rows(db) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM attempts ORDER BY id")]
    finally:
        conn.close()


def wait_settled(db, count: int, timeout: float = 5) -> list[dict]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = rows(db)
        if len(found) >= count and all(r["outcome"] != "pending" for r in found):
            return found
        time.sleep(0.05)
    return rows(db)


def test_allowed_purchase_reaches_the_app_and_is_recorded(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(household_config(CAPS))
    with proxy.client() as c:
        r = gift(c, 12, streamer="7734")
    assert r.status_code == 200
    assert r.json()["code"] == 0
    assert r.headers["Guardian-Decision"] == "allowed"
    assert len(fake_apps.received("sendGoldMultiUser")) == 1
    [row] = wait_settled(tmp_path / "guardian.db", 1)
    assert (row["child"], row["app"], row["kind"], row["decision"], row["outcome"]) == (
        "Mia",
        "bilibili",
        "gift",
        "allowed",
        "accepted",
    )
    assert (row["amount"], row["app_amount"], row["app_unit"], row["recipient"]) == ("12", "12000", "gold", "7734")
    assert row["client_ip"] == "127.0.0.1"


def test_refusals_answer_in_the_apps_shape_and_never_reach_it(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(household_config(CAPS))
    with proxy.client() as c:
        over = gift(c, 31)
        douyin = c.get(DOUYIN_RECHARGE, params={"diamond_id": "888888", "customized_price": "3100", "aid": "1128"})
        kuaishou = c.post(KUAISHOU_RECHARGE, json={"ksCoin": 310, "fen": 3100, "kpf": "PC_WEB"})
    assert over.headers["Guardian-Decision"] == "blocked"
    assert over.headers["Guardian-Reason"] == "per-purchase"
    body = over.json()
    assert body["code"] != 0 and body["data"] is None and "Parental control" in body["message"]
    assert douyin.json()["status_code"] == 40001
    assert douyin.headers["Guardian-Reason"] == "per-purchase"
    assert kuaishou.json()["result"] != 1 and "error_msg" in kuaishou.json()
    assert fake_apps.seen == []
    recorded = rows(tmp_path / "guardian.db")
    assert [(r["app"], r["decision"], r["reason"], r["outcome"]) for r in recorded] == [
        ("bilibili", "blocked", "per-purchase", "never-contacted"),
        ("douyin", "blocked", "per-purchase", "never-contacted"),
        ("kuaishou", "blocked", "per-purchase", "never-contacted"),
    ]
    assert [r["amount"] for r in recorded] == ["31", "31", "31"]


def test_day_cap_allows_reaching_it_exactly_then_refuses(start_proxy, fake_apps):
    proxy = start_proxy(household_config(CAPS))
    with proxy.client() as c:
        decisions = [gift(c, yuan).headers["Guardian-Decision"] for yuan in (20, 20, 10)]
        over = gift(c, 1)
    assert decisions == ["allowed", "allowed", "allowed"]
    assert over.headers["Guardian-Reason"] == "day-cap"
    assert len(fake_apps.received("sendGoldMultiUser")) == 3


def test_velocity_counts_purchases_in_the_last_minute(start_proxy):
    proxy = start_proxy(household_config("[child.caps]\nper_minute = 2\n"))
    with proxy.client() as c:
        answers = [gift(c, 1).headers.get("Guardian-Reason", "allowed") for _ in range(3)]
    assert answers == ["allowed", "allowed", "velocity"]


def test_purchase_window_refuses_outside_its_hours(start_proxy, fake_apps):
    proxy = start_proxy(household_config(f'[child.windows]\npurchases = ["{closed_window()}"]\n'))
    with proxy.client() as c:
        r = gift(c, 1)
        page = c.get(f"https://{ORDINARY_HOST}/")
    assert r.headers["Guardian-Reason"] == "purchase-window"
    assert page.status_code == 200 and "Guardian-Decision" not in page.headers
    assert [s.host for s in fake_apps.seen] == [ORDINARY_HOST]


def test_app_window_refuses_the_apps_pages_and_its_tunnels(start_proxy, fake_apps):
    proxy = start_proxy(household_config(f'[child.windows.apps]\nkuaishou = ["{closed_window()}"]\n'))
    with proxy.client() as c:
        page = c.get(
            "http://live.kuaishou.com/u/someone", headers={"Accept": "text/html", "Sec-Fetch-Mode": "navigate"}
        )
        with pytest.raises(httpx.ProxyError, match="403"):
            c.get("https://live.kuaishou.com/")
        other_app = c.get("https://www.bilibili.com/")
    assert page.status_code == 403
    assert page.headers["Guardian-Reason"] == "app-window"
    assert "text/html" in page.headers["content-type"]
    assert "家长控制" in page.text and "Parental control" in page.text and "Kuaishou" in page.text
    assert other_app.status_code == 200
    assert [s.host for s in fake_apps.seen] == ["www.bilibili.com"]


def test_unreadable_payments_fail_closed_and_are_recorded(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(household_config(CAPS))
    bad_bodies = [
        b'{"fen": ',  # malformed JSON
        b'{"ksCoin": 10}',  # amount missing
        b'{"fen": "lots"}',  # not a number
        b'{"fen": -100}',  # negative
        b'{"fen": NaN}',  # NaN
        b'{"fen": 1e400}',  # absurd
    ]
    with proxy.client() as c:
        answers = [
            c.post(KUAISHOU_RECHARGE, content=body, headers={"Content-Type": "application/json"}) for body in bad_bodies
        ]
        huge = c.post(KUAISHOU_RECHARGE, json={"fen": 100, "pad": "x" * 70_000})
        ordinary = c.post(
            f"https://{ORDINARY_HOST}/comments", content=b'{"oops": ', headers={"Content-Type": "application/json"}
        )
    assert [a.headers["Guardian-Reason"] for a in answers + [huge]] == ["unreadable"] * 7
    assert all(a.json()["result"] == 0 for a in answers)
    assert ordinary.status_code == 200  # malformed bodies elsewhere are none of Guardian's business
    assert [s.host for s in fake_apps.seen] == [ORDINARY_HOST]
    recorded = rows(tmp_path / "guardian.db")
    assert len(recorded) == 7
    assert all(r["reason"] == "unreadable" and r["problem"] for r in recorded)


def test_a_failed_purchase_stops_counting(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(household_config(CAPS))
    fake_apps.answers["sendGoldMultiUser"] = (200, {"code": 200013, "message": "余额不足", "ttl": 1, "data": None})
    with proxy.client() as c:
        first = gift(c, 30)
        wait_settled(tmp_path / "guardian.db", 1)
        fake_apps.answers.clear()
        second = gift(c, 30)
        third = gift(c, 30)
    assert first.json()["code"] == 200013  # the app's own failure passes through to the child
    assert second.headers["Guardian-Decision"] == "allowed"  # the failed 30 did not count
    assert third.headers["Guardian-Reason"] == "day-cap"
    assert [r["outcome"] for r in wait_settled(tmp_path / "guardian.db", 3)] == [
        "failed",
        "accepted",
        "never-contacted",
    ]


def test_an_http_error_from_the_app_stops_counting(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(household_config(CAPS))
    fake_apps.answers["sendGoldMultiUser"] = (503, {"code": -500})
    with proxy.client() as c:
        gift(c, 30)
        wait_settled(tmp_path / "guardian.db", 1)
        fake_apps.answers.clear()
        assert gift(c, 30).headers["Guardian-Decision"] == "allowed"


def test_twenty_racing_purchases_cannot_pass_the_cap_together(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(household_config('[child.caps]\nday = "50"\n'))
    results: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(20)

    def buy() -> None:
        with proxy.client() as c:
            barrier.wait()
            r = gift(c, 7)
        with lock:
            results.append(r.headers.get("Guardian-Decision", "?"))

    threads = [threading.Thread(target=buy) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["allowed"] * 7 + ["blocked"] * 13  # 7 x 7 = 49 <= 50 < 56
    assert len(fake_apps.received("sendGoldMultiUser")) == 7
    allowed = [r for r in rows(tmp_path / "guardian.db") if r["decision"] == "allowed"]
    assert sum(int(r["amount"]) for r in allowed) == 49


def test_a_restart_keeps_the_days_spending(start_proxy, tmp_path):
    proxy = start_proxy(household_config(CAPS))
    with proxy.client() as c:
        assert gift(c, 30).headers["Guardian-Decision"] == "allowed"
    wait_settled(tmp_path / "guardian.db", 1)
    proxy.restart()
    with proxy.client() as c:
        assert gift(c, 20).headers["Guardian-Decision"] == "allowed"
        assert gift(c, 1).headers["Guardian-Reason"] == "day-cap"


def test_config_changes_apply_and_bad_edits_keep_the_last_good_config(start_proxy):
    caps = '[child.caps]\nper_purchase = "30"\nday = "10000"\n'
    proxy = start_proxy(household_config(caps))
    with proxy.client() as c:
        assert gift(c, 25).headers["Guardian-Decision"] == "allowed"
        proxy.config.write_text(household_config(caps.replace('"30"', '"20"')))
        deadline = time.monotonic() + 10
        while gift(c, 21).headers.get("Guardian-Reason") != "per-purchase":
            assert time.monotonic() < deadline, "the new cap was not picked up"
            time.sleep(0.2)
        proxy.config.write_text(household_config(caps.replace('"10000"', '"fifty"')))
        assert proxy.wait_for_log("Mia's day cap"), proxy.log()
        assert str(proxy.config) in proxy.log()
        # The last good config (per purchase 20) is still in force.
        assert gift(c, 21).headers["Guardian-Reason"] == "per-purchase"
        assert gift(c, 5).headers["Guardian-Decision"] == "allowed"


def test_a_bad_config_at_start_names_the_file_key_and_reason(start_proxy):
    with pytest.raises(RuntimeError) as failed:
        start_proxy(household_config('[child.caps]\nweek = "-5"\n'))
    message = str(failed.value)
    assert "guardian.toml" in message and "Mia's week cap" in message and "non-negative amount" in message


def test_ordinary_traffic_passes_untouched(start_proxy, fake_apps):
    proxy = start_proxy(household_config(CAPS))
    with proxy.client() as c:
        r = c.post(f"https://{ORDINARY_HOST}/api/pay/order", json={"amount": 999999})
        plain = c.get(f"http://{ORDINARY_HOST}/hello")
    assert r.status_code == 200 and r.text == f"hello from {ORDINARY_HOST}/api/pay/order"
    assert "Guardian-Decision" not in r.headers and "Guardian-Decision" not in plain.headers
    assert json.loads(fake_apps.seen[0].body) == {"amount": 999999}
    assert plain.text == f"hello from {ORDINARY_HOST}/hello"
