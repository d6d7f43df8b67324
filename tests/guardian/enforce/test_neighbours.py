"""Reading a device's MAC address from neighbour-table listings (pure parsing) and the cache around it."""

from __future__ import annotations

import pytest

from guardian.enforce.neighbours import Neighbours, parse

PROC_ARP = """\
IP address       HW type     Flags       HW address            Mask     Device
192.168.1.23     0x1         0x2         3c:22:FB:0a:1b:2c     *        wlan0
192.168.1.40     0x1         0x0         00:00:00:00:00:00     *        wlan0
192.168.1.1      0x1         0x2         e4:8d:8c:11:22:33     *        eth0
"""

IP_NEIGH = """\
192.168.1.23 dev wlan0 lladdr 3c:22:fb:0a:1b:2c REACHABLE
192.168.1.41 dev wlan0 FAILED
192.168.1.42 dev wlan0 INCOMPLETE
fe80::3e22:fbff:fe0a:1b2c dev wlan0 lladdr 3c:22:fb:0a:1b:2c router STALE
2001:db8::23 dev wlan0 lladdr 3c:22:fb:0a:1b:2d DELAY
"""

WINDOWS_ARP = """\

Interface: 192.168.1.10 --- 0xb
  Internet Address      Physical Address      Type
  192.168.1.1           e4-8d-8c-11-22-33     dynamic
  192.168.1.23          3c-22-fb-0a-1b-2c     dynamic
  192.168.1.255         ff-ff-ff-ff-ff-ff     static
"""

MACOS_ARP = """\
? (192.168.1.23) at 3c:22:fb:a:1b:2c on en0 ifscope [ethernet]
? (192.168.1.50) at (incomplete) on en0 ifscope [ethernet]
"""


@pytest.mark.parametrize(
    "text, expected",
    [
        (PROC_ARP, {"192.168.1.23": "3c:22:fb:0a:1b:2c", "192.168.1.1": "e4:8d:8c:11:22:33"}),
        (
            IP_NEIGH,
            {
                "192.168.1.23": "3c:22:fb:0a:1b:2c",
                "fe80::3e22:fbff:fe0a:1b2c": "3c:22:fb:0a:1b:2c",
                "2001:db8::23": "3c:22:fb:0a:1b:2d",
            },
        ),
        (WINDOWS_ARP, {"192.168.1.1": "e4:8d:8c:11:22:33", "192.168.1.23": "3c:22:fb:0a:1b:2c"}),
        (MACOS_ARP, {"192.168.1.23": "3c:22:fb:0a:1b:2c"}),
        ("", {}),
        ("garbage\n\x00\xff not a table 12:34\n", {}),
    ],
    ids=["proc-net-arp", "ip-neigh", "windows-arp", "macos-arp", "empty", "garbage"],
)
def test_parse(text, expected):
    assert parse(text) == expected


class Reader:
    def __init__(self, text: str = PROC_ARP, fail: bool = False):
        self.text, self.fail, self.calls = text, fail, 0

    def __call__(self) -> str:
        self.calls += 1
        if self.fail:
            raise OSError("no table")
        return self.text


def test_the_table_is_read_once_per_refresh_period():
    now = [100.0]
    reader = Reader()
    n = Neighbours(reader, refresh=30, clock=lambda: now[0])
    assert n.mac("192.168.1.23") == "3c:22:fb:0a:1b:2c"
    assert n.mac("192.168.1.99") is None  # a miss does not re-read within the period
    assert n.mac("::ffff:192.168.1.1") == "e4:8d:8c:11:22:33"  # IPv4-mapped addresses unwrapped
    assert reader.calls == 1
    reader.text = PROC_ARP.replace("192.168.1.1 ", "192.168.1.99")
    now[0] += 30
    assert n.mac("192.168.1.99") == "e4:8d:8c:11:22:33"
    assert reader.calls == 2


def test_loopback_and_nonsense_never_read_the_table_and_failures_give_none():
    reader = Reader(fail=True)
    n = Neighbours(reader, refresh=30, clock=lambda: 0.0)
    assert n.mac("127.0.0.1") is None and n.mac("::1") is None and n.mac("not an ip") is None
    assert reader.calls == 0
    assert n.mac("192.168.1.23") is None
    assert reader.calls == 1
