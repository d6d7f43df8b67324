"""`guardian detect FILE.har` on one fixture per catalog request shape, every non-purchase, and WebSocket frames."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from guardian.catalog.index import Catalog
from guardian.cli import main
from tests.conftest import household_config
from tests.support import sockets
from tests.support import tarsframes as tf
from tests.support.endpoints import RATES, Endpoint, endpoint_entries, har, har_entry
from tests.support.nonpurchases import BY_APP, NON_PURCHASES
from tests.support.purchases import ENDPOINTS

KEYS = ("app", "kind", "rule", "amount", "currency", "household_amount", "recipient", "status")


def config_with_rates(tmp_path: Path, child: str = "", rates: str = RATES) -> Path:
    text = household_config(child).replace('unknown_devices = "allow"\n', f'unknown_devices = "allow"\n{rates}\n')
    path = tmp_path / "guardian.toml"
    path.write_text(text, encoding="utf-8")
    return path


def detect_output(tmp_path: Path, entries: list[dict], config: Path | None = None) -> list[dict]:
    path = tmp_path / "capture.har"
    path.write_text(json.dumps(har(entries)), encoding="utf-8")
    config = config or config_with_rates(tmp_path)
    result = CliRunner().invoke(main, ["detect", str(path), "--config", str(config)])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def detect_lines(tmp_path: Path, entries: list[dict], config: Path | None = None) -> list[dict | None]:
    """The purchase (or None) of each line."""
    return [line["purchase"] for line in detect_output(tmp_path, entries, config)]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_detect_recognises_each_endpoint_with_its_amount(tmp_path, endpoint: Endpoint):
    lines = detect_lines(tmp_path, endpoint_entries(endpoint))
    assert lines[:-1] == [None] * len(endpoint.before)  # gift lists are not purchases
    got = lines[-1]
    assert got is not None, endpoint.name
    assert {k: got[k] for k in KEYS} == endpoint.expected


@pytest.mark.parametrize("endpoint", NON_PURCHASES, ids=[e.name for e in NON_PURCHASES])
def test_requests_that_are_not_purchases_print_null(tmp_path, endpoint: Endpoint):
    assert detect_lines(tmp_path, endpoint_entries(endpoint)) == [None] * (len(endpoint.before) + 1)


def test_every_app_has_at_least_as_many_non_purchases_as_purchases():
    purchases = Counter(e.expected["app"] for e in ENDPOINTS)
    assert set(purchases) == set(BY_APP)
    assert {app: n for app, n in purchases.items() if len(BY_APP[app]) < n} == {}


def test_every_rule_has_a_fixture():
    rules = {r.id for a in Catalog.load().apps.values() for r in a.rules if r.transport == "http"}
    covered = {e.expected["rule"] for e in ENDPOINTS}
    assert rules - covered == {
        "alipay.sandbox.trade.page.pay",
        "steam.checkout.inittransaction.checkout_host",
        "youtube.app.ypc.complete_transaction",
        "stripe.payment_pages.confirm",
        "huya.wup.sendCardPackageItem",  # the same reading as consumeGift: tests/guardian/catalog/test_huya.py
        "unionpay.front.consume.foreign",  # unreadable by design: test_a_foreign_unionpay_payment_is_unreadable
    }
    websocket = {r.id for a in Catalog.load().apps.values() for r in a.rules if r.transport == "websocket"}
    assert websocket - {p["rule"] for p in sockets.HUYA.expected if p} == {
        "twitch.cheer",
        "huya.gift.sendCardPackageItem",
    }


def test_each_line_says_which_request_it_answers(tmp_path):
    entries = [
        har_entry("GET", "https://news.example/a?token=secret"),
        har_entry("POST", "https://economy.roblox.com/v1/purchases/products/5", "application/json",
                  b'{"expectedPrice": 250}'),
    ]  # fmt: skip
    first, second = detect_output(tmp_path, entries)
    assert first == {"entry": 0, "request": "GET news.example/a", "purchase": None}  # the query may hold tokens
    assert (second["entry"], second["request"], second["purchase"]["rule"]) == (
        1,
        "POST economy.roblox.com/v1/purchases/products/5",
        "roblox.purchase.product",
    )


def test_without_a_rate_the_amount_and_unit_read_are_printed(tmp_path):
    entries = [
        har_entry("POST", "https://economy.roblox.com/v1/purchases/products/5", "application/json",
                  b'{"expectedPrice": 400}'),
        har_entry("POST", "https://www.paypal.com/v2/checkout/orders", "application/json",
                  json.dumps({"purchase_units": [{"amount": {"currency_code": "USD", "value": "9.99"}}]}).encode()),
        har_entry("POST", "https://gql.twitch.tv/gql", "application/json", json.dumps([
            {"operationName": "ChatInput_SendCheer", "variables": {"input": {"bits": 500, "targetID": "1"}}}
        ]).encode()),
    ]  # fmt: skip
    robux, dollars, bits = detect_lines(tmp_path, entries, config_with_rates(tmp_path, rates=""))
    assert (robux["amount"], robux["currency"], robux["app_amount"], robux["unit"]) == ("400", "ROBUX", "400", "Robux")
    assert (dollars["amount"], dollars["currency"]) == ("9.99", "USD")
    assert (bits["amount"], bits["currency"], bits["app_amount"], bits["unit"]) == ("500", "BITS", "500", "bits")
    for p in (robux, dollars, bits):
        assert (p["status"], p["household_amount"], p["household_currency"]) == ("unreadable", None, None)
        assert "no household amount can be given" in p["problem"]


def test_gift_list_in_the_har_prices_a_later_gift_and_an_understated_price_is_raised(tmp_path):
    gift = "https://api.live.bilibili.com/xlive/revenue/v1/gift/sendGold"
    form = "application/x-www-form-urlencoded"
    entries = [
        har_entry("POST", gift, form, b"gift_id=31039&price=1&gift_num=3&ruid=1"),
        har_entry(
            "GET",
            "https://api.live.bilibili.com/xlive/web-room/v1/giftPanel/roomGiftList?room_id=1",
            response={
                "code": 0,
                "data": {"gift_config": {"base_config": {"list": [{"id": 31039, "price": 1000, "coin_type": "gold"}]}}},
            },
        ),
        har_entry("POST", gift, form, b"gift_id=31039&price=1&gift_num=3&ruid=1"),
    ]
    before, listed, after = detect_lines(tmp_path, entries)
    assert before["household_amount"] == "0.003" and listed is None
    assert (after["household_amount"], after["app_amount"], after["unit"]) == ("3", "3000", "gold")


def test_unknown_gift_is_a_purchase_of_unknown_amount(tmp_path):
    entries = [
        har_entry(
            "POST",
            "https://live.douyin.com/webcast/gift/send/",
            "application/x-www-form-urlencoded",
            b"gift_id=424242&count=1",
        )
    ]
    [got] = detect_lines(tmp_path, entries)
    assert (got["status"], got["amount"], got["household_amount"]) == ("unknown", None, None)
    assert "424242" in got["problem"] and "not known" in got["problem"]


def test_twitch_batch_with_two_purchase_operations_hidden_after_harmless_ones(tmp_path):
    batch = [
        {"operationName": "ChannelShell", "variables": {"login": "x"}},
        {"operationName": "PurchaseBitsOffer", "variables": {}},
        {"operationName": "VideoPlayerStreamInfoOverlayChannel", "variables": {}},
        {"operationName": "CheckoutPurchaseOffer", "variables": {}},
    ]
    entries = [har_entry("POST", "https://gql.twitch.tv/gql", "text/plain;charset=UTF-8", json.dumps(batch).encode())]
    [got] = detect_lines(tmp_path, entries)
    assert (got["app"], got["rule"], got["status"]) == ("twitch", "twitch.gql.purchase", "unknown")
    assert got["operations"] == ["PurchaseBitsOffer", "CheckoutPurchaseOffer"]
    harmless = [har_entry("POST", "https://gql.twitch.tv/gql", "text/plain", json.dumps(batch[::2]).encode())]
    assert detect_lines(tmp_path, harmless) == [None]


def test_malformed_and_rate_less_requests_are_unreadable(tmp_path):
    entries = [
        har_entry(
            "POST",
            "https://openapi.alipay.com/gateway.do",
            "application/x-www-form-urlencoded",
            b"method=alipay.trade.page.pay&biz_content=%7B%22total_amount%22%3A",
        ),  # biz_content is cut short
        har_entry(
            "POST",
            "https://www.paypal.com/v2/checkout/orders",
            "application/json",
            json.dumps(
                {
                    "purchase_units": [
                        {"amount": {"currency_code": "USD", "value": "1"}},
                        {"amount": {"currency_code": "EUR", "value": "1"}},
                    ]
                }
            ).encode(),
        ),
        har_entry(
            "POST",
            "https://store.steampowered.com/steamaccount/addfunds",
            "application/x-www-form-urlencoded",
            b"amount=500&currency=JPY",
        ),
    ]
    cut, mixed, no_rate = detect_lines(tmp_path, entries)
    assert cut["status"] == "unreadable" and "not valid JSON" in cut["problem"]
    assert mixed["status"] == "unreadable" and "several currencies" in mixed["problem"]
    assert no_rate["status"] == "unreadable" and "no rate for JPY" in no_rate["problem"]
    assert (no_rate["amount"], no_rate["currency"]) == ("5", "JPY")


def test_a_foreign_unionpay_payment_is_unreadable(tmp_path):
    form = b"txnType=01&txnAmt=1000&currencyCode=840&merId=1"
    entries = [
        har_entry("POST", "https://gateway.95516.com/gateway/api/frontTransReq.do", "application/x-www-form-urlencoded",
                  form),
    ]  # fmt: skip
    [got] = detect_lines(tmp_path, entries)
    assert (got["rule"], got["status"]) == ("unionpay.front.consume.foreign", "unreadable")
    assert "'840' is not a currency code" in got["problem"]


def test_detect_reads_mitmproxy_hardump_base64_bodies_and_runs_as_a_command(tmp_path):
    entry = har_entry("POST", "https://economy.roblox.com/v1/purchases/products/1")
    entry["request"]["postData"] = {
        "mimeType": "application/json",
        "text": base64.b64encode(b'{"expectedPrice": 200}').decode(),
        "encoding": "base64",
    }
    path = tmp_path / "dump.har"
    path.write_text(json.dumps(har([entry])), encoding="utf-8")
    config = config_with_rates(tmp_path)
    guardian = Path(sys.executable).parent / "guardian"
    out = subprocess.run(
        [str(guardian), "detect", str(path), "--config", str(config)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["purchase"]["household_amount"] == "18"


def test_detect_refuses_a_file_that_is_not_har(tmp_path):
    path = tmp_path / "x.har"
    path.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(main, ["detect", str(path)])
    assert result.exit_code == 1 and "no log.entries" in result.output


def socket_entry(socket: sockets.Socket) -> dict:
    """A HAR entry for the socket's upgrade request with its messages, as Chrome and mitmproxy export them."""
    entry = har_entry("GET", socket.url)
    entry["_webSocketMessages"] = [
        {"type": "send" if sent else "receive", "time": float(n), "opcode": 1 if isinstance(data, str) else 2,
         "data": data if isinstance(data, str) else base64.b64encode(data).decode()}
        for n, (sent, data) in enumerate(socket.messages)
    ]  # fmt: skip
    return entry


