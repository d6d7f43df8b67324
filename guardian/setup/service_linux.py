"""`guardian install` on Linux: a systemd system unit under the account ``guardian`` (see guardian.setup.service)."""

from __future__ import annotations

from guardian.setup import firewall, policies
from guardian.setup.service import (
    AGENT_AUTOSTART,
    AGENT_UNIT,
    BROWSER_POLICIES,
    CA_FILE,
    FIREFOX_POLICIES,
    LINUX,
    TOKEN,
    TOKEN_HASH,
    UNIT,
    Install,
    Layout,
    token_hash,
)
from guardian.setup.steps import Append, Run, Step, Write
from guardian.words import N_


def unit(layout: Layout, account: str) -> str:
    """The systemd system unit: proxy and dashboard at boot, as `account`, with only its folder writable."""
    guardian, data = layout.guardian(), layout.data
    return (
        "[Unit]\n"
        "Description=Guardian parental controls (proxy and dashboard)\n"
        "After=network-online.target guardian-firewall.service\n"
        "Wants=network-online.target guardian-firewall.service\n\n"
        "[Service]\n"
        "Type=simple\n"
        f"User={account}\nGroup={account}\n"
        f"Environment=GUARDIAN_HOME={data}\n"
        f"ExecStart={guardian} run --config {data}/guardian.toml\n"
        # Runs after every stop, crash included: the stop is recorded and the parent told.
        f"ExecStopPost={guardian} stopped --config {data}/guardian.toml\n"
        "Restart=always\nRestartSec=2\n"
        "UMask=0077\n"
        "StateDirectory=guardian\nStateDirectoryMode=0700\n"
        "NoNewPrivileges=yes\n"
        "ProtectSystem=strict\n"
        f"ReadWritePaths={data}\n"
        "ProtectHome=yes\n"
        "PrivateTmp=yes\n"
        "PrivateDevices=yes\n"
        "ProtectKernelTunables=yes\nProtectKernelModules=yes\nProtectKernelLogs=yes\n"
        "ProtectControlGroups=yes\nProtectClock=yes\nProtectHostname=yes\n"
        "RestrictSUIDSGID=yes\nRestrictRealtime=yes\nRestrictNamespaces=yes\nLockPersonality=yes\n"
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK\n"
        "CapabilityBoundingSet=\nAmbientCapabilities=\n"
        "SystemCallArchitectures=native\n\n"
        "[Install]\nWantedBy=multi-user.target\n"
    )


def agent_unit(layout: Layout, parent: str, dashboard_port: int) -> str:
    """A user unit that runs only in the parent's session (ConditionUser), enabled for every account."""
    return (
        "[Unit]\nDescription=Guardian's alerts on the parent's desktop\n"
        f"ConditionUser={parent}\n\n"
        f"[Service]\nExecStart={layout.guardian()} agent --url http://127.0.0.1:{dashboard_port}\n"
        "Restart=always\nRestartSec=10\n\n"
        "[Install]\nWantedBy=default.target\n"
    )


def _account(i: Install) -> list[Step]:
    if i.account_exists:
        return []
    useradd = ("useradd", "--system", "--user-group", "--home-dir", LINUX.data, "--no-create-home")
    useradd += ("--shell", "/usr/sbin/nologin", "--comment", "Guardian parental controls", i.account)
    return [
        Step(
            "account",
            N_("Make the account '%(account)s' that Guardian runs as"),
            N_("the children's accounts cannot read, change or stop what belongs to it"),
            True,
            (Run(useradd, ("userdel", i.account)),),
            values=(("account", i.account),),
        )
    ]


