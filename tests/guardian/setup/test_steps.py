"""`guardian setup`: the plans per platform (pure) and applying/undoing them in a scratch root."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardian import words
from guardian.setup import system
from guardian.setup.steps import Answers, Paths, Run, describe, notes, plan

CA = b"-----BEGIN CERTIFICATE-----\nMIIB...test...\n-----END CERTIFICATE-----\n"
ENVIRONMENT = b'PATH="/usr/local/bin:/usr/bin:/bin"\nLANG=en_US.UTF-8'  # no final newline: must come back as is


class Recorder:
    """Records commands instead of changing the system; answers `gsettings get` like a fresh GNOME."""

    def __init__(self, fail: str | None = None):
        self.calls: list[tuple[str, ...]] = []
        self.fail = fail

    def __call__(self, argv):
        argv = tuple(argv)
        self.calls.append(argv)
        if self.fail and argv[0] == self.fail:
            return system.Result(1, "", "boom")
        if argv[:2] == ("gsettings", "get"):
            return system.Result(0, {"mode": "'none'\n", "host": "''\n", "port": "0\n"}[argv[3]])
        return system.Result(0)


def snapshot(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


@pytest.fixture
def scratch(tmp_path: Path):
    root, home, data = tmp_path / "root", tmp_path / "home", tmp_path / "data"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "environment").write_bytes(ENVIRONMENT)
    (home / ".pki" / "nssdb").mkdir(parents=True)
    (home / ".config").mkdir()
    data.mkdir()
    (data / "ca.pem").write_bytes(CA)
    paths = Paths(ca=data / "ca.pem", home=home, root=root)
    return tmp_path, paths


LINUX = Answers(tools=frozenset({"gsettings", "certutil", "systemctl"}), nssdb=True)


def test_linux_apply_then_undo_restores_everything_exactly(scratch):
    tmp, paths = scratch
    before = snapshot(tmp)
    steps = plan("linux", paths, LINUX)
    assert [s.id for s in steps] == ["ca", "ca-browsers", "proxy-desktop", "proxy-system"]
    assert [s.admin for s in steps] == [True, False, False, True]
    runner, state = Recorder(), paths.ca.parent / "setup-state.json"

    applied = system.apply(steps, state, runner, say=lambda _: None)

    assert len(applied) == 4
    root, home = paths.root, paths.home
    assert (root / "usr/local/share/ca-certificates/guardian.crt").read_bytes() == CA
    env = (root / "etc/environment").read_text()
    assert env.startswith(ENVIRONMENT.decode() + "\n") and "https_proxy=http://127.0.0.1:8080\n" in env
    assert not (home / ".config/systemd").exists()  # no Guardian of the account's own: the service is the one
    nss = f"sql:{home}/.pki/nssdb"
    proxy = "org.gnome.system.proxy"
    assert runner.calls == [
        ("update-ca-certificates",),
        ("certutil", "-d", nss, "-A", "-t", "C,,", "-n", "Guardian", "-i", str(paths.ca)),
        ("gsettings", "get", proxy, "mode"),
        ("gsettings", "set", proxy, "mode", "'manual'"),
        ("gsettings", "get", f"{proxy}.http", "host"),
        ("gsettings", "set", f"{proxy}.http", "host", "'127.0.0.1'"),
        ("gsettings", "get", f"{proxy}.http", "port"),
        ("gsettings", "set", f"{proxy}.http", "port", "8080"),
        ("gsettings", "get", f"{proxy}.https", "host"),
        ("gsettings", "set", f"{proxy}.https", "host", "'127.0.0.1'"),
        ("gsettings", "get", f"{proxy}.https", "port"),
        ("gsettings", "set", f"{proxy}.https", "port", "8080"),
    ]
    with pytest.raises(system.SetupError, match="already applied"):
        system.apply(steps, state, runner, say=lambda _: None)

    runner.calls.clear()
    assert system.undo(state, runner, say=lambda _: None) == 10  # every recorded action
    assert runner.calls == [
        ("gsettings", "set", f"{proxy}.https", "port", "0"),
        ("gsettings", "set", f"{proxy}.https", "host", "''"),
        ("gsettings", "set", f"{proxy}.http", "port", "0"),
        ("gsettings", "set", f"{proxy}.http", "host", "''"),
        ("gsettings", "set", proxy, "mode", "'none'"),
        ("certutil", "-d", nss, "-D", "-n", "Guardian"),
        ("update-ca-certificates", "--fresh"),  # after the certificate file is gone
    ]
    assert snapshot(tmp) == before  # created files and folders gone, /etc/environment byte for byte, no state file


def test_a_failed_step_stops_and_undo_reverts_what_was_done(scratch):
    tmp, paths = scratch
    before = snapshot(tmp)
    state = paths.ca.parent / "setup-state.json"
    runner = Recorder(fail="update-ca-certificates")
    with pytest.raises(system.SetupError, match="update-ca-certificates.*boom"):
        system.apply(plan("linux", paths, LINUX), state, runner, say=lambda _: None)
    assert (paths.root / "usr/local/share/ca-certificates/guardian.crt").exists()
    assert system.undo(state, Recorder(), say=lambda _: None) == 2
    assert snapshot(tmp) == before


def test_refused_and_admin_steps_are_skipped_and_said(scratch):
    tmp, paths = scratch
    said: list[str] = []
    state = paths.ca.parent / "setup-state.json"
    steps = plan("linux", paths, Answers(tools=frozenset({"systemctl"})))
    applied = system.apply(steps, state, Recorder(), ask=lambda s, i, n: s.id != "ca", say=said.append, admin=False)
    assert applied == []
    assert any(line.startswith("  Skipped: Trust Guardian's certificate") for line in said)
    assert any("needs administrator rights" in line and "/etc/environment" in line for line in said)
    assert not state.exists() or system.load_state(state) == []


def test_a_desktop_proxy_locked_by_the_service_is_left_alone(scratch):
    _, paths = scratch
    steps = plan("linux", paths, Answers(tools=frozenset({"gsettings"}), desktop_locked=True))
    assert [s.id for s in steps] == ["ca", "proxy-system"]


def commands(steps):
    return [(a.argv, a.undo) for s in steps for a in s.actions if isinstance(a, Run)]


def test_windows_plan_uses_certutil_the_registry_and_netsh():
    paths = Paths(ca=Path("C:/ProgramData/Guardian-public/guardian-ca.pem"), home=Path("C:/Users/mum"))
    steps = plan("windows", paths, Answers(proxy_port=8081))
    assert [(s.id, s.admin) for s in steps] == [
        ("ca", True),
        ("proxy", False),
        ("proxy-system", True),
    ]
    key = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings"
    assert commands(steps) == [
        (("certutil", "-addstore", "-f", "Root", str(paths.ca)), ("certutil", "-delstore", "Root", "mitmproxy")),
        (
            ("reg", "add", key, "/v", "ProxyServer", "/t", "REG_SZ", "/d", "127.0.0.1:8081", "/f"),
            ("reg", "delete", key, "/v", "ProxyServer", "/f"),
        ),
        (
            ("reg", "add", key, "/v", "ProxyOverride", "/t", "REG_SZ", "/d", "<local>", "/f"),
            ("reg", "delete", key, "/v", "ProxyOverride", "/f"),
        ),
        (
            ("reg", "add", key, "/v", "ProxyEnable", "/t", "REG_DWORD", "/d", "1", "/f"),
            ("reg", "add", key, "/v", "ProxyEnable", "/t", "REG_DWORD", "/d", "0", "/f"),
        ),
        (("netsh", "winhttp", "set", "proxy", "127.0.0.1:8081", "<local>"), ("netsh", "winhttp", "reset", "proxy")),
    ]


def test_macos_plan_uses_security_and_networksetup():
    home = Path("/Users/mum")
    paths = Paths(ca=Path("/Library/Application Support/Guardian-public/guardian-ca.pem"), home=home)
    steps = plan("darwin", paths, Answers(network_service="Ethernet"))
    assert [(s.id, s.admin) for s in steps] == [("ca", True), ("proxy", True)]
    assert commands(steps) == [
        ((), ("security", "delete-certificate", "-c", "mitmproxy", "/Library/Keychains/System.keychain")),
        (
            (
                "security",
                "add-trusted-cert",
                "-d",
                "-r",
                "trustRoot",
                "-k",
                "/Library/Keychains/System.keychain",
                str(paths.ca),
            ),
            ("security", "remove-trusted-cert", "-d", str(paths.ca)),
        ),
        (
            ("networksetup", "-setwebproxy", "Ethernet", "127.0.0.1", "8080"),
            ("networksetup", "-setwebproxystate", "Ethernet", "off"),
        ),
        (
            ("networksetup", "-setsecurewebproxy", "Ethernet", "127.0.0.1", "8080"),
            ("networksetup", "-setsecurewebproxystate", "Ethernet", "off"),
        ),
    ]


def test_unknown_platform_is_a_clear_error(scratch):
    with pytest.raises(ValueError, match="knows Windows, macOS and Linux"):
        plan("plan9", scratch[1], Answers())


def test_without_administrator_rights_windows_trusts_the_certificate_for_the_user():
    paths = Paths(ca=Path("C:/g/ca.cer"), home=Path("C:/Users/kid"))
    [ca, *_] = plan("windows", paths, Answers(admin=False))
    assert not ca.admin
    assert commands([ca]) == [
        (
            ("certutil", "-user", "-addstore", "-f", "Root", "C:/g/ca.cer"),
            ("certutil", "-user", "-delstore", "Root", "mitmproxy"),
        )
    ]


def test_a_mac_without_root_runs_the_administrator_steps_through_sudo(tmp_path):
    home = tmp_path / "home"
    paths = Paths(ca=tmp_path / "ca.pem", home=home)
    steps = plan("darwin", paths, Answers())
    state, runner = tmp_path / "setup-state.json", Recorder()
    applied = system.apply(steps, state, runner, say=lambda _: None, admin=False, sudo=True)
    assert [s.id for s in applied] == ["ca", "proxy"]
    assert all(call[0] == "sudo" for call in runner.calls) and len(runner.calls) == 3
    runner.calls.clear()
    system.undo(state, runner, say=lambda _: None)
    assert runner.calls[-1] == (
        "sudo",
        "security",
        "delete-certificate",
        "-c",
        "mitmproxy",
        "/Library/Keychains/System.keychain",
    )
    assert all(call[0] == "sudo" for call in runner.calls) and len(runner.calls) == 4
    # Linux's certificate step writes a system file: sudo cannot help, so it is skipped and said.
    said: list[str] = []
    linux = plan(
        "linux",
        Paths(ca=tmp_path / "ca.pem", home=home, root=tmp_path / "r"),
        Answers(set_proxy=False),
    )
    assert system.apply(linux, tmp_path / "other.json", Recorder(), say=said.append, admin=False, sudo=True) == []
    assert any("needs administrator rights" in line for line in said)


def test_chromes_certificate_list_is_made_when_missing_and_a_missing_certutil_is_said(scratch):
    _tmp, paths = scratch
    nss = f"sql:{paths.home}/.pki/nssdb"
    add = ("certutil", "-d", nss, "-A", "-t", "C,,", "-n", "Guardian", "-i", str(paths.ca))
    fresh = Answers(tools=frozenset({"certutil"}), nssdb=False)  # Chrome never ran in this account yet
    [browsers] = [s for s in plan("linux", paths, fresh) if s.id == "ca-browsers"]
    assert [a.argv for a in browsers.actions] == [
        ("mkdir", "-p", f"{paths.home}/.pki/nssdb"),
        ("certutil", "-d", nss, "-N", "--empty-password"),
        add,
    ]
    assert notes("linux", paths, fresh) == []
    without = Answers(tools=frozenset({"gsettings"}), nssdb=True)
    assert "ca-browsers" not in [s.id for s in plan("linux", paths, without)]
    [note] = notes("linux", paths, without)  # not skipped in silence
    assert "certutil" in note and "libnss3-tools" in note
    assert notes("windows", paths, without) == [] and notes("linux", paths, Answers(trust_ca=False)) == []


def test_steps_and_their_changes_are_said_in_the_parents_language(scratch):
    _tmp, paths = scratch
    steps = plan("linux", paths, LINUX)
    desktop = next(s for s in steps if s.id == "proxy-desktop")
    assert desktop.said(words.of("en")) == (
        "Send this user's web traffic through Guardian (127.0.0.1:8080)",
        "the desktop's proxy setting, which browsers follow",
    )
    assert desktop.said(words.of("zh"))[0] == "让这个用户的网页流量经过 Guardian（127.0.0.1:8080）"
    ca = steps[0]
    assert describe(ca, words.of("en"))[0] == f"write {paths.root}/usr/local/share/ca-certificates/guardian.crt " + (
        f"(a copy of {paths.ca})"
    )
    assert describe(ca, words.of("zh"))[0].startswith("写入 ")
    said: list[str] = []
    system.apply(steps[:1], paths.ca.parent / "state.json", Recorder(), say=said.append, _=words.of("zh"))
    assert said == ["  已完成：在这台电脑上信任 Guardian 的证书。"]
