"""`guardian install` on Windows: a boot task under a dedicated local account, and the proxy set per machine.

Planned as values (see guardian.setup.service); the commands are Windows' own
(net, icacls, schtasks, reg, certutil, netsh). Windows Firewall cannot block one
account's outbound connections without IPsec, so there is no firewall step: a
program the child starts that ignores the proxy setting goes direct (the README's
coverage table says so).
"""

from __future__ import annotations

import json
from pathlib import Path

from guardian.setup import policies
from guardian.setup.service import Install, Layout
from guardian.setup.steps import Run, Step, Write
from guardian.words import N_

WINDOWS = Layout(
    r"C:\Program Files\Guardian",
    r"C:\ProgramData\Guardian",
    r"C:\ProgramData\Guardian-admin",
    r"C:\ProgramData\Guardian-public",
)
TASK = "Guardian"
INTERNET = r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings"
PER_MACHINE = r"HKLM\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings"
LOCK = r"HKLM\SOFTWARE\Policies\Microsoft\Internet Explorer\Control Panel"
HIDDEN = r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon\SpecialAccounts\UserList"
CHROME, EDGE = r"HKLM\SOFTWARE\Policies\Google\Chrome", r"HKLM\SOFTWARE\Policies\Microsoft\Edge"
FIREFOX = r"HKLM\SOFTWARE\Policies\Mozilla\Firefox"
ADMINS, SYSTEM = "*S-1-5-32-544", "*S-1-5-18"  # well-known SIDs: Administrators, SYSTEM


def _path(*parts: str) -> Path:
    return Path("\\".join(parts))


def _reg(key: str, name: str, kind: str, value: str) -> Run:
    return Run(("reg", "add", key, "/v", name, "/t", kind, "/d", value, "/f"), ("reg", "delete", key, "/v", name, "/f"))


def _private(folder: str, account: str) -> tuple[str, ...]:
    """Only the account, Administrators and SYSTEM; nothing inherited from ProgramData (where Users may read)."""
    grants = [f"{who}:(OI)(CI)F" for who in (account, ADMINS, SYSTEM)]
    return ("icacls", folder, "/inheritance:r", *(x for g in grants for x in ("/grant:r", g)))


def plan(i: Install) -> list[Step]:
    w, own, password = WINDOWS, i.account, i.service_password
    guardian, data = w.guardian(windows=True), w.data
    config = rf"{data}\guardian.toml"
    proxy = f"127.0.0.1:{i.proxy_port}"
    steps = []
    if not i.account_exists:
        steps.append(
            Step(
                "account",
                N_("Make the local account '%(account)s' that Guardian runs as (hidden from the sign-in screen)"),
                N_("the children's accounts cannot read, change or stop what belongs to it"),
                True,
                (
                    Run(
                        ("net", "user", own, password, "/add", "/passwordchg:no", "/expires:never"),
                        ("net", "user", own, "/delete"),
                    ),
                    _reg(HIDDEN, own, "REG_DWORD", "0"),
                ),
                values=(("account", own),),
            )
        )
    steps.append(
        Step(
            "program",
            N_("Install Guardian's program in %(folder)s"),
            N_("the service runs a copy that only administrators can change"),
            True,
            (
                Run(("py", "-3.12", "-m", "venv", w.program), ("cmd", "/c", "rmdir", "/s", "/q", w.program)),
                Run((rf"{w.program}\Scripts\python.exe", "-m", "pip", "install", "--quiet", str(i.source))),
            ),
            values=(("folder", w.program),),
        )
    )
    files = [Write(_path(data, "mitmproxy", n), data=b) for n, b in i.ca.files().items()]
    steps.append(
        Step(
            "data",
            N_("Make Guardian's private folder %(folder)s"),
            N_("only Guardian's account and administrators can read or change it"),
            True,
            (
                Run(("cmd", "/c", "mkdir", rf"{data}\mitmproxy", rf"{data}\rules"), ("cmd", "/c", "rmdir", data)),
                Run(_private(data, own)),
                Write(_path(data, "guardian.toml"), i.config),
                *files,
            ),
            values=(("folder", data),),
        )
    )
    public = rf"{w.public}\guardian-ca.pem"
    steps.append(
        Step(
            "ca",
            N_("Publish Guardian's certificate and trust it for every account (machine store)"),
            N_("so websites opened through Guardian are not shown as unsafe"),
            True,
            (
                Write(Path(public), data=i.ca.public),
                Run(("certutil", "-addstore", "-f", "Root", public), ("certutil", "-delstore", "Root", "mitmproxy")),
            ),
        )
    )
    run_line = f'"{guardian}" run --config "{config}"'
    steps.append(
        Step(
            "service",
            N_("Start Guardian at boot as '%(account)s', before anyone signs in (Task Scheduler)"),
            N_("a standard account cannot end or change another account's task"),
            True,
            (
                Run(
                    ("schtasks", "/Create", "/TN", TASK, "/TR", run_line, "/SC", "ONSTART", "/RU", own, "/RP", password)
                    + ("/RL", "LIMITED", "/F"),
                    ("schtasks", "/Delete", "/TN", TASK, "/F"),
                ),
                Run(("schtasks", "/Run", "/TN", TASK), ("schtasks", "/End", "/TN", TASK)),
            ),
            values=(("account", own),),
        )
    )
    chrome = policies.chromium(proxy, i.ca.public)
    steps.append(
        Step(
            "policy-proxy",
            N_("Set the proxy to Guardian (%(proxy)s) for the whole computer, and stop accounts changing it"),
            N_("one machine-wide setting (not per user), locked by policy, for Windows, Edge, Chrome and Firefox"),
            True,
            (
                _reg(PER_MACHINE, "ProxySettingsPerUser", "REG_DWORD", "0"),
                _reg(INTERNET, "ProxyServer", "REG_SZ", proxy),
                _reg(INTERNET, "ProxyOverride", "REG_SZ", "<local>"),
                _reg(INTERNET, "ProxyEnable", "REG_DWORD", "1"),
                _reg(LOCK, "Proxy", "REG_DWORD", "1"),
                Run(("netsh", "winhttp", "set", "proxy", proxy, "<local>"), ("netsh", "winhttp", "reset", "proxy")),
                _reg(CHROME, "ProxySettings", "REG_SZ", chrome_proxy(chrome)),
                _reg(EDGE, "ProxySettings", "REG_SZ", chrome_proxy(chrome)),
                _reg(CHROME, "QuicAllowed", "REG_DWORD", "0"),
                _reg(EDGE, "QuicAllowed", "REG_DWORD", "0"),
                _reg(rf"{FIREFOX}\Proxy", "Mode", "REG_SZ", "system"),
                _reg(rf"{FIREFOX}\Proxy", "Locked", "REG_DWORD", "1"),
                _reg(rf"{FIREFOX}\Certificates", "ImportEnterpriseRoots", "REG_DWORD", "1"),
            ),
            values=(("proxy", proxy),),
        )
    )
    return steps


def chrome_proxy(chromium_policy: str) -> str:
    """The ProxySettings value alone, as the one-line JSON the registry policy holds."""
    return json.dumps(json.loads(chromium_policy)["ProxySettings"], separators=(",", ":"))
