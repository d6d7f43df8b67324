"""`guardian install` on Windows, planned as values (nothing here runs Windows commands)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from guardian.setup import install, service_windows
from guardian.setup.service import Install
from guardian.setup.steps import Run, Write
from tests.guardian.setup.test_service_linux import the_ca

INSTALL = Install(
    source=Path("C:/Users/dad/Downloads/guardian"),
    python="py",
    config='[household]\ncurrency = "CNY"\n',
    ca=the_ca(),
    service_password="Rand0m-Service-Pa55",
)


def commands(step) -> list[tuple[str, ...]]:
    return [a.argv for a in step.actions if isinstance(a, Run) and a.argv]


def test_windows_runs_guardian_at_boot_as_its_own_hidden_account():
    steps = {s.id: s for s in install.plan("windows", INSTALL)}
    assert list(steps) == ["account", "program", "data", "ca", "service", "policy-proxy"]
    assert "firewall" not in steps  # Windows Firewall has no per-account rule without IPsec: the README says so
    account = commands(steps["account"])
    assert account[0][:4] == ("net", "user", "guardian", "Rand0m-Service-Pa55")
    assert account[1][2].endswith(r"SpecialAccounts\UserList") and account[1][4] == "guardian"  # hidden at sign-in
    create = commands(steps["service"])[0]
    assert create[:3] == ("schtasks", "/Create", "/TN") and ("/SC", "ONSTART") == create[6:8]
    assert create[create.index("/RU") + 1] == "guardian" and "/RL" in create
    assert r'run --config "C:\ProgramData\Guardian\guardian.toml"' in create[create.index("/TR") + 1]


def test_windows_data_folder_is_closed_to_every_other_account():
    steps = {s.id: s for s in install.plan("windows", INSTALL)}
    icacls = commands(steps["data"])[1]
    assert icacls[:3] == ("icacls", r"C:\ProgramData\Guardian", "/inheritance:r")  # Users' read from ProgramData: gone
    assert [icacls[i + 1] for i, x in enumerate(icacls) if x == "/grant:r"] == [
        "guardian:(OI)(CI)F",
        "*S-1-5-32-544:(OI)(CI)F",
        "*S-1-5-18:(OI)(CI)F",
    ]
    written = {str(a.path) for a in steps["data"].actions if isinstance(a, Write)}
    assert r"C:\ProgramData\Guardian\mitmproxy\mitmproxy-ca.pem" in written


def test_windows_proxy_is_per_machine_and_locked_for_every_browser():
    step = next(s for s in install.plan("windows", INSTALL) if s.id == "policy-proxy")
    values = {(c[2], c[4]): c[8] for c in commands(step) if c[:2] == ("reg", "add")}
    policies = r"HKLM\SOFTWARE\Policies"
    assert values[(rf"{policies}\Microsoft\Windows\CurrentVersion\Internet Settings", "ProxySettingsPerUser")] == "0"
    assert values[(rf"{policies}\Microsoft\Internet Explorer\Control Panel", "Proxy")] == "1"  # users cannot change it
    chrome = json.loads(values[(rf"{policies}\Google\Chrome", "ProxySettings")])
    assert chrome == {"ProxyMode": "fixed_servers", "ProxyServer": "127.0.0.1:8080", "ProxyBypassList": "<local>"}
    assert values[(rf"{policies}\Mozilla\Firefox\Proxy", "Locked")] == "1"
    # Every registry change has its undo.
    assert all(a.undo for a in step.actions if isinstance(a, Run))


def test_an_existing_account_is_kept():
    steps = install.plan("windows", replace(INSTALL, account_exists=True))
    assert steps[0].id == "program"
    assert service_windows.WINDOWS.guardian(windows=True) == r"C:\Program Files\Guardian\Scripts\guardian.exe"
