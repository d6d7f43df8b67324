"""`guardian detect FILE.har` on one fixture per catalog endpoint, and `guardian rules check`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from guardian.cli import main
from tests.conftest import household_config
from tests.support.endpoints import ENDPOINTS, RATES, endpoint_entries, har, har_entry

KEYS = ("app", "kind", "rule", "amount", "currency", "household_amount", "recipient", "status")


def config_with_rates(tmp_path: Path, child: str = "") -> Path:
    text = household_config(child).replace('unknown_devices = "allow"\n', f'unknown_devices = "allow"\n{RATES}\n')
    path = tmp_path / "guardian.toml"
    path.write_text(text, encoding="utf-8")
    return path


def detect_lines(tmp_path: Path, entries: list[dict], *args: str) -> list[object]:
    path = tmp_path / "capture.har"
    path.write_text(json.dumps(har(entries)), encoding="utf-8")
    result = CliRunner().invoke(main, ["detect", str(path), "--config", str(config_with_rates(tmp_path)), *args])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    # Each line says which request it answers: the entry's place in the file, its method and URL.
    expected = [(i, f"{e['request']['method']} {e['request']['url']}") for i, e in enumerate(entries)]
    assert [(line["entry"], line["request"]) for line in lines if "message" not in line] == expected
    return [line["purchase"] for line in lines]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_detect_recognises_each_endpoint_with_its_amount(tmp_path, endpoint):
    lines = detect_lines(tmp_path, endpoint_entries(endpoint))
    assert lines[:-1] == [None] * len(endpoint.before)  # gift lists are not purchases
    got = lines[-1]
    assert got is not None, endpoint.name
    assert {k: got[k] for k in KEYS} == endpoint.expected


def test_every_app_with_rules_has_a_fixture():
    from guardian.catalog.index import Catalog

    rules = {r.id for a in Catalog.load().apps.values() for r in a.rules if r.transport == "http"}
    covered = {e.expected["rule"] for e in ENDPOINTS}
    assert rules - covered == {
        "alipay.sandbox.trade.page.pay",
        "steam.checkout.inittransaction.checkout_host",
        "youtube.app.ypc.complete_transaction",
        "stripe.payment_pages.confirm",
    }


def test_ordinary_requests_and_free_gifts_print_null(tmp_path):
    entries = [
        har_entry("GET", "https://news.example/"),
        har_entry("GET", "https://api.live.bilibili.com/xlive/web-room/v1/index/getInfoByRoom?room_id=1"),
        har_entry(
            "POST",
            "https://api.live.bilibili.com/xlive/revenue/v1/gift/sendGold",
            "application/x-www-form-urlencoded",
            b"gift_id=1&price=100&gift_num=1&coin_type=silver",
        ),
        har_entry(
            "POST",
            "https://www.douyu.com/japi/prop/donate/mainsite/v2",
            "application/x-www-form-urlencoded",
            b"propId=268&propCount=1&roomId=1",
        ),
        har_entry(
            "POST",
            "https://openapi.alipay.com/gateway.do",
            "application/x-www-form-urlencoded",
            b"method=alipay.trade.query&biz_content=%7B%7D",
        ),
    ]
    assert detect_lines(tmp_path, entries) == [None] * 5


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
        {"operationName": "CreateCheckoutSession", "variables": {}},
    ]
    entries = [har_entry("POST", "https://gql.twitch.tv/gql", "text/plain;charset=UTF-8", json.dumps(batch).encode())]
    [got] = detect_lines(tmp_path, entries)
    assert (got["app"], got["rule"], got["status"]) == ("twitch", "twitch.gql.purchase", "unknown")
    assert got["operations"] == ["PurchaseBitsOffer", "CreateCheckoutSession"]
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


def test_detect_reads_mitmproxy_hardump_base64_bodies_and_runs_as_a_command(tmp_path):
    import base64

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


BAD_RULES = [
    ('app = "x"\nhosts = ["a.example"\nname = 3\n', 3, "not valid TOML"),
    ('app = "x"\nhosts = ["a.example"\n', 2, "not valid TOML: Unclosed array"),
    (
        'app = "myapp"\ncurrency = "CNY"\nhosts = ["shop.example"]\nrefusal = { json = \'{"m": "$message"}\' }\n\n'
        '[[rule]]\nid = "a"\nkind = "gift"\nhost = "shop.example"\npath = "/a"\namount = "n"\n\n'
        '[[rule]]\nid = "b"\nkind = "donation"\nhost = "shop.example"\npath = "/b"\namount = "n"\n',
        15,
        "rule[1].kind: expected one of gift",
    ),
    (
        'app = "myapp"\ncurrency = "CNY"\nhosts = ["shop.example"]\nrefusal = { json = \'{"m": "$message"}\' }\n\n'
        '[[rule]]\nid = "a"\nkind = "gift"\nhost = "shop.example"\npath = "/a"\n',
        6,
        "rule[0].amount: missing",
    ),
    ('app = "myapp"\ncurrency = "CNY"\nhosts = ["shop example"]\n', 3, "hosts: 'shop example' is not a host name"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD_RULES)
def test_rules_check_reports_file_line_and_reason(tmp_path, text, line, reason):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "good.toml").write_text(
        'app = "good"\ncurrency = "CNY"\nhosts = ["good.example"]\nrefusal = { json = \'{}\' }\n'
        '[[rule]]\nid = "g"\nkind = "tip"\nhost = "good.example"\npath = "/tip"\nunknown_amount = true\n',
        encoding="utf-8",
    )  # fmt: skip
    (folder / "mine.toml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "check", str(folder)])
    assert result.exit_code == 1
    assert f"{folder / 'mine.toml'}:{line}: " in result.output
    assert reason in result.output
    assert f"{folder / 'good.toml'}: OK (1 rules)" in result.output


def test_rules_check_passes_the_shipped_rules_and_warns_about_missing_rates(tmp_path, monkeypatch):
    config = tmp_path / "guardian.toml"
    config.write_text(household_config(), encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "check", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "rule files OK" in result.output
    assert "household.rates has no ROBUX rate" in result.output


def test_websocket_messages_in_a_chrome_har_get_a_line_each(tmp_path):
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


def test_rules_unrecognised_lists_what_discovery_recorded(tmp_path):
    from guardian.store import unrecognised
    from guardian.store.db import connect

    config = config_with_rates(tmp_path)
    conn = connect(tmp_path / "guardian.db")
    unrecognised.record(conn, "bilibili", "api.live.bilibili.com", "POST", "/xlive/revenue/v9/order/{id}/pay", 1000)
    conn.close()
    result = CliRunner().invoke(main, ["rules", "unrecognised", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert result.output == "bilibili\tPOST api.live.bilibili.com/xlive/revenue/v9/order/{id}/pay\tseen 1x\n"
