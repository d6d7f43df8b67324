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

from guardian.cli.common import config_option, load_settings, root_option
from guardian.cli.setup import ask_each, platform_name
from guardian.household import configfile
from guardian.household.home import config_path, default_config_text, mitmproxy_dir
from guardian.setup import ca, install, system
from guardian.setup.service import FIREFOX_POLICIES, LINUX, Account, Install
from guardian.setup.steps import describe
from guardian.store import outbox
from guardian.store.db import connect

STOPPED = "service-stopped"


def _account(name: str) -> Account:
    import pwd

    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise click.ClickException(f"there is no account called {name!r} on this computer") from None
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
        raise click.ClickException("run `guardian install` from Guardian's downloaded folder (bin/guardian install)")
    return here


def reachable(path: Path) -> bool:
    """Can every account open `path`? (each folder above it searchable by others)"""
    for folder in path.resolve().parents:
        if not folder.stat().st_mode & stat.S_IXOTH:
            return False
    return True


def _python(strict: bool) -> str:
    python = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    if not reachable(python):
        if not strict:
            click.echo(f"Note: Guardian's account could not run Python at {python}; install would stop here.")
            return str(python)
        raise click.ClickException(
            f"Guardian's account could not run Python at {python} (a folder above it is private). "
            "Install Python 3.12 for every account (e.g. in /usr/local) and run `guardian install` with it."
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
        raise click.ClickException(f"{source}: storage.path must be a file name beside the config, like guardian.db")
    return text


def _facts(
    children: tuple[str, ...], desktop_user: str | None, source: Path | None, root: Path, strict: bool
) -> Install:
    kids = tuple(_account(c) for c in children)
    for kid in kids:
        if kid.uid == 0 or kid.name == desktop_user:
            raise click.ClickException(f"{kid.name!r} is an administrator's or the parent's account, not a child's")
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
    if status_:
        lines, ok = status(root)
        for line in lines:
            click.echo(line)
        sys.exit(0 if ok else 1)
    state = install.state_path(root)
    if not dry_run and not system.is_admin():
        raise click.ClickException(
            "installing or removing Guardian's service needs an administrator: `sudo guardian install`"
        )
    try:
        if undo_:
            count = 0
            for record in sorted(
                install.admin_dir(root).glob("setup-*.json"), reverse=True
            ):  # children's set-ups first
                count += system.undo(record, say=click.echo)
            count += system.undo(state, say=click.echo)
            click.echo(f"Uninstalled: {count} change(s) reverted." if count else "Guardian's service is not installed.")
            click.echo(f"Guardian's records stay in {LINUX.data}; delete the folder yourself to remove them.")
            return
        facts = _facts(children, desktop_user, source, root, strict=not dry_run)
        platform = platform_name()
        steps = install.plan(platform, facts)
        if dry_run or platform != "linux":
            for i, step in enumerate(steps, 1):
                click.echo(f"Step {i}: {step.what}")
                for line in describe(step):
                    click.echo(f"    {line}")
            if platform != "linux" and not dry_run:
                click.echo(
                    "This computer's plan is listed above; applying it is done by hand for now (see the README)."
                )
            return
        install.admin_dir(root).mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(install.admin_dir(root), 0o700)
        click.echo(f"Guardian's service: {len(steps)} step(s). `guardian install --undo` reverts them.")
        system.apply(steps, state, ask=ask_each(yes), say=click.echo, again="guardian install --undo")
    except system.SetupError as e:
        raise click.ClickException(str(e)) from None
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"\nGuardian runs as a service. Certificate fingerprint (SHA-256): {facts.ca.fingerprint()}")
    click.echo("Open the dashboard at http://127.0.0.1:8765 and choose the parent password.")


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def status(root: Path) -> tuple[list[str], bool]:
    """What is installed and running, one line each, and whether all is well (read-only, for any account)."""
    unit = root / "etc/systemd/system/guardian.service"
    public = root / LINUX.public.lstrip("/") / "guardian-ca.pem"
    installed = unit.is_file()
    lines = [f"Service: {'installed' if installed else 'not installed'} ({unit})"]
    ok = installed
    if installed and shutil.which("systemctl"):
        state = system.run_command(["systemctl", "is-active", "guardian.service"]).stdout.strip() or "unknown"
        lines.append(f"Running: {state}")
        ok = ok and state == "active"
    for name, port in (("Proxy", 8080), ("Dashboard", 8765)):
        up = _listening(port)
        lines.append(f"{name}: {'answering' if up else 'not answering'} on 127.0.0.1:{port}")
        ok = ok and up
    lines.append(f"Certificate: {'published at ' + str(public) if public.is_file() else 'not published'}")
    rules = root / "etc/guardian/firewall.nft"
    children = sorted(p.stem for p in (root / "etc/guardian/children.d").glob("*.nft"))
    kept = "children kept to Guardian: " + (", ".join(children) or "none yet")
    lines.append(f"Firewall: {kept if rules.is_file() else 'none'}")
    return lines, ok


@click.command("stopped", hidden=True)
@config_option
def stopped(config: Path | None) -> None:
    """Run by the service manager after Guardian stops: record it, and tell the parent unless it was asked to stop."""
    result = os.environ.get("SERVICE_RESULT", "")
    why = f"{result or 'stopped'} ({os.environ.get('EXIT_CODE', '')} {os.environ.get('EXIT_STATUS', '')})".strip()
    click.echo(f"Guardian stopped: {why}")
    if result == "success":  # an administrator's `systemctl stop`, or the computer shutting down
        return
    s = load_settings(config_path(config))
    conn = connect(s.config.storage)
    try:
        outbox.post(
            conn,
            STOPPED,
            None,
            "Guardian 已停止 / Guardian stopped",
            f"保护已中断，正在重新启动 / Protection stopped and is restarting: {why[:200]}",
            int(time.time() * 1000),
            link="/notifications",
        )
    finally:
        conn.close()
