"""WireGuard tunnels for phones and tablets: one mitmproxy ``wireguard`` listener per device.

A device NAME has a key file ``<data dir>/wireguard/NAME.conf`` in the JSON format
mitmproxy's wireguard mode reads (``server_key``, ``client_key``; Guardian adds
``port``). The proxy runs ``--mode wireguard:<file>@0.0.0.0:<port>`` for it, and the
config lists ``wireguard:NAME`` among its child's devices: whatever arrives on that
listener belongs to that child, whatever address the phone has. Deleting the file
revokes the tunnel: the phone's keys no longer open anything.

The phone gets the client side as text (or a QR code) for the official WireGuard app.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import re
import socket
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePath

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

FIRST_PORT = 51820
LAST_PORT = 51999
CLIENT_ADDRESS = "10.0.0.1/32"  # inside the tunnel; mitmproxy answers DNS at 10.0.0.53
TUNNEL_DNS = "10.0.0.53"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
HOST = re.compile(r"^[A-Za-z0-9.:\[\]-]{1,253}$")  # an address or a name for the phone's Endpoint line
NAME_RULE = "a device name is 1-40 lower-case letters, digits, - or _, starting with a letter or digit"


def genkey() -> str:
    """A new X25519 private key, base64, as `wg genkey` prints it."""
    raw = X25519PrivateKey.generate().private_bytes_raw()
    return base64.b64encode(raw).decode()


def pubkey(private: str) -> str:
    """The base64 public key for a base64 private key; ValueError if it is not one."""
    try:
        raw = base64.b64decode(private, validate=True)
        key = X25519PrivateKey.from_private_bytes(raw)
    except ValueError as e:
        raise ValueError(f"not a WireGuard private key: {e}") from None
    return base64.b64encode(key.public_key().public_bytes_raw()).decode()


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME.match(name):
        raise ValueError(f"{name!r}: {NAME_RULE}")
    return name


@lru_cache(maxsize=256)
def tunnel_name(mode_data: str) -> str:
    """The device a wireguard listener serves, from its mode data (the key file's path)."""
    return PurePath(mode_data.replace("\\", "/")).stem


def folder(config: Path) -> Path:
    """Where the key files live: beside the config, like the proxy's CA."""
    return config.parent / "wireguard"


@dataclass(frozen=True, slots=True)
class Tunnel:
    name: str
    path: Path
    server_key: str
    client_key: str
    port: int

    def mode(self, host: str = "0.0.0.0") -> str:
        """mitmproxy's mode spec; listens on every interface so phones on the Wi-Fi reach it."""
        return f"wireguard:{self.path}@{host}:{self.port}"

    def client_config(self, endpoint_host: str) -> str:
        """The phone's side, for the WireGuard app: all its traffic goes through this tunnel."""
        host = f"[{endpoint_host}]" if ":" in endpoint_host else endpoint_host
        return (
            "[Interface]\n"
            f"PrivateKey = {self.client_key}\n"
            f"Address = {CLIENT_ADDRESS}\n"
            f"DNS = {TUNNEL_DNS}\n"
            "\n"
            "[Peer]\n"
            f"PublicKey = {pubkey(self.server_key)}\n"
            "AllowedIPs = 0.0.0.0/0\n"
            f"Endpoint = {host}:{self.port}\n"
        )


def read(path: Path) -> Tunnel:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        tunnel = Tunnel(tunnel_name(str(path)), path, data["server_key"], data["client_key"], int(data["port"]))
        pubkey(tunnel.server_key), pubkey(tunnel.client_key)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{path}: not a Guardian WireGuard key file ({e})") from None
    return tunnel


def tunnels(config: Path) -> dict[str, Tunnel]:
    """Every device's tunnel by name; unreadable files are skipped (the caller may `read` them to see why)."""
    found = {}
    where = folder(config)
    if where.is_dir():
        for path in sorted(where.glob("*.conf")):
            try:
                found[path.stem] = read(path)
            except ValueError:
                continue
    return found


def create(config: Path, name: str) -> Tunnel:
    """Make keys and a free port for a new device; FileExistsError if it already has a tunnel."""
    check_name(name)
    where = folder(config)
    where.mkdir(parents=True, exist_ok=True)
    used = {t.port for t in tunnels(config).values()}
    port = next((p for p in range(FIRST_PORT + 1, LAST_PORT + 1) if p not in used and udp_free(p)), None)
    if port is None:
        raise ValueError(f"no free WireGuard port left between {FIRST_PORT + 1} and {LAST_PORT}")
    path = where / f"{name}.conf"
    body = json.dumps({"server_key": genkey(), "client_key": genkey(), "port": port}, indent=4)
    # Exclusive create, owner-only: the file holds private keys.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(body)
    return read(path)


def udp_free(port: int) -> bool:
    """Whether no other program holds UDP `port` (a listener there could not start)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def revoke(config: Path, name: str) -> bool:
    """Delete a device's keys; True if there were any."""
    check_name(name)
    try:
        (folder(config) / f"{name}.conf").unlink()
    except FileNotFoundError:
        return False
    return True


def lan_address() -> str:
    """This computer's address on the home network, as phones on the Wi-Fi see it (best guess)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # a documentation address: nothing is sent, only a route is chosen
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def on_the_network(host: str) -> bool:
    """Whether a phone on the Wi-Fi could reach `host`: not this computer's loopback, not "any address"."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return bool(host) and host != "localhost"  # a name: the parent's choice
    return not (address.is_loopback or address.is_unspecified)


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (a phone's configuration holds its private key)."""
    path.unlink(missing_ok=True)  # a file of anyone's making is replaced, not written through
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def qr(text: str):
    """A QR code for the WireGuard app's "scan from QR code"."""
    import segno  # only the places that draw one need it

    return segno.make(text, error="m", micro=False)


def qr_svg(text: str) -> str:
    """The QR code as an inline <svg> element (no XML declaration), for a web page."""
    return qr(text).svg_inline(scale=5, border=4, dark="#000", light="#fff")


def listed(config: object) -> list[str]:
    """The tunnel names a guardian.config.Config lists among its children's devices."""
    return [d.tunnel for c in config.children for d in c.devices if d.tunnel is not None]


def modes(config_path: Path, names: list[str]) -> list[str]:
    """mitmproxy mode specs for the listed devices that have keys; a listed device without keys gets none."""
    have = tunnels(config_path)
    return [have[n].mode() for n in names if n in have]


def wanted_modes(current: list[str], config_path: Path, names: list[str]) -> list[str] | None:
    """The proxy's mode list with exactly the listed devices' listeners; None when nothing changes.

    Modes that are not Guardian tunnels (the regular proxy, anything the parent added) stay as they are.
    """
    mine = str(folder(config_path))
    keep = [m for m in current if not (m.startswith("wireguard:") and m[len("wireguard:") :].startswith(mine))]
    new = (keep or ["regular"]) + modes(config_path, names)
    return None if new == list(current) else new
