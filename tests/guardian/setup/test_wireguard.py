"""WireGuard device tunnels: keys, the phone's config, its QR code, the mode specs and the config edits."""

from __future__ import annotations

import base64
import configparser
import contextlib
import json
import shutil
import socket
import stat
import subprocess
from pathlib import Path

import mitmproxy_rs
import pytest

from guardian.household import configfile
from guardian.household.config import ConfigError
from guardian.household.devices import Device
from guardian.setup import phones, wireguard
from tests.conftest import household_config

CONFIG = household_config() + '# keep this comment\n[[child]]\nname = "Leo"\ndevices = ["10.0.0.0/8"]\n'


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "guardian.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def parse_client(text: str) -> configparser.ConfigParser:
    ini = configparser.ConfigParser()
    ini.optionxform = str  # keys are case-sensitive in WireGuard configs
    ini.read_string(text)
    return ini


def key_bytes(text: str) -> bytes:
    raw = base64.b64decode(text, validate=True)
    assert len(raw) == 32
    return raw


def test_the_phone_config_parses_with_valid_keys_that_match_the_server(config: Path):
    tunnel = wireguard.create(config, "mia-phone")
    ini = parse_client(tunnel.client_config("192.168.1.10"))
    assert ini.sections() == ["Interface", "Peer"]
    iface, peer = ini["Interface"], ini["Peer"]
    assert set(iface) == {"PrivateKey", "Address", "DNS"} and set(peer) == {"PublicKey", "AllowedIPs", "Endpoint"}
    assert iface["Address"] == "10.0.0.1/32" and iface["DNS"] == "10.0.0.53"
    assert peer["AllowedIPs"] == "0.0.0.0/0" and peer["Endpoint"] == f"192.168.1.10:{tunnel.port}"
    key_bytes(iface["PrivateKey"]), key_bytes(peer["PublicKey"])
    assert iface["PrivateKey"] == tunnel.client_key
    # mitmproxy's own (Rust) implementation agrees the phone is talking to the server's key.
    assert peer["PublicKey"] == mitmproxy_rs.wireguard.pubkey(tunnel.server_key)
    assert wireguard.pubkey(tunnel.client_key) == mitmproxy_rs.wireguard.pubkey(tunnel.client_key)
    assert tunnel.server_key != tunnel.client_key


def test_key_file_is_mitmproxys_format_private_and_gets_its_own_port(config: Path, monkeypatch):
    monkeypatch.setattr(wireguard, "udp_free", lambda port: True)  # whatever else runs on this machine
    first = wireguard.create(config, "mia-phone")
    second = wireguard.create(config, "leo-tablet")
    data = json.loads(first.path.read_text())
    assert set(data) == {"server_key", "client_key", "port"} and data["port"] == 51821
    assert stat.S_IMODE(first.path.stat().st_mode) == 0o600
    assert second.port == 51822
    assert first.mode() == f"wireguard:{first.path}@0.0.0.0:51821"
    with pytest.raises(FileExistsError):
        wireguard.create(config, "mia-phone")
    assert wireguard.revoke(config, "mia-phone") and not first.path.exists()
    assert wireguard.create(config, "new").port == 51821  # a revoked device's port is free again


def test_a_port_another_program_holds_is_skipped(config: Path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as held:
        held.bind(("0.0.0.0", 0))
        port = held.getsockname()[1]
        assert not wireguard.udp_free(port)
    assert wireguard.udp_free(port)
    first = wireguard.create(config, "mia-phone")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as held:
        with contextlib.suppress(OSError):  # if another program holds it already, so much the better
            held.bind(("0.0.0.0", first.port + 1))
        assert wireguard.create(config, "leo-tablet").port > first.port + 1


def test_ipv6_endpoint_is_bracketed(config: Path):
    tunnel = wireguard.create(config, "p")
    assert f"Endpoint = [fd00::2]:{tunnel.port}" in tunnel.client_config("fd00::2")


@pytest.mark.parametrize("name", ["", "Mia", "mia phone", "../x", "-x", "a" * 41, "mia@home"])
def test_bad_device_names_are_refused(config: Path, name: str):
    with pytest.raises(ValueError, match="device name is 1-40 lower-case"):
        wireguard.create(config, name)


def test_broken_key_file_is_reported(config: Path):
    wireguard.folder(config).mkdir()
    bad = wireguard.folder(config) / "x.conf"
    bad.write_text('{"server_key": "nope", "client_key": "nope", "port": 1}')
    with pytest.raises(ValueError, match="not a Guardian WireGuard key file"):
        wireguard.read(bad)
    assert wireguard.tunnels(config) == {}


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (apt: zbar-tools) is not installed")
def test_qr_code_decodes_to_the_same_text(config: Path, tmp_path: Path):
    text = wireguard.create(config, "mia-phone").client_config("192.168.1.10")
    png = tmp_path / "qr.png"
    wireguard.qr(text).save(png, kind="png", scale=6, border=4)
    out = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, check=True).stdout
    assert out.rstrip("\n") == text.rstrip("\n")
    svg = wireguard.qr_svg(text)
    assert svg.startswith("<svg") and "<path" in svg and "<?xml" not in svg


