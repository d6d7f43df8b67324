"""Guardian as a system service under its own account: what `guardian install` is told, and where things go.

The plans themselves are pure functions of an `Install` value, one module per
platform (service_linux, service_windows, service_macos; guardian.setup.install
picks one). Each returns Steps (guardian.setup.steps) that guardian.setup.system
applies, recording each change, so `guardian install --undo` reverts exactly those.

On Linux:
- the account ``guardian`` (a system user with no login shell);
- the program in its own virtual environment, /opt/guardian (root's; nobody else can change it);
- /var/lib/guardian (0700, the account's): config, rules/, ledger, the CA key in the mitmproxy confdir,
  dashboard secret, the desktop agent's token hash;
- a systemd system unit that starts the proxy and the dashboard at boot, as that account, hardened;
- the CA's public certificate published in /usr/local/share/guardian and trusted machine-wide;
- the proxy set by policy: GNOME's dconf with locks, Chrome/Chromium/Edge and Firefox policies,
  /etc/environment;
- an nftables table (its own boot unit) so the children's accounts reach ports 80, 443 and 853 only
  through Guardian (guardian.setup.firewall);
- for the parent named in the config, a desktop agent in their session (guardian.notify.agent) and the
  token only their account can read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from guardian.setup.ca import CA


@dataclass(frozen=True, slots=True)
class Account:
    """An operating-system account: a child's (for the firewall) or the parent's (for desktop alerts)."""

    name: str
    uid: int | None = None
    home: Path | None = None


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the service's files go on one platform."""

    program: str  # the program's own virtual environment
    data: str  # the service's private folder
    admin: str  # the record of what install and setup changed: administrators only
    public: str  # the CA's public certificate, readable by every account

    def guardian(self, windows: bool = False) -> str:
        return f"{self.program}\\Scripts\\guardian.exe" if windows else f"{self.program}/bin/guardian"


LINUX = Layout("/opt/guardian", "/var/lib/guardian", "/var/lib/guardian-admin", "/usr/local/share/guardian")
UNIT = "/etc/systemd/system/guardian.service"
AGENT_UNIT = "/etc/systemd/user/guardian-agent.service"
AGENT_AUTOSTART = "/etc/xdg/autostart/guardian-agent.desktop"
TOKEN = ".config/guardian/agent-token"  # in the parent's home
TOKEN_HASH = "agent-token.sha256"  # in the data folder
STATE = "install.json"
CA_FILE = "guardian-ca.pem"
BROWSER_POLICIES = (
    "/etc/opt/chrome/policies/managed/guardian.json",
    "/etc/chromium/policies/managed/guardian.json",
    "/etc/opt/edge/policies/managed/guardian.json",
)
FIREFOX_POLICIES = "/etc/firefox/policies/policies.json"


@dataclass(frozen=True, slots=True)
class Install:
    """Everything the plan needs; the CLI finds it out (accounts, tools, existing files) and makes the CA."""

    source: Path  # the folder Guardian is installed from (its pyproject.toml)
    python: str  # the interpreter that makes the program's environment
    config: str  # the service's guardian.toml
    ca: CA
    agent_token: str = ""  # given with a desktop user
    desktop_user: Account | None = None
    children: tuple[Account, ...] = ()
    account: str = "guardian"
    account_exists: bool = False
    proxy_port: int = 8080
    dashboard_port: int = 8765
    tools: frozenset[str] = field(default_factory=frozenset)  # systemctl, dconf, update-ca-certificates, nft
    firefox_policies: str | None = None  # the policies.json already there, merged into
    service_password: str = ""  # Windows: the service account's (random) password, for its boot task
    root: Path = Path("/")

    def system(self, path: str) -> Path:
        return self.root / PurePosixPath(path).relative_to("/")


def token_hash(token: str) -> str:
    """What the service keeps of the agent's token: enough to check it, useless to send."""
    return hashlib.sha256(token.encode()).hexdigest() + "\n"
