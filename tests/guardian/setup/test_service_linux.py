"""`guardian install` on Linux: the plan (pure) applied and undone in a scratch root, byte for byte."""

from __future__ import annotations

import json
import os
import stat
from functools import cache
from pathlib import Path

import pytest

from guardian.setup import ca, firewall, install, system
from guardian.setup.service import Account, Install, token_hash
from guardian.setup.service_linux import unit
from guardian.setup.steps import Run, Write
from tests.guardian.setup.test_steps import Recorder, snapshot

TOKEN = "t0k3n-for-the-parents-agent"
CONFIG = '[household]\ncurrency = "CNY"\n\n[notifications]\ndesktop_user = "dad"\n'
MADE = ("install", "-d", "-m", "0700", "-o", "guardian", "-g", "guardian")
FIREFOX_BEFORE = '{"policies": {"DisableTelemetry": true}}'


@cache
def the_ca() -> ca.CA:
    return ca.make()


def modes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): stat.filemode(p.stat().st_mode) for p in sorted(root.rglob("*"))}


@pytest.fixture
def scratch(tmp_path: Path) -> tuple[Path, Install]:
    root = tmp_path / "root"
    (root / "etc" / "firefox" / "policies").mkdir(parents=True)
    (root / "etc" / "firefox" / "policies" / "policies.json").write_text(FIREFOX_BEFORE)
    (root / "etc" / "environment").write_bytes(b'PATH="/usr/bin:/bin"')
    (root / "var" / "lib" / "guardian-admin").mkdir(parents=True)  # the command line makes it (root's, 0700)
    (root / "etc" / "dconf" / "profile").mkdir(parents=True)
    (root / "etc" / "dconf" / "profile" / "user").write_text("user-db:user\n")
    home = root / "home" / "dad"
    home.mkdir(parents=True)
    i = Install(
        source=Path("/src/guardian"),
        python="/usr/bin/python3.12",
        config=CONFIG,
        ca=the_ca(),
        agent_token=TOKEN,
        desktop_user=Account("dad", 1000, home),
        children=(Account("mia", 1001), Account("leo", 1002)),
        tools=frozenset({"systemctl", "dconf", "update-ca-certificates", "nft"}),
        firefox_policies=FIREFOX_BEFORE,
        root=root,
    )
    return root, i


def owners(record: list[str]):
    def lookup(name: str) -> tuple[int, int]:
        record.append(name)
        return os.getuid(), os.getgid()

    return lookup


