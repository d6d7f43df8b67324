"""A device's hardware (MAC) address, from the operating system's neighbour table.

The proxy knows a device by IP address, which a router may hand to another
device tomorrow; the MAC address, when this PC's neighbour (ARP/NDP) table
knows it, says which device it physically was. Only devices on the same
network segment appear there; a device behind another router, or this PC
itself, has none.

Sources: /proc/net/arp (Linux, IPv4), ``ip neigh show`` (Linux, IPv4 and
IPv6), ``arp -a`` (Windows, macOS). `parse` reads any of their outputs.
Reading may run a command: call `Neighbours.mac` from a worker thread only.
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from guardian.household.devices import client_ip

_MAC = re.compile(
    r"^([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})$"
)
_NONE = {"00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"}
PROC_ARP = Path("/proc/net/arp")


def _mac(token: str) -> str | None:
    m = _MAC.match(token.lower())
    if m is None:
        return None
    mac = ":".join(g.zfill(2) for g in m.groups())
    return None if mac in _NONE else mac


def _ip(token: str) -> str | None:
    token = token.strip("()[]")
    try:
        return str(ipaddress.ip_address(token.split("%", 1)[0]))
    except ValueError:
        return None


def parse(text: str) -> dict[str, str]:
    """IP address -> MAC (lower case, colons) from a neighbour table listing; incomplete entries skipped."""
    table: dict[str, str] = {}
    for line in text.splitlines():
        words = line.split()
        if any(w in ("FAILED", "INCOMPLETE", "(incomplete)", "incomplete") for w in words):
            continue
        ip = next((found for w in words if (found := _ip(w)) is not None), None)
        mac = next((found for w in words if (found := _mac(w)) is not None), None)
        if ip is not None and mac is not None:
            table.setdefault(ip, mac)
    return table


def _run(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=2, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout


def read_table() -> str:
    """The system's neighbour table as text (empty when none can be read)."""
    parts = []
    if PROC_ARP.exists():
        try:
            parts.append(PROC_ARP.read_text(encoding="ascii", errors="replace"))
        except OSError:
            pass
    if shutil.which("ip"):
        parts.append(_run(["ip", "neigh", "show"]))
    elif shutil.which("arp"):
        parts.append(_run(["arp", "-a"] if sys.platform == "win32" else ["arp", "-an"]))
    return "\n".join(parts)


class Neighbours:
    """A cached neighbour table, re-read at most every `refresh` seconds (a new device shows up within that)."""

    def __init__(
        self, reader: Callable[[], str] = read_table, refresh: float = 30.0, clock: Callable[[], float] = time.monotonic
    ):
        self._reader, self._refresh, self._clock = reader, refresh, clock
        self._table: dict[str, str] = {}
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def mac(self, address: str) -> str | None:
        ip = client_ip(address)
        if ip is None or ip.is_loopback:
            return None
        key = str(ip)
        with self._lock:
            now = self._clock()
            stale = self._read_at is None or now - self._read_at >= self._refresh
            if stale:
                try:
                    self._table = parse(self._reader())
                except Exception:  # a missing table must never cost a purchase its record
                    self._table = {}
                self._read_at = now
            return self._table.get(key)