def _program(i: Install) -> Step:
    venv = i.system(LINUX.program)
    return Step(
        "program",
        N_("Install Guardian's program in %(folder)s"),
        N_("the service runs a copy that only administrators can change"),
        True,
        (
            Run((i.python, "-m", "venv", str(venv)), ("rm", "-rf", str(venv))),
            Run(
                (f"{venv}/bin/python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(i.source))
            ),
        ),
        values=(("folder", LINUX.program),),
    )


def _data(i: Install) -> Step:
    data, own = i.system(LINUX.data), i.account
    made = ("install", "-d", "-m", "0700", "-o", own, "-g", own)
    # The folders first, as the account's and 0700, so no file below is ever reachable by others.
    actions: list = [
        Run((*made, str(data)), ("rmdir", "--ignore-fail-on-non-empty", str(data))),
        Run((*made, str(data / "mitmproxy"), str(data / "rules"))),
        Write(data / "guardian.toml", i.config, mode=0o600, owner=own),
    ]
    actions += [Write(data / "mitmproxy" / n, data=b, mode=0o600, owner=own) for n, b in i.ca.files().items()]
    if i.agent_token:
        actions.append(Write(data / TOKEN_HASH, token_hash(i.agent_token), mode=0o600, owner=own))
    return Step(
        "data",
        N_("Make Guardian's private folder %(folder)s (config, rules, ledger, certificate key)"),
        N_("only Guardian's account can read or change it"),
        True,
        tuple(actions),
        values=(("folder", LINUX.data),),
    )


def _ca(i: Install) -> Step:
    public = i.system(LINUX.public) / CA_FILE
    return Step(
        "ca",
        N_("Publish Guardian's certificate and trust it on this computer"),
        N_("every account's programs then accept websites opened through Guardian"),
        True,
        (
            Write(public, data=i.ca.public, mode=0o644),
            Run(undo=("update-ca-certificates", "--fresh")),  # runs last on undo, after the file is gone
            Write(i.system("/usr/local/share/ca-certificates/guardian.crt"), data=i.ca.public, mode=0o644),
            Run(("update-ca-certificates",)),
        ),
    )


def _service(i: Install) -> Step:
    return Step(
        "service",
        N_("Start Guardian at boot, before anyone logs in (systemd service)"),
        N_("a child cannot stop a service that belongs to another account"),
        True,
        (
            Run(undo=("systemctl", "daemon-reload")),
            Write(i.system(UNIT), unit(LINUX, i.account), mode=0o644),
            Run(("systemctl", "daemon-reload")),
            Run(
                ("systemctl", "enable", "--now", "guardian.service"),
                ("systemctl", "disable", "--now", "guardian.service"),
            ),
        ),
    )


def _policies(i: Install) -> list[Step]:
    proxy = f"127.0.0.1:{i.proxy_port}"
    public = f"{LINUX.public}/{CA_FILE}"
    browsers = tuple(Write(i.system(p), policies.chromium(proxy, i.ca.public), mode=0o644) for p in BROWSER_POLICIES)
    firefox = Write(i.system(FIREFOX_POLICIES), policies.firefox(proxy, public, i.firefox_policies), mode=0o644)
    steps = [
        Step(
            "policy-browsers",
            N_("Set Chrome, Chromium, Edge and Firefox to use Guardian (%(proxy)s), locked"),
            N_("browser policies: no account can switch the proxy off in the browser's settings"),
            True,
            (*browsers, firefox),
            values=(("proxy", proxy),),
        )
    ]
    if "dconf" in i.tools:
        steps.append(
            Step(
                "policy-desktop",
                N_("Set the desktop's proxy to Guardian (%(proxy)s) for every account, locked"),
                N_("GNOME's system settings database: the Settings app cannot change it"),
                True,
                (
                    Append(i.system("/etc/dconf/profile/user"), ("user-db:user", "system-db:local")),
                    Run(undo=("dconf", "update")),
                    Write(
                        i.system("/etc/dconf/db/local.d/00-guardian"), policies.dconf_keys("127.0.0.1", i.proxy_port)
                    ),
                    Write(i.system("/etc/dconf/db/local.d/locks/guardian"), policies.DCONF_LOCKS),
                    Run(("dconf", "update")),
                ),
                values=(("proxy", proxy),),
            )
        )
    url = f"http://{proxy}"
    names = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")
    lines = (*(f"{n}={url}" for n in names), "no_proxy=localhost,127.0.0.1,::1", "NO_PROXY=localhost,127.0.0.1,::1")
    steps.append(
        Step(
            "proxy-system",
            N_("Send programs of every account through Guardian (/etc/environment)"),
            N_("programs that do not read the desktop's setting read these lines"),
            True,
            (Append(i.system("/etc/environment"), lines),),
        )
    )
    return steps


def _firewall(i: Install) -> Step:
    rules = i.system(firewall.RULES)
    actions: list = [
        Run(undo=("systemctl", "daemon-reload")),
        Write(rules, firewall.table(i.account), mode=0o644),
        Write(i.system(firewall.UNIT), firewall.unit(), mode=0o644),
        Run(("systemctl", "daemon-reload")),
        Run(
            ("systemctl", "enable", "guardian-firewall.service"), ("systemctl", "disable", "guardian-firewall.service")
        ),
    ]
    for child in i.children:
        actions += firewall.child_actions(i.root, child.name, child.uid)
    actions.append(Run(("nft", "-f", str(rules)), firewall.REMOVE))
    return Step(
        "firewall",
        N_("Let the children's accounts reach websites only through Guardian (nftables): %(children)s")
        if i.children
        else N_("Let the children's accounts reach websites only through Guardian (nftables)"),
        N_("a browser started with --no-proxy-server, or a program that ignores the proxy, gets nowhere"),
        True,
        tuple(actions),
        values=(("children", ", ".join(c.name for c in i.children)),) if i.children else (),
    )


def _agent(i: Install) -> list[Step]:
    parent = i.desktop_user
    if parent is None or parent.home is None or not i.agent_token:
        return []
    token = Write(parent.home / TOKEN, i.agent_token + "\n", mode=0o600, owner=parent.name)
    if "systemctl" in i.tools:
        start: tuple = (
            Write(i.system(AGENT_UNIT), agent_unit(LINUX, parent.name, i.dashboard_port), mode=0o644),
            Run(
                ("systemctl", "--global", "enable", "guardian-agent.service"),
                ("systemctl", "--global", "disable", "guardian-agent.service"),
            ),
        )
    else:
        text = (
            "[Desktop Entry]\nType=Application\nName=Guardian alerts\n"
            f"Exec={LINUX.guardian()} agent --url http://127.0.0.1:{i.dashboard_port}\n"
            "X-GNOME-Autostart-enabled=true\nNoDisplay=true\n"
        )
        start = (Write(i.system(AGENT_AUTOSTART), text, mode=0o644),)
    return [
        Step(
            "agent",
            N_("Show Guardian's alerts on %(parent)s's desktop (and only there)"),
            N_("a small helper in the parent's session fetches them with a key only that account can read"),
            True,
            (token, *start),
            values=(("parent", parent.name),),
        )
    ]


def plan(i: Install) -> list[Step]:
    return [
        *_account(i),
        _program(i),
        _data(i),
        _ca(i),
        _firewall(i),
        _service(i),
        *_policies(i),
        *_agent(i),
    ]
