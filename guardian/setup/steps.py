"""What `guardian setup` changes in a child's account, planned as values: it points the account at the service.

Guardian itself runs as a system service (guardian.setup.service, `guardian
install`); this plan only makes the account trust the service's published
certificate and use its proxy. Steps marked admin are machine-wide (install
makes them too); the command line leaves them to install.

`plan(platform, paths, answers)` is pure: it returns Steps, each a list of
actions (write a file, append lines to a file, run a command with the command
that undoes it). guardian.system applies them, asking first, and records each
applied action so `guardian setup --undo` reverts exactly those.

System paths are joined under ``paths.root`` ("/" for real; a scratch folder
in tests), so a whole run can be redirected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from guardian import words
from guardian.words import N_, Words

CA_NAME = "mitmproxy"  # the common name of the CA mitmproxy generates
ENGLISH = words.of("en")


@dataclass(frozen=True, slots=True)
class Write:
    """Write `path` (`data`, else `source`'s bytes, else `text`); undo restores what was there, or removes it.

    `mode` and `owner` (an account name) are set on the file before its bytes go in, so a secret is
    never readable by others, not even for a moment.
    """

    path: Path
    text: str = ""
    source: Path | None = None
    data: bytes | None = None
    mode: int | None = None
    owner: str | None = None

    def content(self) -> bytes:
        if self.data is not None:
            return self.data
        return self.source.read_bytes() if self.source is not None else self.text.encode()


@dataclass(frozen=True, slots=True)
class Append:
    """Add the lines `path` lacks; undo restores the file byte for byte."""

    path: Path
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Run:
    """Run `argv` (none: nothing on apply). Undo runs `undo`, with {previous} replaced by what `read` printed."""

    argv: tuple[str, ...] = ()
    undo: tuple[str, ...] = ()
    read: tuple[str, ...] = ()


Action = Write | Append | Run


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    what: str  # one line a parent understands: a message of the catalog (guardian.words), with `values`
    why: str  # the same, for why it is done
    admin: bool  # needs administrator rights
    actions: tuple[Action, ...]
    values: tuple[tuple[str, object], ...] = ()  # what fills the messages' %(name)s

    def said(self, words: Words) -> tuple[str, str]:
        """What the step does and why, in `words`' language."""
        values = dict(self.values)
        return words(self.what, **values), words(self.why, **values)


@dataclass(frozen=True, slots=True)
class Paths:
    ca: Path  # the service's published certificate
    home: Path
    root: Path = Path("/")

    def system(self, path: str) -> Path:
        return self.root / PurePosixPath(path).relative_to("/")


@dataclass(frozen=True, slots=True)
class Answers:
    proxy_host: str = "127.0.0.1"
    proxy_port: int = 8080
    trust_ca: bool = True
    set_proxy: bool = True
    # What this machine has (guardian.system.facts finds out).
    tools: frozenset[str] = field(default_factory=frozenset)  # gsettings, certutil, systemctl
    nssdb: bool = False  # ~/.pki/nssdb exists (Chrome, Chromium and some Firefox builds use it)
    network_service: str = "Wi-Fi"  # macOS: the network service the PC uses
    admin: bool = True  # Windows: without administrator rights, trust the certificate for this user only
    desktop_locked: bool = False  # `guardian install` set GNOME's proxy for every account, locked


def _linux(paths: Paths, a: Answers) -> list[Step]:
    steps = []
    proxy = f"http://{a.proxy_host}:{a.proxy_port}"
    if a.trust_ca:
        steps.append(
            Step(
                "ca",
                N_("Trust Guardian's certificate on this computer"),
                N_("so websites opened through Guardian are not shown as unsafe"),
                True,
                (
                    Run(undo=("update-ca-certificates", "--fresh")),  # runs last on undo, after the file is gone
                    Write(paths.system("/usr/local/share/ca-certificates/guardian.crt"), source=paths.ca),
                    Run(("update-ca-certificates",)),
                ),
            )
        )
        if "certutil" in a.tools:
            folder = paths.home / ".pki" / "nssdb"
            db = f"sql:{folder}"
            # Chrome makes the list the first time it runs; made here first, Chrome uses it as it finds it.
            make = (
                ()
                if a.nssdb
                else (Run(("mkdir", "-p", str(folder))), Run(("certutil", "-d", db, "-N", "--empty-password")))
            )
            steps.append(
                Step(
                    "ca-browsers",
                    N_("Trust Guardian's certificate in Chrome and Chromium"),
                    N_("these browsers keep their own list of trusted certificates"),
                    False,
                    (
                        *make,
                        Run(
                            ("certutil", "-d", db, "-A", "-t", "C,,", "-n", "Guardian", "-i", str(paths.ca)),
                            ("certutil", "-d", db, "-D", "-n", "Guardian"),
                        ),
                    ),
                )
            )
    if a.set_proxy:
        if "gsettings" in a.tools and not a.desktop_locked:
            schema = "org.gnome.system.proxy"
            actions = [_gsetting(schema, "mode", "'manual'")]
            for kind in ("http", "https"):
                actions.append(_gsetting(f"{schema}.{kind}", "host", f"'{a.proxy_host}'"))
                actions.append(_gsetting(f"{schema}.{kind}", "port", str(a.proxy_port)))
            steps.append(
                Step(
                    "proxy-desktop",
                    N_("Send this user's web traffic through Guardian (%(proxy)s)"),
                    N_("the desktop's proxy setting, which browsers follow"),
                    False,
                    tuple(actions),
                    values=(("proxy", f"{a.proxy_host}:{a.proxy_port}"),),
                )
            )
        steps.append(
            Step(
                "proxy-system",
                N_("Send programs started from now on through Guardian (/etc/environment)"),
                N_("programs that do not read the desktop's setting read these lines"),
                True,
                (
                    Append(
                        paths.system("/etc/environment"),
                        (
                            f"http_proxy={proxy}",
                            f"https_proxy={proxy}",
                            f"HTTP_PROXY={proxy}",
                            f"HTTPS_PROXY={proxy}",
                            "no_proxy=localhost,127.0.0.1,::1",
                            "NO_PROXY=localhost,127.0.0.1,::1",
                        ),
                    ),
                ),
            )
        )
    return steps


def _gsetting(schema: str, key: str, value: str) -> Run:
    return Run(
        ("gsettings", "set", schema, key, value),
        ("gsettings", "set", schema, key, "{previous}"),
        ("gsettings", "get", schema, key),
    )


def _windows(paths: Paths, a: Answers) -> list[Step]:
    steps = []
    if a.trust_ca and a.admin:
        steps.append(
            Step(
                "ca",
                N_("Trust Guardian's certificate on this computer (Windows certificate store)"),
                N_("so websites opened through Guardian are not shown as unsafe (Edge and Chrome use this store)"),
                True,
                (
                    Run(
                        ("certutil", "-addstore", "-f", "Root", str(paths.ca)),
                        ("certutil", "-delstore", "Root", CA_NAME),
                    ),
                ),
            )
        )
    elif a.trust_ca:
        # A child's standard account: the user's own store needs no administrator (Windows asks to confirm).
        steps.append(
            Step(
                "ca",
                N_("Trust Guardian's certificate for this user (Windows asks you to confirm)"),
                N_("so websites opened through Guardian are not shown as unsafe (Edge and Chrome use this store)"),
                False,
                (
                    Run(
                        ("certutil", "-user", "-addstore", "-f", "Root", str(paths.ca)),
                        ("certutil", "-user", "-delstore", "Root", CA_NAME),
                    ),
                ),
            )
        )
    if a.set_proxy:
        key = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings"
        server = f"{a.proxy_host}:{a.proxy_port}"
        steps.append(
            Step(
                "proxy",
                N_("Send this user's web traffic through Guardian (%(proxy)s)"),
                N_("the Windows proxy setting, which Edge, Chrome and most apps follow"),
                False,
                (
                    Run(
                        ("reg", "add", key, "/v", "ProxyServer", "/t", "REG_SZ", "/d", server, "/f"),
                        ("reg", "delete", key, "/v", "ProxyServer", "/f"),
                    ),
                    Run(
                        ("reg", "add", key, "/v", "ProxyOverride", "/t", "REG_SZ", "/d", "<local>", "/f"),
                        ("reg", "delete", key, "/v", "ProxyOverride", "/f"),
                    ),
                    Run(
                        ("reg", "add", key, "/v", "ProxyEnable", "/t", "REG_DWORD", "/d", "1", "/f"),
                        ("reg", "add", key, "/v", "ProxyEnable", "/t", "REG_DWORD", "/d", "0", "/f"),
                    ),
                ),
                values=(("proxy", server),),
            )
        )
        steps.append(
            Step(
                "proxy-system",
                N_("Send Windows services through Guardian too (WinHTTP)"),
                N_("some programs and updaters use the system-wide setting"),
                True,
                (Run(("netsh", "winhttp", "set", "proxy", server, "<local>"), ("netsh", "winhttp", "reset", "proxy")),),
            )
        )
    return steps


def _macos(paths: Paths, a: Answers) -> list[Step]:
    steps = []
    if a.trust_ca:
        keychain = "/Library/Keychains/System.keychain"
        steps.append(
            Step(
                "ca",
                N_("Trust Guardian's certificate on this Mac (System keychain)"),
                N_("so websites opened through Guardian are not shown as unsafe (Safari and Chrome use it)"),
                True,
                (
                    Run(undo=("security", "delete-certificate", "-c", CA_NAME, keychain)),
                    Run(
                        ("security", "add-trusted-cert", "-d", "-r", "trustRoot", "-k", keychain, str(paths.ca)),
                        ("security", "remove-trusted-cert", "-d", str(paths.ca)),
                    ),
                ),
            )
        )
    if a.set_proxy:
        svc, host, port = a.network_service, a.proxy_host, str(a.proxy_port)
        steps.append(
            Step(
                "proxy",
                N_("Send %(service)s web traffic through Guardian (%(proxy)s)"),
                N_("the Mac's proxy setting, which Safari, Chrome and most apps follow"),
                True,
                (
                    Run(
                        ("networksetup", "-setwebproxy", svc, host, port),
                        ("networksetup", "-setwebproxystate", svc, "off"),
                    ),
                    Run(
                        ("networksetup", "-setsecurewebproxy", svc, host, port),
                        ("networksetup", "-setsecurewebproxystate", svc, "off"),
                    ),
                ),
                values=(("service", svc), ("proxy", f"{host}:{port}")),
            )
        )
    return steps


def describe(step: Step, _: Words = ENGLISH) -> list[str]:
    """Each change of a step in plain words, for the parent to read before saying yes."""
    lines = []
    for a in step.actions:
        if isinstance(a, Write):
            extra = [_("a copy of %(path)s", path=a.source)] if a.source else []
            extra += [_("owned by %(account)s", account=a.owner)] if a.owner else []
            extra += [_("mode %(mode)s", mode=format(a.mode, "04o"))] if a.mode is not None else []
            what = _("write %(path)s", path=a.path)
            lines.append(what + (f" ({', '.join(extra)})" if extra else ""))
        elif isinstance(a, Append):
            lines.append(
                _.ngettext("add %(num)d line to %(path)s", "add %(num)d lines to %(path)s", len(a.lines), path=a.path)
            )
        elif a.argv:
            lines.append(_("run %(command)s", command=" ".join(a.argv)))
    return lines


def notes(platform: str, paths: Paths, a: Answers) -> list[str]:
    """What the plan leaves undone on this computer and the parent should know (messages of the catalog)."""
    if platform == "linux" and a.trust_ca and "certutil" not in a.tools:
        return [
            N_(
                "If this account uses Chrome or Chromium: they keep their own list of trusted certificates, and "
                "adding Guardian's to it needs the certutil tool, which this computer lacks. An administrator "
                "installs it (Debian and Ubuntu: `sudo apt-get install libnss3-tools`; Fedora: "
                "`sudo dnf install nss-tools`), then run `guardian setup` again. Until then Chrome and Chromium "
                "may call websites opened through Guardian unsafe."
            )
        ]
    return []


def plan(platform: str, paths: Paths, answers: Answers) -> list[Step]:
    """The steps for `platform` ("linux", "windows" or "darwin")."""
    planners = {"linux": _linux, "windows": _windows, "darwin": _macos}
    if platform not in planners:
        raise ValueError(f"guardian setup knows Windows, macOS and Linux, not {platform!r}; see the README")
    return planners[platform](paths, answers)