def test_install_then_undo_restores_the_scratch_root_byte_for_byte(scratch):
    root, i = scratch
    before, before_modes = snapshot(root), modes(root)
    steps = install.plan("linux", i)
    assert [s.id for s in steps] == [
        "account", "program", "data", "ca", "firewall", "service",
        "policy-browsers", "policy-desktop", "proxy-system", "agent",
    ]  # fmt: skip
    assert all(s.admin for s in steps)
    runner, owned, state = Recorder(), [], root / "var/lib/guardian-admin/install.json"
    system.apply(steps, state, runner, say=lambda _: None, owners=owners(owned), again="guardian install --undo")

    data = root / "var/lib/guardian"
    assert (data / "guardian.toml").read_text() == CONFIG
    assert (data / "mitmproxy/mitmproxy-ca.pem").read_bytes() == i.ca.private
    assert (data / "agent-token.sha256").read_text() == token_hash(TOKEN) and TOKEN not in token_hash(TOKEN)
    for secret in ("guardian.toml", "mitmproxy/mitmproxy-ca.pem", "mitmproxy/mitmproxy-ca.p12", "agent-token.sha256"):
        assert stat.S_IMODE((data / secret).stat().st_mode) == 0o600, secret
    assert set(owned) == {"guardian", "dad"}
    token = root / "home/dad/.config/guardian/agent-token"
    assert token.read_text() == TOKEN + "\n" and stat.S_IMODE(token.stat().st_mode) == 0o600
    public = root / "usr/local/share/guardian/guardian-ca.pem"
    assert public.read_bytes() == i.ca.public and stat.S_IMODE(public.stat().st_mode) == 0o644
    assert b"PRIVATE" not in public.read_bytes()
    service = (root / "etc/systemd/system/guardian.service").read_text()
    assert service == unit(install.service_linux.LINUX, "guardian")
    firefox = json.loads((root / "etc/firefox/policies/policies.json").read_text())
    assert firefox["policies"]["DisableTelemetry"] is True  # the family's own policy stays
    assert firefox["policies"]["Proxy"]["Locked"] is True
    assert (root / "etc/dconf/profile/user").read_text() == "user-db:user\nsystem-db:local\n"
    assert "/system/proxy/mode" in (root / "etc/dconf/db/local.d/locks/guardian").read_text()
    assert (
        root / "etc/guardian/children.d/mia.nft"
    ).read_text() == "# mia\nadd element inet guardian children { 1001 }\n"
    venv = root / "opt/guardian"
    assert runner.calls == [
        ("useradd", "--system", "--user-group", "--home-dir", "/var/lib/guardian", "--no-create-home", "--shell",
         "/usr/sbin/nologin", "--comment", "Guardian parental controls", "guardian"),
        ("/usr/bin/python3.12", "-m", "venv", str(venv)),
        (f"{venv}/bin/python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "/src/guardian"),
        (*MADE, str(data)),
        (*MADE, str(data / "mitmproxy"), str(data / "rules")),
        ("update-ca-certificates",),
        ("systemctl", "daemon-reload"),
        ("systemctl", "enable", "guardian-firewall.service"),
        ("nft", "-f", str(root / "etc/guardian/firewall.nft")),
        ("systemctl", "daemon-reload"),
        ("systemctl", "enable", "--now", "guardian.service"),
        ("dconf", "update"),
        ("systemctl", "--global", "enable", "guardian-agent.service"),
    ]  # fmt: skip

    runner.calls.clear()
    system.undo(state, runner, say=lambda _: None)
    assert runner.calls == [
        ("systemctl", "--global", "disable", "guardian-agent.service"),
        ("dconf", "update"),
        ("systemctl", "disable", "--now", "guardian.service"),
        ("systemctl", "daemon-reload"),
        ("nft", "delete", "table", "inet", "guardian"),
        ("systemctl", "disable", "guardian-firewall.service"),
        ("systemctl", "daemon-reload"),
        ("update-ca-certificates", "--fresh"),
        ("rmdir", "--ignore-fail-on-non-empty", str(data)),  # the ledger the service made would stay
        ("rm", "-rf", str(venv)),
        ("userdel", "guardian"),
    ]
    assert snapshot(root) == before and modes(root) == before_modes


def test_an_existing_account_is_used_and_kept_and_no_desktop_user_means_no_agent(scratch):
    root, i = scratch
    from dataclasses import replace

    steps = install.plan("linux", replace(i, account_exists=True, desktop_user=None, agent_token="", tools=frozenset()))
    assert [s.id for s in steps] == [
        "program", "data", "ca", "firewall", "service", "policy-browsers", "proxy-system"
    ]  # fmt: skip
    data = next(s for s in steps if s.id == "data")
    assert not any(isinstance(a, Write) and a.path.name == "agent-token.sha256" for a in data.actions)


def test_no_step_leaves_a_private_file_readable_by_others(scratch):
    _, i = scratch
    for step in install.plan("linux", i):
        for a in step.actions:
            if isinstance(a, Write) and ("var/lib/guardian" in str(a.path) or "agent-token" in str(a.path)):
                assert a.mode == 0o600 and a.owner in ("guardian", "dad"), a.path


def test_the_unit_runs_as_the_account_with_only_its_folder_writable():
    text = unit(install.service_linux.LINUX, "guardian")
    for line in (
        "User=guardian",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/guardian",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "CapabilityBoundingSet=",
        "UMask=0077",
        "Restart=always",
        "ExecStart=/opt/guardian/bin/guardian run --config /var/lib/guardian/guardian.toml",
        "ExecStopPost=/opt/guardian/bin/guardian stopped --config /var/lib/guardian/guardian.toml",
        "WantedBy=multi-user.target",
    ):
        assert f"\n{line}\n" in text, line


def test_an_unknown_platform_is_refused(scratch):
    _, i = scratch
    with pytest.raises(ValueError, match="knows Windows, macOS and Linux, not 'plan9'"):
        install.plan("plan9", i)


def test_the_firewall_table_text():
    text = firewall.table("guardian", "/x/children.d")
    assert "meta skuid @children tcp dport { 80, 443, 853 } counter reject with tcp reset" in text
    assert "meta skuid @children udp dport { 443, 853 } counter reject" in text
    assert text.index("delete table inet guardian") < text.index("table inet guardian {")  # reload replaces
    assert text.endswith('include "/x/children.d/*.nft"\n')
    with pytest.raises(ValueError, match="no user id"):
        firewall.child_actions(Path("/"), "ghost", None)
    assert isinstance(firewall.reload(Path("/"))[1], Run)
