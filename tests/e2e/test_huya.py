"""End to end: Huya's web player on its live WebSocket, through the real proxy.

The fake Huya server sends the gift list first (a binary TARS answer to getPropsList); the client then sends gift
calls, a heartbeat and a call that cannot be read. Gifts are priced from the list, and the one over the day cap
never reaches the server.
"""

from __future__ import annotations

import socket
import ssl
import time

import pytest

from tests.e2e.test_catalog import config
from tests.e2e.test_enforcement import rows
from tests.support import sockets
from tests.support import tarsframes as tf

pytestmark = pytest.mark.e2e
HOST = "cdnws.api.huya.com"


def client_frame(data: bytes) -> bytes:
    """A masked client binary frame (RFC 6455)."""
    mask, size = b"\x05\x06\x07\x08", len(data)
    head = bytes([0x82, 0x80 | size]) if size < 126 else bytes([0x82, 0x80 | 126]) + size.to_bytes(2, "big")
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def read_frame(sock: ssl.SSLSocket, pending: bytearray) -> bytes:
    """One unmasked server frame's payload."""

    def need(n: int) -> bytes:
        while len(pending) < n:
            chunk = sock.recv(65536)
            assert chunk, "the socket closed"
            pending.extend(chunk)
        out = bytes(pending[:n])
        del pending[:n]
        return out

    head = need(2)
    size = head[1] & 0x7F
    if size == 126:
        size = int.from_bytes(need(2), "big")
    return need(size)


def open_socket(proxy, host: str) -> tuple[ssl.SSLSocket, bytearray]:
    raw = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    raw.sendall(f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n\r\n".encode())
    assert raw.recv(4096).startswith(b"HTTP/1.1 200")
    sock = ssl.create_default_context(cafile=str(proxy.ca)).wrap_socket(raw, server_hostname=host)
    sock.sendall(
        f"GET / HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    pending = bytearray()
    while b"\r\n\r\n" not in pending:
        pending.extend(sock.recv(4096))
    head, _, rest = bytes(pending).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    return sock, bytearray(rest)


def test_a_huya_gift_over_the_cap_is_refused_on_the_websocket(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(config('[child.caps]\nday = "25"\n'))
    listed = tf.props_list(sockets.PRICES)
    fake_apps.ws_greetings[HOST] = [listed]
    sent = [
        tf.call("onlineui", "OnUserHeartBeat", tf.user_id() + tf.integer(1, 77)),
        tf.gift_frame(20277, 2),  # 20 CNY
        tf.gift_frame(20267, 10),  # 1 CNY: 21 in all
        tf.gift_frame(20277, 1),  # 10 CNY more: over the day cap of 25, refused
        tf.gift_frame(4, 5),  # 虎粮: free
        tf.gift_frame(20277, 1)[:-12] + b"\x0e",  # a gift call that cannot be read: refused
        tf.call("liveui", "sendMessage", tf.user_id() + tf.string(1, "done")),
    ]
    sock, pending = open_socket(proxy, HOST)
    try:
        assert read_frame(sock, pending) == listed  # forwarded once Guardian has read it
        for data in sent:
            sock.sendall(client_frame(data))
        end = time.monotonic() + 10
        while sent[-1] not in fake_apps.ws_binary:
            assert time.monotonic() < end, fake_apps.ws_binary
            time.sleep(0.05)
    finally:
        sock.close()
    assert fake_apps.ws_binary == [sent[0], sent[1], sent[2], sent[4], sent[6]]
    assert proxy.wait_for_log("learned 3 huya gift prices"), proxy.log()
    recorded = rows(tmp_path / "guardian.db")
    assert [(r["rule"], r["app_amount"], r["amount"], r["decision"], r["reason"]) for r in recorded] == [
        ("huya.gift.consumeGift", "20000", "20", "allowed", None),
        ("huya.gift.consumeGift", "1000", "1", "allowed", None),
        ("huya.gift.consumeGift", "10000", "10", "blocked", "day-cap"),
        ("huya.gift.consumeGift", None, None, "blocked", "unreadable"),
    ]
    assert [r["recipient"] for r in recorded[:2]] == ["1234567", "1234567"]
    assert "SECRET" not in proxy.log() and all("SECRET" not in (r["problem"] or "") for r in recorded)
