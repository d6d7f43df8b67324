"""The Linux firewall that makes the proxy the only way out for the children's accounts (nftables text).

One table, ``inet guardian``, with a set of the children's user ids: their
sockets may not open connections to ports 80, 443 or 853 (TCP), nor 443 or 853
over UDP (QUIC, DNS over QUIC), anywhere, loopback included. Guardian's own
account, root and the parents are not in the set, so the proxy reaches the
internet and the children reach the proxy (its own port) as before.

Each child's account is one file in children.d/, so adding or removing a child
is writing or deleting one file and loading the table again; a boot unit loads
it before the network comes up.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from guardian.setup.steps import Run, Write

RULES = "/etc/guardian/firewall.nft"
CHILDREN = "/etc/guardian/children.d"
UNIT = "/etc/systemd/system/guardian-firewall.service"
TABLE = ("inet", "guardian")
REMOVE = ("nft", "delete", "table", *TABLE)
TCP_PORTS = (80, 443, 853)
UDP_PORTS = (443, 853)


def table(account: str, children: str = CHILDREN) -> str:
    """The table; loading it again replaces the old one whole (the first two lines), so it never doubles."""
    tcp, udp = ", ".join(map(str, TCP_PORTS)), ", ".join(map(str, UDP_PORTS))
    return (
        "#!/usr/sbin/nft -f\n"
        f"# Guardian: the children's accounts reach the web only through Guardian ('{account}' is not limited).\n"
        "# Written by `guardian install`; each child's account is a file in children.d/.\n"
        f"table {' '.join(TABLE)}\n"
        f"delete table {' '.join(TABLE)}\n"
        f"table {' '.join(TABLE)} {{\n"
        "    set children {\n        type uid\n    }\n"
        "    chain output {\n"
        "        type filter hook output priority filter; policy accept;\n"
        f"        meta skuid @children tcp dport {{ {tcp} }} counter reject with tcp reset\n"
        f"        meta skuid @children udp dport {{ {udp} }} counter reject\n"
        "    }\n"
        "}\n"
        f'include "{children}/*.nft"\n'
    )


def child_rule(name: str, uid: int) -> str:
    return f"# {name}\nadd element {' '.join(TABLE)} children {{ {uid} }}\n"


def child_file(root: Path, name: str) -> Path:
    return root / PurePosixPath(CHILDREN).relative_to("/") / f"{name}.nft"


def child_actions(root: Path, name: str, uid: int | None) -> list[Write]:
    if uid is None:
        raise ValueError(f"the account {name!r} has no user id on this computer")
    return [Write(child_file(root, name), child_rule(name, uid), mode=0o644)]


def reload(root: Path) -> tuple[Run, Run]:
    """Load the table now (first) and again on undo (second, after a child's file is gone)."""
    rules = str(root / PurePosixPath(RULES).relative_to("/"))
    return Run(("nft", "-f", rules)), Run(undo=("nft", "-f", rules))


def unit() -> str:
    return (
        "[Unit]\nDescription=Guardian: children's accounts reach the web only through Guardian\n"
        "DefaultDependencies=no\nBefore=network-pre.target\nWants=network-pre.target\n"
        "After=nftables.service\n\n"
        f"[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/usr/sbin/nft -f {RULES}\n"
        f"ExecStop=/usr/sbin/nft delete table {' '.join(TABLE)}\n\n"
        "[Install]\nWantedBy=multi-user.target\n"
    )
