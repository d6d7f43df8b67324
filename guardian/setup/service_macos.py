"""`guardian install` on macOS: a LaunchDaemon under its own hidden user, the system proxy, and pf rules.

Planned as values (see guardian.setup.service). pf can match a socket's owner
(``user``), so the children's accounts are kept off ports 80, 443 and 853 as on
Linux. The proxy is set per network service with networksetup as an
administrator; a standard account needs an administrator's password to change
it. (A configuration profile would lock it harder, but macOS no longer installs
profiles from the command line: the parent must approve one in System Settings.)
"""

from __future__ import annotations

from pathlib import Path

from guardian.setup import policies
from guardian.setup.service import Install, Layout
from guardian.setup.steps import Append, Run, Step, Write
from guardian.words import N_

MACOS = Layout(
    "/usr/local/guardian",
    "/Library/Application Support/Guardian",
    "/Library/Application Support/Guardian-admin",
    "/Library/Application Support/Guardian-public",
)
LABEL = "org.guardian.service"
DAEMON = f"/Library/LaunchDaemons/{LABEL}.plist"
ANCHOR = "/etc/pf.anchors/org.guardian"
UID = "299"  # below 500: a hidden system account; install checks it is free
FIREFOX = "/Applications/Firefox.app/Contents/Resources/distribution/policies.json"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def daemon(layout: Layout, account: str) -> str:
    data = layout.data
    args = [layout.guardian(), "run", "--config", f"{data}/guardian.toml"]
    items = "".join(f"        <string>{_xml(a)}</string>\n" for a in args)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
        '<plist version="1.0">\n<dict>\n'
        f"    <key>Label</key>\n    <string>{LABEL}</string>\n"
        f"    <key>UserName</key>\n    <string>{_xml(account)}</string>\n"
        f"    <key>ProgramArguments</key>\n    <array>\n{items}    </array>\n"
        "    <key>EnvironmentVariables</key>\n    <dict>\n"
        f"        <key>GUARDIAN_HOME</key>\n        <string>{_xml(data)}</string>\n    </dict>\n"
        "    <key>Umask</key>\n    <integer>63</integer>\n"  # 0077
        "    <key>RunAtLoad</key>\n    <true/>\n    <key>KeepAlive</key>\n    <true/>\n"
        "</dict>\n</plist>\n"
    )


def anchor(children: tuple[str, ...]) -> str:
    users = ", ".join(children)
    return "# Guardian: the children's accounts reach the web only through Guardian.\n" + (
        f"block return out proto tcp from any to any port {{ 80, 443, 853 }} user {{ {users} }}\n"
        f"block return out proto udp from any to any port {{ 443, 853 }} user {{ {users} }}\n"
        if children
        else ""
    )


