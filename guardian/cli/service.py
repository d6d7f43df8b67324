"""`guardian install` (Guardian as a system service: install, --undo, --status) and `guardian stopped`.

The command line finds out the facts (accounts, tools, files already there),
makes the CA, and hands an `Install` value to the pure plan
(guardian.setup.install); guardian.setup.system applies it and keeps the record
that `--undo` reverts, in a folder only administrators can write.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import stat
import sys
import time
from pathlib import Path

import click
import tomlkit

from guardian import words
from guardian.cli.common import config_option, load_settings, root_option, words_for
from guardian.cli.setup import ask_each, list_steps, platform_name
from guardian.household import configfile
from guardian.household.home import config_path, default_config_text, mitmproxy_dir
from guardian.setup import ca, install, system
from guardian.setup.service import FIREFOX_POLICIES, LINUX, Account, Install
from guardian.setup.steps import ENGLISH
from guardian.store import outbox
from guardian.store.db import connect
from guardian.words import N_, Words

STOPPED = "service-stopped"


def _account(name: str) -> Account:
    import pwd

    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        _ = words_for()
        raise click.ClickException(
            _("there is no account called %(account)s on this computer", account=repr(name))
        ) from None
    return Account(name, entry.pw_uid, Path(entry.pw_dir))


def _exists(name: str) -> bool:
    try:
        _account(name)
    except click.ClickException:
        return False
    return True


def _source() -> Path:
    here = Path(__file__).resolve().parents[2]
    if not (here / "pyproject.toml").is_file():
        _ = words_for()
        raise click.ClickException(_("run `guardian install` from Guardian's downloaded folder (bin/guardian install)"))
    return here


def reachable(path: Path) -> bool:
    """Can every account open `path`? (each folder above it searchable by others)"""
    for folder in path.resolve().parents:
        if not folder.stat().st_mode & stat.S_IXOTH:
            return False
    return True


def _python(strict: bool) -> str:
    _ = words_for()
    python = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    if not reachable(python):
        if not strict:
            click.echo(
                _(
                    "Note: Guardian's account could not run Python at %(python)s; install would stop here.",
                    python=python,
                )
            )
            return str(python)
        raise click.ClickException(
            _(
                "Guardian's account could not run Python at %(python)s (a folder above it is private). "
                "Install Python 3.12 for every account (e.g. in /usr/local) and run `guardian install` with it.",
                python=python,
            )
        )
    return str(python)


def _config_text(source: Path | None, desktop_user: str | None) -> str:
    text = source.read_text(encoding="utf-8") if source else default_config_text()
    doc = tomlkit.parse(text)
    if desktop_user:
        doc.setdefault("notifications", tomlkit.table())["desktop_user"] = desktop_user
    text = tomlkit.dumps(doc)
    parsed = configfile.parse(text, Path(LINUX.data) / "guardian.toml")
    if parsed.storage.parent != Path(LINUX.data):
        _ = words_for()
        raise click.ClickException(
            _("%(path)s: storage.path must be a file name beside the config, like guardian.db", path=source)
        )
    return text


def _facts(
    children: tuple[str, ...], desktop_user: str | None, source: Path | None, root: Path, strict: bool
) -> Install:
    kids = tuple(_account(c) for c in children)
    for kid in kids:
        if kid.uid == 0 or kid.name == desktop_user:
            _ = words_for()
            raise click.ClickException(
                _("%(account)s is an administrator's or the parent's account, not a child's", account=repr(kid.name))
            )
    parent = _account(desktop_user) if desktop_user else None
    config = _config_text(source, desktop_user)
    listen = configfile.parse(config, Path(LINUX.data) / "guardian.toml")
    existing = root / FIREFOX_POLICIES.lstrip("/")
    return Install(
        source=_source(),
        python=_python(strict),
        config=config,
        ca=(ca.from_confdir(mitmproxy_dir(source)) if source else None) or ca.make(),
        agent_token=secrets.token_urlsafe(32) if parent else "",
        desktop_user=parent,
        children=kids,
        account_exists=_exists("guardian"),
        proxy_port=listen.proxy.port,
        dashboard_port=listen.dashboard.port,
        tools=frozenset(t for t in ("systemctl", "dconf", "update-ca-certificates", "nft") if shutil.which(t)),
        firefox_policies=existing.read_text(encoding="utf-8") if existing.is_file() else None,
        service_password=secrets.token_urlsafe(24),
        root=root,
    )


@click.command("install", short_help="Install (or --undo) Guardian as a system service.")
@click.option("--child", "children", multiple=True, metavar="ACCOUNT", help="A child's account on this computer.")
@click.option("--desktop-user", metavar="ACCOUNT", help="The parent's account whose desktop shows Guardian's alerts.")
@click.option(
    "--from",
    "source",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Start from this config (and the certificate beside it) instead of the default.",
)
@click.option("--yes", is_flag=True, help="Accept every step without asking.")
@click.option("--dry-run", is_flag=True, help="List every change without making any.")
@click.option("--undo", "undo_", is_flag=True, help="Uninstall: revert every change `guardian install` made.")
@click.option("--status", "status_", is_flag=True, help="Say what is installed and running.")
@root_option
def install_command(
    children: tuple[str, ...],
    desktop_user: str | None,
    source: Path | None,
    yes: bool,
    dry_run: bool,
    undo_: bool,
    status_: bool,
    root: Path,
) -> None:
    """Run Guardian as a system service under its own account (as an administrator)."""
    _ = words_for()
    if status_:
        lines, ok = status(root, _)
        for line in lines:
            click.echo(line)
        sys.exit(0 if ok else 1)
    state = install.state_path(root)
    if not dry_run and not system.is_admin():
        raise click.ClickException(
            _("installing or removing Guardian's service needs an administrator: `sudo guardian install`")
        )
    try:
        if undo_:
            count = 0
            for record in sorted(
                install.admin_dir(root).glob("setup-*.json"), reverse=True
            ):  # children's set-ups first
                count += system.undo(record, say=click.echo, _=_)
            count += system.undo(state, say=click.echo, _=_)
            if count:
                click.echo(
                    _.ngettext("Uninstalled: %(num)d change reverted.", "Uninstalled: %(num)d changes reverted.", count)
                )
            else:
                click.echo(_("Guardian's service is not installed."))
            click.echo(
                _(
                    "Guardian's records stay in %(folder)s; delete the folder yourself to remove them.",
                    folder=LINUX.data,
                )
            )
            return
        facts = _facts(children, desktop_user, source, root, strict=not dry_run)
        platform = platform_name()
        steps = install.plan(platform, facts)
        if dry_run or platform != "linux":
            list_steps(steps)
            if platform != "linux" and not dry_run:
                click.echo(
                    _("This computer's plan is listed above; applying it is done by hand for now (see the README).")
                )
            return
        install.admin_dir(root).mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(install.admin_dir(root), 0o700)
        click.echo(
            _.ngettext(
                "Guardian's service: %(num)d step. `guardian install --undo` reverts it.",
                "Guardian's service: %(num)d steps. `guardian install --undo` reverts them.",
                len(steps),
            )
        )
        system.apply(steps, state, ask=ask_each(yes), say=click.echo, again="guardian install --undo", _=_)
    except system.SetupError as e:
        raise click.ClickException(str(e)) from None
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(
        "\n"
        + _(
            "Guardian runs as a service. Certificate fingerprint (SHA-256): %(fingerprint)s",
            fingerprint=facts.ca.fingerprint(),
        )
    )
    board = f"http://127.0.0.1:{facts.dashboard_port}"
    click.echo(_("Open the dashboard at %(url)s and choose the parent password.", url=board))


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def status(root: Path, _: Words = ENGLISH) -> tuple[list[str], bool]:
    """What is installed and running, one line each, and whether all is well (read-only, for any account)."""
    unit = root / "etc/systemd/system/guardian.service"
    public = root / LINUX.public.lstrip("/") / "guardian-ca.pem"
    installed = unit.is_file()
    said = _("installed") if installed else _("not installed")
    lines = [_("Service: %(state)s (%(unit)s)", state=said, unit=unit)]
    ok = installed
    if installed and shutil.which("systemctl"):
        state = system.run_command(["systemctl", "is-active", "guardian.service"]).stdout.strip() or "unknown"
        lines.append(_("Running: %(state)s", state=state))
        ok = ok and state == "active"
    for name, port in ((N_("Proxy"), 8080), (N_("Dashboard"), 8765)):
        up = _listening(port)
        answer = _("answering") if up else _("not answering")
        address = f"127.0.0.1:{port}"
        lines.append(_("%(name)s: %(state)s on %(address)s", name=_(name), state=answer, address=address))
        ok = ok and up
    if public.is_file():
        lines.append(_("Certificate: published at %(path)s", path=public))
    else:
        lines.append(_("Certificate: not published"))
    rules = root / "etc/guardian/firewall.nft"
    children = sorted(p.stem for p in (root / "etc/guardian/children.d").glob("*.nft"))
    if not rules.is_file():
        lines.append(_("Firewall: none"))
    elif children:
        lines.append(_("Firewall: children kept to Guardian: %(children)s", children=", ".join(children)))
    else:
        lines.append(_("Firewall: no child kept to Guardian yet"))
    return lines, ok


@click.command("stopped", hidden=True)
@config_option
def stopped(config: Path | None) -> None:
    """Run by the service manager after Guardian stops: record it, and tell the parent unless it was asked to stop."""
    result = os.environ.get("SERVICE_RESULT", "")
    why = f"{result or 'stopped'} ({os.environ.get('EXIT_CODE', '')} {os.environ.get('EXIT_STATUS', '')})".strip()
    _ = words_for()
    click.echo(_("Guardian stopped: %(why)s", why=why))
    if result == "success":  # an administrator's `systemctl stop`, or the computer shutting down
        return
    s = load_settings(config_path(config))
    conn = connect(s.config.storage)
    try:
        outbox.post(
            conn,
            STOPPED,
            None,
            words.both(N_("Guardian stopped")),
            words.both(N_("Protection stopped and is restarting: %(why)s"), why=why[:200]),
            int(time.time() * 1000),
            link="/notifications",
        )
    finally:
        conn.close()