def test_huya_websocket_gifts_are_priced_from_the_gift_list_the_server_sent(tmp_path):
    upgrade, *lines = detect_output(tmp_path, [socket_entry(sockets.HUYA)])
    assert upgrade["purchase"] is None
    assert [line["request"] for line in lines] == [
        f"WebSocket message {n} sent on cdnws.api.huya.com/" for n in range(2, 11)
    ]  # message 1 is the server's gift list, message 11 a server push: neither gets a line
    for line, want in zip(lines, sockets.HUYA.expected, strict=True):
        got = line["purchase"]
        if want is None or want["status"] != "priced":
            assert got == want if want is None else got["status"] == want["status"], line
        else:
            assert {k: got[k] for k in KEYS} == want
    unreadable = lines[-1]["purchase"]
    assert "the packet's length does not match its size" in unreadable["problem"]
    assert tf.COOKIE not in json.dumps(lines) and "SECRET" not in json.dumps(lines)


def test_a_huya_gift_before_any_gift_list_is_of_unknown_amount(tmp_path):
    late = sockets.Socket("no list", sockets.HUYA_WS, ((True, tf.gift_frame(20277, 1)),), ())
    upgrade, gift = detect_lines(tmp_path, [socket_entry(late)])
    assert upgrade is None and (gift["status"], gift["rule"]) == ("unknown", "huya.gift.consumeGift")


def test_twitch_irc_cheers_in_a_chrome_har_get_a_line_each(tmp_path):
    entry = har_entry("GET", "https://irc-ws.chat.twitch.tv/")
    entry["_webSocketMessages"] = [
        {"type": "send", "time": 1.0, "opcode": 1, "data": "PRIVMSG #mia :Cheer100 Cheer25"},
        {"type": "receive", "time": 1.1, "opcode": 1, "data": "@bits=125 :mia PRIVMSG #mia :Cheer100 Cheer25"},
        {"type": "send", "time": 2.0, "opcode": 1, "data": "PRIVMSG #mia :hello"},
    ]
    upgrade, cheer, chat = detect_lines(tmp_path, [entry])
    assert upgrade is None and chat is None
    assert (cheer["rule"], cheer["amount"], cheer["currency"], cheer["household_amount"], cheer["recipient"]) == (
        "twitch.cheer",
        "125",
        "BITS",
        "12.5",
        "mia",
    )
