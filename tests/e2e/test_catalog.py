"""End to end: every catalog endpoint, gift prices, unknown amounts, host-level control and discovery.

A real mitmdump with Guardian, a real HTTPS client, the fake app servers, a real SQLite file.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import ssl
import time
from decimal import Decimal

import httpx
import pytest

from tests.conftest import closed_window, household_config
from tests.e2e.test_enforcement import rows, wait_settled
from tests.support.endpoints import RATES
from tests.support.nonpurchases import NON_PURCHASES
from tests.support.purchases import ENDPOINTS

pytestmark = pytest.mark.e2e

DOUYIN_GIFT = "https://live.douyin.com/webcast/gift/send/?aid=6383"
DOUYIN_LIST = "https://live.douyin.com/webcast/gift/list/?aid=6383&room_id=7"
YT_CART = "https://www.youtube.com/youtubei/v1/ypc/get_cart"
APPLE = "buy.itunes.apple.com"


def config(child: str = "", **kwargs) -> str:
    return household_config(child, **kwargs).replace(
        'unknown_devices = "allow"\n', f'unknown_devices = "allow"\n{RATES}\n'
    )


def reloaded(proxy, times: int, timeout: float = 10) -> None:
    end = time.monotonic() + timeout
    while proxy.log().count("config reloaded") < times:
        assert time.monotonic() < end, proxy.log()
        time.sleep(0.05)


def send(client: httpx.Client, endpoint) -> httpx.Response:
    for url in endpoint.before:
        assert client.get(url).status_code == 200
    ctype, body = endpoint.body()
    headers = dict(endpoint.headers)
    if ctype:
        headers["Content-Type"] = ctype
    return client.request(endpoint.method, endpoint.url, content=body or None, headers=headers)


def test_every_endpoint_is_recognised_through_the_proxy_with_its_amount(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(config('unknown_amount = "allow"\n'))
    with proxy.client() as c:
        answers = [send(c, e) for e in ENDPOINTS]
    assert [a.headers.get("Guardian-Decision") for a in answers] == ["allowed"] * len(ENDPOINTS)
    recorded = wait_settled(tmp_path / "guardian.db", len(ENDPOINTS))
    assert len(recorded) == len(ENDPOINTS)
    for endpoint, row in zip(ENDPOINTS, recorded, strict=True):
        want = endpoint.expected
        assert (row["app"], row["kind"], row["rule"], row["recipient"]) == (
            want["app"],
            want["kind"],
            want["rule"],
            want["recipient"],
        ), endpoint.name
        if want["status"] == "priced":
            assert Decimal(row["amount"]) == Decimal(want["household_amount"]), endpoint.name
        else:
            assert row["amount"] is None and row["problem"], endpoint.name
        assert row["outcome"] == "accepted", endpoint.name


def test_no_request_that_is_not_a_purchase_is_recognised_through_the_proxy(start_proxy, fake_apps, tmp_path):
    """Gift lists, room info, chat, likes, balances, backpack sends, free items: all reach the app untouched."""
    proxy = start_proxy(config('unknown_amount = "refuse"\n[child.caps]\nper_purchase = "0.001"\n'))  # refused
    with proxy.client() as c:
        answers = [send(c, e) for e in NON_PURCHASES]
    assert [(e.name, a.headers.get("Guardian-Decision")) for e, a in zip(NON_PURCHASES, answers, strict=True)] == [
        (e.name, None) for e in NON_PURCHASES
    ]
    assert all(a.status_code == 200 for a in answers)
    assert len(fake_apps.seen) == len(NON_PURCHASES) + sum(len(e.before) for e in NON_PURCHASES)
    assert rows(tmp_path / "guardian.db") == []


def test_unknown_amounts_follow_the_childs_setting_and_windows_always_apply(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(config())  # default: refuse
    with proxy.client() as c:
        refused = c.post(YT_CART, json={"params": "x"})
        unreadable = c.post(
            "https://www.paypal.com/v2/checkout/orders", json={"purchase_units": [{"amount": {"currency_code": "USD"}}]}
        )
    assert refused.status_code == 403 and refused.headers["Guardian-Reason"] == "unknown-amount"
    assert "Parental control" in refused.json()["error"]["message"]
    assert unreadable.status_code == 422 and unreadable.headers["Guardian-Reason"] == "unreadable"
    assert unreadable.json()["name"] == "UNPROCESSABLE_ENTITY"
    assert fake_apps.seen == []

    proxy.config.write_text(config('unknown_amount = "ask"\n[child.ask]\nwait = 0\n'))  # ask without holding
    reloaded(proxy, 1)
    with proxy.client() as c:
        assert c.post(YT_CART, json={}).headers["Guardian-Reason"] == "waiting-for-parent"

    proxy.config.write_text(config(f'unknown_amount = "allow"\n[child.windows]\npurchases = ["{closed_window()}"]\n'))
    reloaded(proxy, 2)
    with proxy.client() as c:
        assert c.post(YT_CART, json={}).headers["Guardian-Reason"] == "purchase-window"
    assert fake_apps.seen == []
    reasons = [r["reason"] for r in rows(tmp_path / "guardian.db")]
    assert reasons == ["unknown-amount", "unreadable", "waiting-for-parent", "purchase-window"]


def test_allowed_unknown_amounts_are_recorded_but_stop_at_a_spent_cap(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(config('unknown_amount = "allow"\n[child.caps]\nday = "5"\n'))
    with proxy.client() as c:
        first = c.post(YT_CART, json={})
        c.post("https://api.bilibili.com/x/ugcpay/web/v2/trade/elec/pay/quick", data={"bp_num": "5", "up_mid": "1"})
        wait_settled(tmp_path / "guardian.db", 2)
        second = c.post(YT_CART, json={})
    assert first.headers["Guardian-Decision"] == "allowed"
    assert second.headers["Guardian-Reason"] == "day-cap"
    assert len(fake_apps.received("get_cart")) == 1


def test_gift_prices_are_learned_from_the_gift_list_and_survive_a_restart(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(config())
    form = {"gift_id": "3389", "count": "1", "to_user_id": "5"}
    with proxy.client() as c:
        before = c.post(DOUYIN_GIFT, data=form)
        listed = c.get(DOUYIN_LIST)
        after = c.post(DOUYIN_GIFT, data=form)
    assert before.headers["Guardian-Reason"] == "unknown-amount"  # no price yet: unknown, refused by default
    assert listed.status_code == 200 and "Guardian-Decision" not in listed.headers
    assert after.headers["Guardian-Decision"] == "allowed"
    db = tmp_path / "guardian.db"
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT price FROM gift_prices WHERE app = 'douyin' AND gift_id = '3389'").fetchone() == (
            "1200",
        )
    finally:
        conn.close()
    proxy.restart()
    with proxy.client() as c:
        again = c.post(DOUYIN_GIFT, data=form)
    assert again.headers["Guardian-Decision"] == "allowed"
    assert [r["amount"] for r in rows(db)] == [None, "120", "120"]


def test_a_twitch_batch_with_two_purchases_is_refused_whole(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(config())
    batch = [
        {"operationName": "ChannelShell", "variables": {}},
        {"operationName": "PurchaseBitsOffer", "variables": {}},
        {"operationName": "UseLive", "variables": {}},
        {"operationName": "CheckoutPurchaseOffer", "variables": {}},
    ]
    with proxy.client() as c:
        refused = c.post(
            "https://gql.twitch.tv/gql", content=json.dumps(batch), headers={"Content-Type": "text/plain;charset=UTF-8"}
        )
        harmless = c.post(
            "https://gql.twitch.tv/gql", content=json.dumps(batch[::2]), headers={"Content-Type": "text/plain"}
        )
    assert refused.headers["Guardian-Reason"] == "unknown-amount"
    assert refused.json()["errors"][0]["message"].startswith("家长控制")
    assert harmless.status_code == 200 and "Guardian-Decision" not in harmless.headers
    assert len(fake_apps.received("/gql")) == 1
    [row] = rows(tmp_path / "guardian.db")
    assert row["rule"] == "twitch.gql.purchase"
    assert "PurchaseBitsOffer" in row["problem"] and "CheckoutPurchaseOffer" in row["problem"]


def connect_answer(proxy, host: str) -> tuple[int, dict[str, str]]:
    """Send a bare CONNECT and read the proxy's answer (status and headers)."""
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
        s.sendall(f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
    return int(head[0].split()[1]), headers


def test_pass_through_hosts_are_not_decrypted_inside_the_window(start_proxy, fake_apps):
    proxy = start_proxy(config())
    trusts_the_app = ssl.create_default_context(cafile=str(fake_apps.ca))
    with httpx.Client(proxy=proxy.url, verify=trusts_the_app, trust_env=False, timeout=30) as c:
        direct = c.post(f"https://{APPLE}/WebObjects/MZBuy.woa/wa/buyProduct", content=b"<plist/>")
        glob = c.get("https://p25-buy.itunes.apple.com/")
    # The client verified the app server's own certificate: the proxy did not decrypt.
    assert direct.status_code == 200 and "Guardian-Decision" not in direct.headers
    assert glob.status_code == 200
    assert [s.host for s in fake_apps.seen] == [APPLE, "p25-buy.itunes.apple.com"]
    with proxy.client() as c, pytest.raises(httpx.ConnectError):
        c.get(f"https://{APPLE}/")  # trusting only Guardian's CA fails: the certificate is the app's


def test_pass_through_hosts_are_refused_outside_the_window_and_once_a_cap_is_spent(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(
        config(f'[child.caps]\nday = "10"\n[child.windows.apps]\ngoogle-play = ["{closed_window()}"]\n')
    )
    status, headers = connect_answer(proxy, "android.clients.google.com")
    assert (status, headers["guardian-decision"], headers["guardian-reason"]) == (403, "blocked", "app-window")
    assert connect_answer(proxy, APPLE)[0] == 200  # apple's window is open and nothing is spent yet
    with proxy.client() as c:
        c.post("https://api.bilibili.com/x/ugcpay/web/v2/trade/elec/pay/quick", data={"bp_num": "10", "up_mid": "1"})
    wait_settled(tmp_path / "guardian.db", 1)
    status, headers = connect_answer(proxy, "p25-buy.itunes.apple.com")
    assert (status, headers["guardian-reason"]) == (403, "day-cap")
    assert connect_answer(proxy, "pay.bilibili.com")[1]["guardian-reason"] == "day-cap"
    assert connect_answer(proxy, "www.bilibili.com")[0] == 200  # the app itself stays usable
    with httpx.Client(
        proxy=proxy.url, verify=ssl.create_default_context(cafile=str(fake_apps.ca)), trust_env=False
    ) as c:
        with pytest.raises(httpx.ProxyError, match="403"):
            c.get(f"https://{APPLE}/")


def test_payment_hosts_are_refused_outside_the_purchase_window(start_proxy):
    proxy = start_proxy(config(f'[child.windows]\npurchases = ["{closed_window()}"]\n'))
    assert connect_answer(proxy, APPLE)[1]["guardian-reason"] == "purchase-window"
    assert connect_answer(proxy, "tp-pay.snssdk.com")[1]["guardian-reason"] == "purchase-window"
    assert connect_answer(proxy, "live.douyin.com")[0] == 200


def test_unrecognised_purchase_like_requests_are_recorded_once_and_not_refused(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(config())
    with proxy.client() as c:
        answers = [
            c.post("https://api.live.bilibili.com/xlive/revenue/v9/order/12345678/pay", data={"x": "1"}),
            c.post("https://api.live.bilibili.com/xlive/revenue/v9/order/87654321/pay", data={"x": "1"}),
            c.get("https://api.live.bilibili.com/xlive/revenue/v9/order/1/pay"),
            c.post("https://api.live.bilibili.com/xlive/web-room/v1/dM/sendmsg", data={"msg": "hi"}),
        ]
    assert [a.status_code for a in answers] == [200] * 4
    assert all("Guardian-Decision" not in a.headers for a in answers)
    assert proxy.wait_for_log("Guardian saw an unrecognised"), proxy.log()
    conn = sqlite3.connect(tmp_path / "guardian.db")
    try:
        found = conn.execute("SELECT app, host, method, path FROM unrecognised").fetchall()
    finally:
        conn.close()
    assert found == [("bilibili", "api.live.bilibili.com", "POST", "/xlive/revenue/v9/order/{id}/pay")]


def ws_frame(text: str) -> bytes:
    """A masked client text frame (RFC 6455)."""
    payload, mask = text.encode(), b"\x01\x02\x03\x04"
    size = len(payload)
    head = bytes([0x81, 0x80 | size]) if size < 126 else bytes([0x81, 0x80 | 126]) + size.to_bytes(2, "big")
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def test_twitch_cheers_on_the_chat_websocket_are_counted_and_dropped_when_refused(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(config('[child.caps]\nday = "12"\n'))  # BITS = 0.1 CNY
    host = "irc-ws.chat.twitch.tv"
    raw = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    raw.sendall(f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
    assert raw.recv(4096).startswith(b"HTTP/1.1 200")
    tls_sock = ssl.create_default_context(cafile=str(proxy.ca)).wrap_socket(raw, server_hostname=host)
    try:
        tls_sock.sendall(
            f"GET / HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        assert tls_sock.recv(4096).startswith(b"HTTP/1.1 101")
        for text in [
            "PRIVMSG #mia :Cheer100 go go",
            "PRIVMSG #mia :Kappa50 again",
            "PRIVMSG #mia :just chatting",
            "PRIVMSG #mia :done",
        ]:
            tls_sock.sendall(ws_frame(text))
        end = time.monotonic() + 10
        while "PRIVMSG #mia :done" not in fake_apps.ws_messages:
            assert time.monotonic() < end, fake_apps.ws_messages
            time.sleep(0.05)
    finally:
        tls_sock.close()
    # 100 bits (10 CNY) pass; 50 more would make 15 > 12 and are dropped; chat without bits is untouched.
    assert fake_apps.ws_messages == [
        "PRIVMSG #mia :Cheer100 go go",
        "PRIVMSG #mia :just chatting",
        "PRIVMSG #mia :done",
    ]
    recorded = rows(tmp_path / "guardian.db")
    assert [(r["rule"], r["app_amount"], r["decision"], r["reason"], r["recipient"]) for r in recorded] == [
        ("twitch.cheer", "100", "allowed", None, "mia"),
        ("twitch.cheer", "50", "blocked", "day-cap", "mia"),
    ]


def test_a_parents_rule_file_in_the_data_directory_is_enforced(start_proxy, fake_apps, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "douyu.toml").write_text(
        'app = "douyu"\ncurrency = "CNY"\nhosts = ["*.douyu.com"]\n'
        'refusal = { json = \'{"error": 1, "msg": "$message"}\' }\nsuccess = { path = "error", values = [0] }\n'
        '[[rule]]\nid = "mine.douyu.fishcard"\nkind = "gift"\nhost = "www.douyu.com"\npath = '
        '"/japi/prop/fishcard/buy"\n'
        'amount = "yuan"\n',
        encoding="utf-8",
    )  # fmt: skip
    proxy = start_proxy(config('[child.caps]\nper_purchase = "20"\n'))
    with proxy.client() as c:
        over = c.post("https://www.douyu.com/japi/prop/fishcard/buy", data={"yuan": "25"})
        under = c.post("https://www.douyu.com/japi/prop/fishcard/buy", data={"yuan": "5"})
        old = c.post("https://www.douyu.com/japi/prop/donate/mainsite/v1", data={"propId": "1", "propCount": "1"})
    assert over.headers["Guardian-Reason"] == "per-purchase" and over.json()["error"] == 1
    assert under.headers["Guardian-Decision"] == "allowed"
    assert "Guardian-Decision" not in old.headers  # the parent's file replaced the shipped Douyu rules
    assert [r["rule"] for r in rows(tmp_path / "guardian.db")] == ["mine.douyu.fishcard", "mine.douyu.fishcard"]


def test_a_parents_lock_refuses_payment_hosts_at_once(start_proxy, tmp_path):
    from datetime import UTC, datetime

    from guardian.store import overrides
    from guardian.store.db import connect

    proxy = start_proxy(config())
    assert connect_answer(proxy, APPLE)[0] == 200
    conn = connect(tmp_path / "guardian.db")
    try:
        overrides.lock(conn, datetime.now(UTC))  # what the dashboard's "Lock all purchases now" writes
    finally:
        conn.close()
    status, headers = connect_answer(proxy, APPLE)
    assert (status, headers["guardian-reason"]) == (403, "locked")
    assert connect_answer(proxy, "www.bilibili.com")[0] == 200
