"""The CLI glue: `guardian phone`, and `guardian setup` errors, --undo and --dry-run."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import guardian.cli as cli
from guardian.household.home import config_path
from guardian.setup import system, wireguard
from guardian.store import journal
from guardian.store.ledger import Ledger
from tests.conftest import household_config


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(cli.main, list(args), input=input, catch_exceptions=False)


def test_phone_add_show_remove(tmp_path: Path):
    config = tmp_path / "guardian.toml"
    config.write_text(household_config(), encoding="utf-8")
    r = invoke("phone", "add", "--config", str(config), "--host", "192.168.1.10", "Mia", "mia-phone")
    assert r.exit_code == 0, r.output
    tunnel = wireguard.read(wireguard.folder(config) / "mia-phone.conf")
    assert f"PublicKey = {wireguard.pubkey(tunnel.server_key)}" in r.output and "http://mitm.it" in r.output
    assert f"Endpoint = 192.168.1.10:{tunnel.port}" in r.output
    assert "PrivateKey = (in the QR code, not shown)" in r.output
    assert tunnel.client_key not in r.output and tunnel.server_key not in r.output
    assert "wireguard:mia-phone" in config.read_text()
    phone_file = tmp_path / "out" / "mia-phone.conf"
    phone_file.parent.mkdir()
    r = invoke("phone", "show", "--config", str(config), "--file", str(phone_file), "--host", "pc.lan", "mia-phone")
    assert tunnel.client_key not in r.output and f"Endpoint = pc.lan:{tunnel.port}" in r.output
    assert phone_file.read_text() == tunnel.client_config("pc.lan")  # the whole file, key included ...
    assert phone_file.stat().st_mode & 0o777 == 0o600  # ... for its owner alone
    r = invoke("phone", "add", "--config", str(config), "Nobody", "x")
    assert r.exit_code == 1 and "no child called 'Nobody'" in r.output
    assert invoke("phone", "remove", "--config", str(config), "mia-phone").output.strip() == "Removed mia-phone."
    assert not tunnel.path.exists()
    ledger = Ledger(tmp_path / "guardian.db")
    entries = [
        json.loads(b) for (b,) in ledger.conn.execute("SELECT body FROM journal WHERE kind = 'device' ORDER BY seq")
    ]
    assert entries == [
        {"action": "added", "child": "Mia", "device": "wireguard:mia-phone"},
        {"action": "removed", "child": "Mia", "device": "wireguard:mia-phone"},
    ]
    assert journal.verify_chain(ledger.conn) is None
    ledger.close()
    r = invoke("phone", "show", "--config", str(config), "mia-phone")
    assert r.exit_code == 1 and "not a Guardian WireGuard key file" in r.output


def test_setup_without_a_service_says_what_to_do_and_starts_no_guardian_of_its_own(tmp_path: Path):
    r = invoke("setup", "--yes", "--root", str(tmp_path))
    assert r.exit_code == 1 and "No Guardian service is installed on this computer" in r.output
    assert "sudo guardian install" in r.output
    assert not config_path().exists()  # no config, no ledger, no certificate of the account's own


def test_setup_undo_reverts_the_recorded_changes():
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    made = path.parent / "made-by-setup.txt"
    changed = path.parent / "changed-by-setup.txt"
    made.write_text("new")
    changed.write_text("after")
    state = [
        {"step": "a", "kind": "file", "path": str(changed), "before": "YmVmb3Jl", "dirs": []},  # b"before"
        {"step": "b", "kind": "file", "path": str(made), "before": None, "dirs": []},
    ]
    (path.parent / "setup-state.json").write_text(json.dumps(state))
    r = invoke("setup", "--undo")
    assert r.exit_code == 0 and "Undone: 2 changes." in r.output
    assert not made.exists() and changed.read_text() == "before"
    assert not (path.parent / "setup-state.json").exists()
    assert "nothing to undo" in invoke("setup", "--undo").output


def published(root: Path) -> Path:
    ca = root / "usr/local/share/guardian/guardian-ca.pem"
    ca.parent.mkdir(parents=True)
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    return ca


def test_setup_dry_run_leaves_the_machine_wide_steps_to_install(tmp_path: Path):
    published(tmp_path)
    r = invoke("setup", "--dry-run", "--root", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert "needs administrator rights" not in r.output and "/etc/environment" not in r.output
    assert not (config_path().parent / "setup-state.json").exists()


def test_setup_for_a_child_account_adds_it_to_the_firewall(tmp_path: Path):
    published(tmp_path)
    r = invoke("setup", "--account", "nobody", "--dry-run", "--root", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert "Step 1: Let nobody's account reach websites only through Guardian (needs administrator rights)" in r.output
    assert f"write {tmp_path}/etc/guardian/children.d/nobody.nft (mode 0644)" in r.output
    assert f"run nft -f {tmp_path}/etc/guardian/firewall.nft" in r.output
    r = invoke("setup", "--account", "root", "--dry-run", "--root", str(tmp_path))
    assert r.exit_code == 1 and "not a child's" in r.output
    r = invoke("setup", "--account", "no-such-kid", "--dry-run", "--root", str(tmp_path))
    assert r.exit_code == 1 and "no account called 'no-such-kid'" in r.output


def test_a_phone_code_that_points_nowhere_says_so(tmp_path: Path, monkeypatch):
    config = tmp_path / "guardian.toml"
    config.write_text(household_config(), encoding="utf-8")
    monkeypatch.setattr(wireguard, "lan_address", lambda: "127.0.0.1")  # a PC with no home network found
    r = invoke("phone", "add", "--config", str(config), "Mia", "mia-phone")
    assert r.exit_code == 0 and "which a phone cannot reach: add --host" in r.output
    r = invoke("phone", "show", "--config", str(config), "--host", "x\nPrivateKey = y", "mia-phone")
    assert r.exit_code == 1 and "is not a computer address" in r.output


def test_setup_says_when_chromes_certificate_list_cannot_be_reached(tmp_path: Path, monkeypatch):
    published(tmp_path)
    monkeypatch.setattr(system, "tools", lambda: frozenset({"gsettings"}))  # no certutil on this computer
    r = invoke("setup", "--dry-run", "--root", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert r.output.startswith("Note: If this account uses Chrome or Chromium") and "libnss3-tools" in r.output
    assert "Chrome and Chromium" not in r.output.split("Step 1:", 1)[1]  # no step for them: said, not skipped
