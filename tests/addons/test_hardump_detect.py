"""`guardian detect` on a HAR written by mitmproxy's own exporter (the `hardump` option)."""

from __future__ import annotations

import json

from click.testing import CliRunner
from mitmproxy.addons.savehar import SaveHar
from mitmproxy.test import tflow, tutils
from mitmproxy.websocket import WebSocketMessage

from guardian.cli import main
from tests.guardian.cli.test_detect import config_with_rates


def flow(method: str, host: str, path: str, body: bytes = b"", ctype: str = "", answer: object = None):
    f = tflow.tflow(resp=True)
    f.request = tutils.treq(
        method=method.encode(),
        host=host,
        port=443,
        scheme=b"https",
        path=path.encode(),
        authority=host.encode(),
        headers=((b"host", host.encode()), (b"content-type", ctype.encode())),
        content=body,
    )
    f.response = tutils.tresp(content=json.dumps(answer if answer is not None else {"ok": 1}).encode())
    return f


def test_detect_reads_mitmproxys_har_export(tmp_path):
    form = "application/x-www-form-urlencoded"
    cheer = tflow.twebsocketflow()
    cheer.request.host = "irc-ws.chat.twitch.tv"
    cheer.websocket.messages = [
        WebSocketMessage(1, True, b"PRIVMSG #mia :Cheer300"),
        WebSocketMessage(1, False, b"PING"),
    ]
    flows = [
        flow(
            "GET",
            "live.douyin.com",
            "/webcast/gift/list/?aid=6383",
            answer={"data": {"gifts": [{"id": 77, "diamond_count": 52}]}},
        ),
        flow("POST", "live.douyin.com", "/webcast/gift/send/?aid=6383", b"gift_id=77&count=10&to_user_id=9", form),
        flow("POST", "api.live.bilibili.com", "/xlive/revenue/v1/order/createOrder", b"pay_gold=0&pay_bp=100000", form),
        flow("POST", "economy.roblox.com", "/v1/purchases/products/5", b'{"expectedPrice": 250}', "application/json"),
        cheer,
    ]
    path = tmp_path / "dump.har"
    path.write_text(json.dumps(SaveHar().make_har(flows)), encoding="utf-8")
    result = CliRunner().invoke(main, ["detect", str(path), "--config", str(config_with_rates(tmp_path))])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["entry"] for line in lines] == [0, 1, 2, 3, 4, 4]  # the cheer answers the WebSocket's entry
    listed, gift, two_ways, robux, upgrade, sent = [line["purchase"] for line in lines]
    assert listed is None and upgrade is None
    assert (gift["rule"], gift["app_amount"], gift["household_amount"], gift["recipient"]) == (
        "douyin.gift.send",
        "520",
        "52",
        "9",
    )
    assert two_ways["status"] == "unreadable" and "more than one way to pay" in two_ways["problem"]
    assert (robux["amount"], robux["currency"], robux["household_amount"]) == ("250", "ROBUX", "22.5")
    assert (sent["rule"], sent["amount"], sent["household_amount"]) == ("twitch.cheer", "300", "30")
