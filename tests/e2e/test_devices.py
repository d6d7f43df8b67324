"""A real mitmdump: phones' WireGuard listeners start and stop with the config,
and last-seen times reach the database."""

from __future__ import annotations

import errno
import socket
import time

import pytest

from addons.logs import HIDDEN
from guardian.setup import devices_seen, phones, wireguard
from guardian.store.db import connect
from tests.conftest import ORDINARY_HOST, household_config

pytestmark = pytest.mark.e2e


def udp_port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("0.0.0.0", port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def eventually(check, timeout: float = 15) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_a_phone_added_and_removed_gets_and_loses_its_listener(start_proxy, tmp_path):
    proxy = start_proxy(household_config(), extra=["--set", "guardian_seen_seconds=1"])
    config = tmp_path / "guardian.toml"
    with proxy.client() as client:
        assert client.get(f"https://{ORDINARY_HOST}/").status_code == 200

    conn = connect(tmp_path / "guardian.db")
    assert eventually(lambda: "127.0.0.1" in devices_seen.last_seen(conn)), proxy.log()

    tunnel = phones.add(config, "Mia", "mia-phone")
    assert eventually(lambda: udp_port_taken(tunnel.port)), proxy.log()
    assert proxy.wait_for_log("WireGuard server listening"), proxy.log()
    # mitmproxy logs the phone's whole configuration as a listener starts: neither private key may stay in it.
    assert HIDDEN in proxy.log()
    assert tunnel.client_key not in proxy.log() and tunnel.server_key not in proxy.log()

    phones.remove(config, "mia-phone")
    assert eventually(lambda: not udp_port_taken(tunnel.port)), proxy.log()
    assert "Traceback" not in proxy.log()


PHONE_CONFIG = (
    household_config('[child.caps]\nper_purchase = "30"\n').replace(
        'devices = ["127.0.0.1"]', 'devices = ["127.0.0.1", "wireguard:mia-phone"]'
    )
    + '[[child]]\nname = "Leo"\ndevices = ["10.0.0.0/8"]\n[child.caps]\nper_purchase = "100"\n'
)


def gift(tunnel, yuan: int) -> bytes:
    from tests.support.wgclient import TCP, http_complete

    # Any address outside the tunnel: the proxy sees it as the phone's destination (the test routing
    # addon then sends it to the fake app server); the Host header names the app.
    tcp = TCP(tunnel, "10.99.0.1", 80)
    request = (
        f"POST /xlive/revenue/v2/gift/sendGoldMultiUser?price={yuan * 1000}&gift_num=1&ruid=5 HTTP/1.1\r\n"
        "Host: api.live.bilibili.com\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    ).encode()
    return tcp.exchange(request, http_complete)


def fetch(tunnel, host: str, path: str) -> bytes:
    from tests.support.wgclient import TCP, http_complete

    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    return TCP(tunnel, "10.99.0.2", 80).exchange(request, http_complete)


def test_a_phone_in_its_wireguard_tunnel_is_judged_as_its_child(start_proxy, tmp_path, fake_apps):
    from guardian.store.ledger import Ledger
    from tests.support.wgclient import Peer, Tunnel

    config = tmp_path / "guardian.toml"
    tunnel_keys = wireguard.create(config, "mia-phone")  # before the proxy starts: it listens at once
    proxy = start_proxy(PHONE_CONFIG, extra=["--set", "guardian_seen_seconds=1"])
    assert eventually(lambda: udp_port_taken(tunnel_keys.port)), proxy.log()

    # The phone's side exactly as the QR code carries it, pointed at this machine.
    peer = Peer.from_config(tunnel_keys.client_config("127.0.0.1"))
    phone = Tunnel(peer)
    try:
        refused = gift(phone, 50)  # over Mia's 30; Leo's range (10.0.0.0/8) would allow it
        allowed = gift(phone, 10)
        certificate = fetch(phone, "mitm.it", "/cert/pem")  # the page the phone installs the CA from
    finally:
        phone.close()
    assert certificate.startswith(b"HTTP/1.1 200")
    assert certificate.partition(b"\r\n\r\n")[2] == proxy.ca.read_bytes()
    assert refused.startswith(b"HTTP/1.1 200") and b"guardian-reason: per-purchase" in refused.lower(), refused
    assert b"guardian-decision: allowed" in allowed.lower(), allowed
    rows = Ledger(tmp_path / "guardian.db").rows()
    assert [(r.child, r.client_ip, r.decision, r.amount) for r in rows] == [
        ("Mia", "wireguard:mia-phone", "allowed", "10"),
        ("Mia", "wireguard:mia-phone", "blocked", "50"),
    ]
    conn = connect(tmp_path / "guardian.db")
    assert eventually(lambda: "wireguard:mia-phone" in devices_seen.last_seen(conn)), proxy.log()

    # Revoked: the proxy stops listening, and the old keys get no answer.
    phones.remove(config, "mia-phone")
    assert eventually(lambda: not udp_port_taken(tunnel_keys.port)), proxy.log()
    import socket as _socket

    with pytest.raises((TimeoutError, ConnectionError, _socket.timeout)):
        Tunnel(peer, timeout=1)
