"""The devices addon alone (with its runtime): last-seen times under one device key, and a listener per phone."""

from __future__ import annotations

from mitmproxy import ctx
from mitmproxy.proxy.mode_specs import ProxyMode
from mitmproxy.test import tflow, tutils

from addons import devices as devices_module
from addons.devices import Devices
from guardian.setup import devices_seen, wireguard
from guardian.store.db import connect
from tests.support.one_addon import alone, flow, write_config


def seen_from(tmp_path) -> set[str]:
    conn = connect(tmp_path / "guardian.db")
    try:
        return set(devices_seen.last_seen(conn))
    finally:
        conn.close()


def test_each_device_is_seen_under_its_key_and_saved_on_done(tmp_path):
    config = write_config(tmp_path, "")
    with alone(Devices, config) as devices:
        plain = flow("GET", "news.example", "/", client="192.168.1.7")
        mapped = flow("GET", "news.example", "/", client="::ffff:192.168.1.8")  # a dual-stack socket's IPv4 client
        user = flow("GET", "news.example", "/", client="192.168.1.9")
        user.metadata["proxyauth"] = ("mia", "")
        phone = flow("GET", "news.example", "/", client="10.0.0.1")
        phone.client_conn.proxy_mode = ProxyMode.parse(f"wireguard:{tmp_path / 'wireguard' / 'mia-phone.conf'}@51821")
        answered = flow("GET", "news.example", "/", client="192.168.1.10")
        answered.response = tutils.tresp()  # answered already (a proxy-auth 407): not counted
        assert [devices.request(f) for f in (plain, mapped, user, phone, answered)] == [None] * 5
        connected = tflow.tclient_conn()
        connected.peername = ("192.168.1.11", 1)
        devices.client_connected(connected)
        expected = {"192.168.1.7", "192.168.1.8", "user:mia", "wireguard:mia-phone", "192.168.1.11"}
        assert set(devices.seen) == expected
    assert seen_from(tmp_path) == expected


def test_last_seen_is_bounded_between_two_saves(tmp_path, monkeypatch):
    monkeypatch.setattr(devices_module, "MAX_SEEN", 2)
    with alone(Devices, write_config(tmp_path, "")) as devices:
        for n in range(5):
            devices.request(flow("GET", "news.example", "/", client=f"192.168.1.{n}"))
        assert len(devices.seen) == 2


async def test_a_listener_for_each_listed_phone_with_keys(tmp_path):
    config = write_config(tmp_path, "")  # lists wireguard:mia-phone
    tunnel = wireguard.create(config, "mia-phone")
    wireguard.create(config, "old-phone")  # keys left behind, no longer listed: no listener
    with alone(Devices, config) as devices:
        await devices.listen()
        assert list(ctx.options.mode) == ["regular", tunnel.mode()]
        await devices.listen()  # nothing changed: the modes stay as they are
        assert list(ctx.options.mode) == ["regular", tunnel.mode()]
