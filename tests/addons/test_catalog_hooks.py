"""The catalog hooks of Guardian's addon (WebSocket cheers, pass-through, server connections),
with mitmproxy's test helpers."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest
from mitmproxy import connection, tls
from mitmproxy.options import Options
from mitmproxy.proxy import context, mode_specs, server_hooks
from mitmproxy.test import taddons, tflow
from mitmproxy.websocket import WebSocketMessage

from guardian.store.ledger import Ledger
from tests.addons.test_guardian_addon import load
from tests.conftest import closed_window, household_config
from tests.support import tarsframes as tf

RATES = 'rates = { BITS = "0.1" }\n'


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("GUARDIAN_CONFIG", str(tmp_path / "guardian.toml"))


def write(tmp_path: Path, child: str) -> Path:
    path = tmp_path / "guardian.toml"
    text = household_config(child).replace('unknown_devices = "allow"\n', 'unknown_devices = "allow"\n' + RATES)
    text = text.replace('devices = ["127.0.0.1"]', 'devices = ["127.0.0.1", "wireguard:mia-phone"]')
    path.write_text(text, encoding="utf-8")
    return path


def chat(text: str, host: str = "irc-ws.chat.twitch.tv"):
    flow = tflow.twebsocketflow()
    flow.client_conn.peername = ("127.0.0.1", 5000)
    flow.request.host = host
    flow.request.headers["host"] = host
    flow.websocket.messages.append(WebSocketMessage(1, True, text.encode()))
    return flow


async def run(result):
    if inspect.isawaitable(result):
        await result


async def test_a_cheer_over_the_cap_is_dropped_and_one_under_it_goes_through(tmp_path):
    config = write(tmp_path, '[child.caps]\nper_purchase = "10"\n')
    with taddons.context() as tctx:
        addon = load(tctx, config)
        big = chat("PRIVMSG #mia :Cheer100 Cheer1")  # 101 bits = 10.1 CNY
        await run(addon.websocket_message(big))
        small = chat("PRIVMSG #mia :Cheer50 hi")
        await run(addon.websocket_message(small))
        plain = chat("PRIVMSG #mia :hello Cheer")
        assert addon.websocket_message(plain) is None
        addon.done()
    assert big.websocket.messages[-1].dropped
    assert not small.websocket.messages[-1].dropped and not plain.websocket.messages[-1].dropped
    rows = sorted(Ledger(tmp_path / "guardian.db").rows(), key=lambda r: r.id)
    assert [(r.app, r.rule, r.app_amount, r.amount, r.decision, r.reason, r.outcome) for r in rows] == [
        ("twitch", "twitch.cheer", "101", "10.1", "blocked", "per-purchase", "never-contacted"),
        ("twitch", "twitch.cheer", "50", "5.0", "allowed", None, "accepted"),
    ]


async def test_a_cheer_through_a_phone_tunnel_belongs_to_that_phones_child(tmp_path):
    # Inside every tunnel the phone is 10.0.0.1; an address-based lookup would give it to the wrong child.
    config = write(tmp_path, '[child.caps]\nper_purchase = "1"\n')
    config.write_text(
        config.read_text(encoding="utf-8") + '[[child]]\nname = "Leo"\ndevices = ["10.0.0.0/8"]\n', encoding="utf-8"
    )
    with taddons.context() as tctx:
        addon = load(tctx, config)
        cheer = chat("PRIVMSG #mia :Cheer50")  # 5 CNY: over Mia's 1 CNY per purchase, no limit for Leo
        cheer.client_conn.peername = ("10.0.0.1", 5000)
        cheer.client_conn.proxy_mode = mode_specs.ProxyMode.parse(
            f"wireguard:{tmp_path / 'wireguard' / 'mia-phone.conf'}@51821"
        )
        await run(addon.websocket_message(cheer))
        addon.done()
    assert cheer.websocket.messages[-1].dropped
    [row] = Ledger(tmp_path / "guardian.db").rows()
    assert (row.child, row.client_ip, row.reason) == ("Mia", "wireguard:mia-phone", "per-purchase")


async def test_messages_from_the_server_and_other_hosts_are_not_judged(tmp_path):
    config = write(tmp_path, '[child.caps]\nper_purchase = "0"\n')
    with taddons.context() as tctx:
        addon = load(tctx, config)
        echoed = chat("@bits=100 :x!x@x PRIVMSG #mia :Cheer100")
        echoed.websocket.messages[-1].from_client = False
        assert addon.websocket_message(echoed) is None
        elsewhere = chat("PRIVMSG #mia :Cheer100", host="chat.example")
        assert addon.websocket_message(elsewhere) is None
        addon.done()
    assert not echoed.websocket.messages[-1].dropped and not elsewhere.websocket.messages[-1].dropped


def frame(data: bytes, host: str = "cdnws.api.huya.com", from_client: bool = True):
    flow = tflow.twebsocketflow()
    flow.client_conn.peername = ("127.0.0.1", 5000)
    flow.request.host = host
    flow.request.headers["host"] = host
    flow.websocket.messages.append(WebSocketMessage(2, from_client, data))
    return flow


async def test_huya_gifts_in_binary_frames_are_priced_from_the_servers_gift_list(tmp_path):
    config = write(tmp_path, '[child.caps]\nday = "25"\n')
    with taddons.context() as tctx:
        addon = load(tctx, config)
        early = frame(tf.gift_frame(20277, 1))  # no gift list yet: amount unknown, refused by default
        await run(addon.websocket_message(early))
        listed = frame(tf.props_list([(20277, 10000), (20267, 100)]), from_client=False)
        await run(addon.websocket_message(listed))
        gifts = [frame(tf.gift_frame(20277, 2)), frame(tf.gift_frame(20267, 10)), frame(tf.gift_frame(20277, 1))]
        for f in gifts:
            await run(addon.websocket_message(f))
        beat = frame(tf.call("onlineui", "OnUserHeartBeat", tf.user_id()))
        assert addon.websocket_message(beat) is None
        broken = frame(tf.gift_frame(20277, 1)[:-12] + b"\x0e")
        await run(addon.websocket_message(broken))
        addon.done()
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


def hello_data(sni: str | None, address=("1.2.3.4", 443)) -> tls.ClientHelloData:
    client = connection.Client(peername=("127.0.0.1", 5000), sockname=("127.0.0.1", 8080))
    ctx = context.Context(client, Options())
    ctx.server = connection.Server(address=address)
    hello = tls.ClientHello(tutils_client_hello(sni))
    return tls.ClientHelloData(ctx, hello)


def tutils_client_hello(sni: str | None) -> bytes:
    """A real TLS ClientHello, made by Python's ssl module, without its record header."""
    import ssl

    ctx = ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = (
        ctx.wrap_bio(incoming, outgoing, server_hostname=sni)
        if sni
        else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).wrap_bio(incoming, outgoing)
    )
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()[9:]  # record header (5) and handshake header (4)