def plan(i: Install) -> list[Step]:
    m, own = MACOS, f"_{i.account}"
    proxy_host, port = "127.0.0.1", str(i.proxy_port)
    steps = []
    if not i.account_exists:
        user = f"/Users/{own}"
        create = [
            ("dscl", ".", "-create", f"/Groups/{own}"),
            ("dscl", ".", "-create", f"/Groups/{own}", "PrimaryGroupID", UID),
        ]
        create += [("dscl", ".", "-create", user)]
        for key, value in (
            ("UniqueID", UID),
            ("PrimaryGroupID", UID),
            ("UserShell", "/usr/bin/false"),
            ("NFSHomeDirectory", "/var/empty"),
            ("IsHidden", "1"),
        ):
            create.append(("dscl", ".", "-create", user, key, value))
        actions = [Run(undo=("dscl", ".", "-delete", f"/Groups/{own}")), Run(undo=("dscl", ".", "-delete", user))]
        steps.append(
            Step(
                "account",
                N_("Make the hidden account '%(account)s' that Guardian runs as"),
                N_("the children's accounts cannot read, change or stop what belongs to it"),
                True,
                (*actions, *(Run(c) for c in create)),
                values=(("account", own),),
            )
        )
    venv = m.program
    steps.append(
        Step(
            "program",
            N_("Install Guardian's program in %(folder)s"),
            N_("the service runs a copy that only administrators can change"),
            True,
            (
                Run((i.python, "-m", "venv", venv), ("rm", "-rf", venv)),
                Run((f"{venv}/bin/python", "-m", "pip", "install", "--quiet", str(i.source))),
            ),
            values=(("folder", venv),),
        )
    )
    data = Path(m.data)
    made = ("install", "-d", "-m", "0700", "-o", own, "-g", own)
    steps.append(
        Step(
            "data",
            N_("Make Guardian's private folder %(folder)s"),
            N_("only Guardian's account can read or change it"),
            True,
            (
                Run((*made, m.data, f"{m.data}/mitmproxy", f"{m.data}/rules"), ("rmdir", m.data)),
                Write(data / "guardian.toml", i.config, mode=0o600, owner=own),
                *(Write(data / "mitmproxy" / n, data=b, mode=0o600, owner=own) for n, b in i.ca.files().items()),
            ),
            values=(("folder", m.data),),
        )
    )
    public = f"{m.public}/guardian-ca.pem"
    keychain = "/Library/Keychains/System.keychain"
    steps.append(
        Step(
            "ca",
            N_("Publish Guardian's certificate and trust it on this Mac (System keychain)"),
            N_("Safari and Chrome then accept websites opened through Guardian"),
            True,
            (
                Write(Path(public), data=i.ca.public, mode=0o644),
                Run(
                    ("security", "add-trusted-cert", "-d", "-r", "trustRoot", "-k", keychain, public),
                    ("security", "delete-certificate", "-c", "mitmproxy", keychain),
                ),
            ),
        )
    )
    steps.append(
        Step(
            "service",
            N_("Start Guardian at boot as '%(account)s', before anyone logs in (LaunchDaemon)"),
            N_("a standard account cannot stop a daemon that belongs to another account"),
            True,
            (
                Write(Path(DAEMON), daemon(m, own), mode=0o644),
                Run(("launchctl", "bootstrap", "system", DAEMON), ("launchctl", "bootout", f"system/{LABEL}")),
            ),
            values=(("account", own),),
        )
    )
    svc = "Wi-Fi"
    steps.append(
        Step(
            "policy-proxy",
            N_("Set %(service)s's proxy to Guardian (127.0.0.1:%(port)s), and Chrome's and Firefox's by policy"),
            N_("a standard account needs an administrator's password to change the network settings"),
            True,
            (
                Run(
                    ("networksetup", "-setwebproxy", svc, proxy_host, port),
                    ("networksetup", "-setwebproxystate", svc, "off"),
                ),
                Run(
                    ("networksetup", "-setsecurewebproxy", svc, proxy_host, port),
                    ("networksetup", "-setsecurewebproxystate", svc, "off"),
                ),
                Write(Path(FIREFOX), policies.firefox(f"{proxy_host}:{port}", public, i.firefox_policies), mode=0o644),
            ),
            values=(("service", svc), ("port", port)),
        )
    )
    children = tuple(c.name for c in i.children)
    steps.append(
        Step(
            "firewall",
            N_("Let the children's accounts reach websites only through Guardian (pf): %(children)s")
            if children
            else N_("Let the children's accounts reach websites only through Guardian (pf)"),
            N_("a program that ignores the proxy setting gets nowhere"),
            True,
            (
                Run(undo=("pfctl", "-f", "/etc/pf.conf")),  # on undo: after pf.conf is back as it was
                Write(Path(ANCHOR), anchor(children), mode=0o644),
                Append(Path("/etc/pf.conf"), ('anchor "org.guardian"', f'load anchor "org.guardian" from "{ANCHOR}"')),
                Run(("pfctl", "-f", "/etc/pf.conf")),
                Run(("pfctl", "-E")),
            ),
            values=(("children", ", ".join(children)),) if children else (),
        )
    )
    return steps
