"""A real mitmdump: phones' WireGuard listeners start and stop with the config, and last-seen times reach the database."""

from __future__ import annotations

import errno
import socket
import time

import pytest

from guardian import devices_seen, phones, wireguard
from guardian.ledger import connect
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
    # mitmproxy accepted the key file and prints the same server key the phone was given.
    assert wireguard.pubkey(tunnel.server_key) in proxy.log()

    phones.remove(config, "mia-phone")
    assert eventually(lambda: not udp_port_taken(tunnel.port)), proxy.log()
    assert "Traceback" not in proxy.log()