async def test_pass_through_hosts_are_not_decrypted(tmp_path):
    config = write(tmp_path, "")
    with taddons.context() as tctx:
        addon = load(tctx, config)
        apple = hello_data("p12-buy.itunes.apple.com")
        addon.tls_clienthello(apple)
        bilibili = hello_data("api.live.bilibili.com")
        addon.tls_clienthello(bilibili)
        addon.done()
    assert apple.ignore_connection is True
    assert bilibili.ignore_connection is False


def server_data(host: str, mode: str) -> server_hooks.ServerConnectionHookData:
    client = connection.Client(
        peername=("127.0.0.1", 5000), sockname=("127.0.0.1", 8080), proxy_mode=mode_specs.ProxyMode.parse(mode)
    )
    server = connection.Server(address=("17.1.2.3", 443))
    server.sni = host
    return server_hooks.ServerConnectionHookData(server, client)


@pytest.mark.parametrize("mode", ["transparent", "wireguard:/keys/mia-phone.conf", "socks5"])
async def test_other_modes_refuse_the_server_connection_of_a_closed_app(tmp_path, mode):
    config = write(tmp_path, f'[child.caps]\nday = "1"\n[child.windows.apps]\napple = ["{closed_window()}"]\n')
    with taddons.context() as tctx:
        addon = load(tctx, config)
        closed = server_data("buy.itunes.apple.com", mode)
        await run(addon.server_connect(closed))
        open_ = server_data("android.clients.google.com", mode)
        await run(addon.server_connect(open_))
        ordinary = server_data("news.example", mode)
        assert addon.server_connect(ordinary) is None
        regular = server_data("buy.itunes.apple.com", "regular")  # judged at CONNECT instead
        assert addon.server_connect(regular) is None
        addon.done()
    assert "app-window" in closed.server.error
    assert open_.server.error is None and ordinary.server.error is None and regular.server.error is None


async def test_other_modes_refuse_payment_hosts_once_a_cap_is_spent(tmp_path):
    config = write(tmp_path, '[child.caps]\nday = "0"\n')
    with taddons.context() as tctx:
        addon = load(tctx, config)
        data = server_data("android.clients.google.com", "wireguard:/keys/mia-phone.conf")
        await run(addon.server_connect(data))
        stranger = server_data("android.clients.google.com", "wireguard:/keys/guest.conf")  # an unlisted tunnel
        await run(addon.server_connect(stranger))
        addon.done()
    assert "day-cap" in data.server.error
    assert stranger.server.error is None
