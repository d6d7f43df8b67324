"""Which child a device belongs to.

A device is written as an IP address (``192.168.1.23``), a CIDR range
(``192.168.1.0/24``), a proxy-auth user name (``user:mia``) or a WireGuard
tunnel (``wireguard:mia-phone``, see guardian.wireguard). A tunnel decides
alone (every phone inside a tunnel has the same address); a proxy user wins
over an address; an exact address wins over a range; a narrower range wins
over a wider one.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache

_USER = re.compile(r"^user:([A-Za-z0-9._@-]{1,64})$")
_TUNNEL = re.compile(r"^wireguard:([a-z0-9][a-z0-9_-]{0,39})$")


@dataclass(frozen=True, slots=True)
class Device:
    text: str
    user: str | None = None
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    tunnel: str | None = None

    @classmethod
    def parse(cls, text: str) -> Device:
        if not isinstance(text, str):
            raise ValueError(f'expected a device like "192.168.1.23", "192.168.1.0/24" or "user:mia", got {text!r}')
        text = text.strip()
        if text.startswith("user:"):
            m = _USER.match(text)
            if not m:
                raise ValueError(f"{text!r}: a proxy user is written user:NAME with letters, digits, . _ @ -")
            return cls(text, user=m.group(1))
        if text.startswith("wireguard:"):
            m = _TUNNEL.match(text)
            if not m:
                raise ValueError(
                    f"{text!r}: a WireGuard device is written wireguard:NAME with lower-case letters, digits, - _"
                )
            return cls(text, tunnel=m.group(1))
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError as e:
            raise ValueError(
                f"{text!r} is not an IP address, a CIDR range like 192.168.1.0/24, or user:NAME ({e})"
            ) from None
        return cls(str(network) if "/" in text else text, network=network)


def client_ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client's address, with IPv4-mapped IPv6 (``::ffff:10.0.0.2``) unwrapped."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def device_key(address: str = "", *, user: str | None = None, tunnel: str | None = None) -> str:
    """The name a device goes by: ``wireguard:NAME`` inside a tunnel, else ``user:NAME`` for a proxy user, else its
    address with IPv4-mapped IPv6 unwrapped. A key given as `address` comes back as it is."""
    if tunnel is not None:
        return "wireguard:" + tunnel
    if user is not None:
        return "user:" + user
    return _address_key(address)


@lru_cache(maxsize=1024)  # called for every request (last-seen times): an address is parsed once
def _address_key(address: str) -> str:
    ip = client_ip(address)
    return address if ip is None else str(ip)


class DeviceMap:
    """Maps (address, proxy user) to an owner name. Built once per config."""

    def __init__(self, owners: list[tuple[Device, str]]):
        self._users: dict[str, str] = {}
        self._tunnels: dict[str, str] = {}
        self._networks: list[tuple[int, ipaddress.IPv4Network | ipaddress.IPv6Network, str]] = []
        for device, owner in owners:
            if device.tunnel is not None:
                self._tunnels[device.tunnel] = owner
            elif device.user is not None:
                self._users[device.user] = owner
            elif device.network is not None:
                self._networks.append((device.network.prefixlen, device.network, owner))
        self._networks.sort(key=lambda n: -n[0])
        self._cache: dict[tuple[str, str | None], str | None] = {}

    def owner(self, address: str, user: str | None, tunnel: str | None = None) -> str | None:
        if tunnel is not None:
            # Inside a tunnel the address says nothing (every phone is 10.0.0.1): the listener decides.
            return self._tunnels.get(tunnel)
        key = (address, user)
        try:
            return self._cache[key]
        except KeyError:
            pass
        found = self._lookup(address, user)
        if len(self._cache) < 4096:  # a household has few devices; bound it anyway
            self._cache[key] = found
        return found

    def _lookup(self, address: str, user: str | None) -> str | None:
        if user is not None and user in self._users:
            return self._users[user]
        ip = client_ip(address)
        if ip is None:
            return None
        for _, network, owner in self._networks:
            if ip.version == network.version and ip in network:
                return owner
        return None
