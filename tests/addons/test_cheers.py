"""The WebSocket cheers addon alone (with its runtime): a chat message that spends is judged like a purchase."""

from __future__ import annotations

import json

from mitmproxy.proxy import mode_specs
from mitmproxy.test import tflow
from mitmproxy.websocket import WebSocketMessage

from addons.cheers import Cheers
from guardian.store.ledger import Ledger
from tests.support import tarsframes as tf
from tests.support.one_addon import alone, run, write_config


def chat(text: str, host: str = "irc-ws.chat.twitch.tv"):
    flow = tflow.twebsocketflow()
    flow.client_conn.peername = ("127.0.0.1", 5000)
    flow.request.host = host
    flow.request.headers["host"] = host
    flow.websocket.messages.append(WebSocketMessage(1, True, text.encode()))
    return flow


async def test_a_cheer_over_the_cap_is_dropped_and_one_under_it_goes_through(tmp_path):
    config = write_config(tmp_path, '[child.caps]\nper_purchase = "10"\n')
    with alone(Cheers, config) as cheers:
        big = chat("PRIVMSG #mia :Cheer100 Cheer1")  # 101 bits = 10.1 CNY
        await run(cheers.websocket_message(big))
        small = chat("PRIVMSG #mia :Cheer50 hi")
        await run(cheers.websocket_message(small))
        plain = chat("PRIVMSG #mia :hello Cheer")
        assert cheers.websocket_message(plain) is None
    assert big.websocket.messages[-1].dropped
    assert not small.websocket.messages[-1].dropped and not plain.websocket.messages[-1].dropped
    rows = sorted(Ledger(tmp_path / "guardian.db").rows(), key=lambda r: r.id)
    assert [(r.app, r.rule, r.app_amount, r.amount, r.decision, r.reason, r.outcome) for r in rows] == [
        ("twitch", "twitch.cheer", "101", "10.1", "blocked", "per-purchase", "never-contacted"),
        ("twitch", "twitch.cheer", "50", "5.0", "allowed", None, "accepted"),
    ]


async def test_a_cheer_through_a_phone_tunnel_belongs_to_that_phones_child(tmp_path):
    # Inside every tunnel the phone is 10.0.0.1; an address-based lookup would give it to the wrong child.
    config = write_config(tmp_path, '[child.caps]\nper_purchase = "1"\n')
    config.write_text(
        config.read_text(encoding="utf-8") + '[[child]]\nname = "Leo"\ndevices = ["10.0.0.0/8"]\n', encoding="utf-8"
    )
    with alone(Cheers, config) as cheers:
        cheer = chat("PRIVMSG #mia :Cheer50")  # 5 CNY: over Mia's 1 CNY per purchase, no limit for Leo
        cheer.client_conn.peername = ("10.0.0.1", 5000)
        cheer.client_conn.proxy_mode = mode_specs.ProxyMode.parse(
            f"wireguard:{tmp_path / 'wireguard' / 'mia-phone.conf'}@51821"
        )
        await run(cheers.websocket_message(cheer))
    assert cheer.websocket.messages[-1].dropped
    [row] = Ledger(tmp_path / "guardian.db").rows()
    assert (row.child, row.client_ip, row.reason) == ("Mia", "wireguard:mia-phone", "per-purchase")


async def test_messages_from_the_server_and_other_hosts_are_not_judged(tmp_path):
    config = write_config(tmp_path, '[child.caps]\nper_purchase = "0"\n')
    with alone(Cheers, config) as cheers:
        echoed = chat("@bits=100 :x!x@x PRIVMSG #mia :Cheer100")
        echoed.websocket.messages[-1].from_client = False
        assert cheers.websocket_message(echoed) is None
        elsewhere = chat("PRIVMSG #mia :Cheer100", host="chat.example")
        assert cheers.websocket_message(elsewhere) is None
    assert not echoed.websocket.messages[-1].dropped and not elsewhere.websocket.messages[-1].dropped


async def test_a_message_that_cannot_be_read_is_dropped(tmp_path, monkeypatch):
    config = write_config(tmp_path, "")
    with alone(Cheers, config) as cheers:

        def explode(host, text):
            raise RuntimeError("bug")

        monkeypatch.setattr(cheers.runtime.guard, "detect_message", explode)
        cheer = chat("PRIVMSG #mia :Cheer1")
        assert cheers.websocket_message(cheer) is None
    assert cheer.websocket.messages[-1].dropped


def frame(data: bytes, host: str = "cdnws.api.huya.com", from_client: bool = True):
    flow = tflow.twebsocketflow()
    flow.client_conn.peername = ("127.0.0.1", 5000)
    flow.request.host = host
    flow.request.headers["host"] = host
    flow.websocket.messages.append(WebSocketMessage(2, from_client, data))
    return flow


async def test_huya_gifts_in_binary_frames_are_priced_from_the_servers_gift_list(tmp_path):
    config = write_config(tmp_path, '[child.caps]\nday = "25"\n')
    with alone(Cheers, config) as cheers:
        early = frame(tf.gift_frame(20277, 1))  # no gift list yet: amount unknown, refused by default
        await run(cheers.websocket_message(early))
        listed = frame(tf.props_list([(20277, 10000), (20267, 100)]), from_client=False)
        await run(cheers.websocket_message(listed))
        gifts = [frame(tf.gift_frame(20277, 2)), frame(tf.gift_frame(20267, 10)), frame(tf.gift_frame(20277, 1))]
        for f in gifts:
            await run(cheers.websocket_message(f))
        beat = frame(tf.call("onlineui", "OnUserHeartBeat", tf.user_id()))
        assert cheers.websocket_message(beat) is None
        broken = frame(tf.gift_frame(20277, 1)[:-12] + b"\x0e")
        await run(cheers.websocket_message(broken))
        push = frame(tf.command(7, b"\x00"), from_client=False)  # other viewers' gifts: never judged or learned
        assert cheers.websocket_message(push) is None
    assert not listed.websocket.messages[-1].dropped and not beat.websocket.messages[-1].dropped
    assert [f.websocket.messages[-1].dropped for f in (early, *gifts, broken)] == [True, False, False, True, True]
    rows = sorted(Ledger(tmp_path / "guardian.db").rows(), key=lambda r: r.id)
    assert [(r.rule, r.app_amount, r.amount, r.decision, r.reason) for r in rows] == [
        ("huya.gift.consumeGift", None, None, "blocked", "unknown-amount"),
        ("huya.gift.consumeGift", "20000", "20", "allowed", None),
        ("huya.gift.consumeGift", "1000", "1", "allowed", None),
        ("huya.gift.consumeGift", "10000", "10", "blocked", "day-cap"),
        ("huya.gift.consumeGift", None, None, "blocked", "unreadable"),
    ]
    assert "SECRET" not in json.dumps([r.problem for r in rows])