@pytest.mark.parametrize(
    "data,name",
    [
        ("/home/a/.local/share/guardian/wireguard/mia-phone.conf", "mia-phone"),
        (r"C:\Users\a\guardian\wireguard\leo.conf", "leo"),
    ],
)
def test_tunnel_name_from_mode_data(data: str, name: str):
    assert wireguard.tunnel_name(data) == name


def test_devices_parse_and_a_tunnel_decides_alone(config: Path):
    assert Device.parse("wireguard:mia-phone").tunnel == "mia-phone"
    with pytest.raises(ValueError, match="wireguard:NAME"):
        Device.parse("wireguard:Mia Phone")
    text = household_config() + '[[child]]\nname = "Leo"\ndevices = ["10.0.0.0/8", "wireguard:leo-tab"]\n'
    text = text.replace('devices = ["127.0.0.1"]', 'devices = ["127.0.0.1", "wireguard:mia-phone"]')
    cfg = configfile.parse(text, config)
    # Every phone in a tunnel is 10.0.0.1, inside Leo's range: the tunnel, not the address, decides.
    assert cfg.child_for("10.0.0.1", None, "mia-phone").name == "Mia"
    assert cfg.child_for("10.0.0.1", None, "leo-tab").name == "Leo"
    assert cfg.child_for("10.0.0.1", None).name == "Leo"
    assert cfg.child_for("10.0.0.1", None, "someone-else") is None  # unknown_devices = "allow"
    dup = text.replace('"wireguard:leo-tab"', '"wireguard:mia-phone"')
    with pytest.raises(ConfigError, match="Leo's devices: wireguard:mia-phone is already listed for Mia"):
        configfile.parse(dup, config)


def test_add_and_remove_a_phone_edits_the_config_and_the_keys(config: Path):
    tunnel = phones.add(config, "Mia", "mia-phone")
    text = config.read_text()
    assert "# keep this comment" in text
    cfg = configfile.load(config)
    assert [d.text for d in cfg.child("Mia").devices] == ["127.0.0.1", "wireguard:mia-phone"]
    assert wireguard.listed(cfg) == ["mia-phone"] and tunnel.path.exists()
    with pytest.raises(ValueError, match="already exists"):
        phones.add(config, "Leo", "mia-phone")
    with pytest.raises(ValueError, match="no child called 'Zoe'; the children are: Mia, Leo"):
        phones.add(config, "Zoe", "zoe-phone")
    assert not (wireguard.folder(config) / "zoe-phone.conf").exists()
    assert phones.remove(config, "mia-phone") == ("Mia", True)
    assert config.read_text() == CONFIG  # byte for byte what it was
    assert not tunnel.path.exists()
    assert phones.remove(config, "mia-phone") == (None, False)


def test_a_renamed_childs_phone_goes_to_her_table_by_name_or_id(config: Path):
    config.write_text(CONFIG.replace('name = "Mia"', 'id = "Mia"\nname = "Lily"'))
    phones.add(config, "Lily", "lily-phone")
    phones.add(config, "Mia", "lily-tab")  # the id works too
    child = configfile.load(config).child("Mia")
    assert child.name == "Lily" and [d.text for d in child.devices][1:] == [
        "wireguard:lily-phone",
        "wireguard:lily-tab",
    ]
    assert phones.remove(config, "lily-tab") == ("Mia", True)


def test_a_failed_config_edit_leaves_no_keys_behind(config: Path):
    config.write_text(CONFIG.replace('devices = ["127.0.0.1"]', 'devices = "127.0.0.1"'))
    with pytest.raises(ValueError):
        phones.add(config, "Mia", "mia-phone")
    assert wireguard.tunnels(config) == {}


def test_wanted_modes_follow_the_listed_devices(config: Path):
    a = wireguard.create(config, "a")
    wireguard.create(config, "b")
    assert wireguard.wanted_modes(["regular"], config, []) is None
    assert wireguard.wanted_modes(["regular"], config, ["a", "missing"]) == ["regular", a.mode()]
    assert wireguard.wanted_modes(["regular", a.mode()], config, ["a"]) is None
    assert wireguard.wanted_modes(["regular@8081", a.mode(), "socks5"], config, []) == ["regular@8081", "socks5"]


@pytest.mark.parametrize(
    ("host", "reachable"),
    [("192.168.1.10", True), ("fd00::2", True), ("[fd00::2]", True), ("pc.lan", True)]
    + [("0.0.0.0", False), ("127.0.0.1", False), ("::1", False), ("::", False), ("localhost", False), ("", False)],
)
def test_an_endpoint_a_phone_on_the_wifi_could_reach(host: str, reachable: bool):
    assert wireguard.on_the_network(host) is reachable


def test_a_private_file_is_its_owners_alone_and_replaces_what_was_there(tmp_path: Path):
    path = tmp_path / "phone.conf"
    path.write_text("someone else's")
    path.chmod(0o644)
    wireguard.write_private(path, "[Interface]\n")
    assert path.read_text() == "[Interface]\n" and stat.S_IMODE(path.stat().st_mode) == 0o600
