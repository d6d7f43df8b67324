"""`guardian setup` (the child's PC) and `guardian phone` (phones and tablets over WireGuard)."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import click

from guardian import settings
from guardian.cli.authority import parent_only
from guardian.cli.common import config_option, load_settings
from guardian.household.home import config_path, ensure_config, mitmproxy_dir
from guardian.setup import phones, system, wireguard
from guardian.setup.steps import Answers, Paths, Step, describe, plan
from guardian.store.ledger import Ledger


def _platform() -> str:
    return {"win32": "windows", "darwin": "darwin"}.get(sys.platform, "linux")


def _guardian_command() -> str:
    beside = Path(sys.executable).parent / ("guardian.exe" if sys.platform == "win32" else "guardian")
    return str(beside) if beside.exists() else (shutil.which("guardian") or "guardian")


def _ask(yes: bool):
    def ask(step: Step, i: int, n: int) -> bool:
        click.echo(f"\nStep {i} of {n}: {step.what}")
        click.echo(f"  Why: {step.why}.")
        if step.admin:
            click.echo("  This step needs administrator rights.")
        for line in describe(step):
            click.echo(f"    {line}")
        return yes or click.confirm("  Do it now?", default=True)

    return ask


@click.command()
@config_option
@click.option("--yes", is_flag=True, help="Accept every step without asking.")
@click.option("--undo", "undo_", is_flag=True, help="Revert every change an earlier `guardian setup` made.")
@click.option("--no-proxy", is_flag=True, help="Leave the system's proxy settings alone.")
@click.option("--no-autostart", is_flag=True, help="Do not start Guardian at login.")
@click.option(
    "--network-service", default="Wi-Fi", show_default=True, help="macOS: the network service to set the proxy on."
)
@click.option("--dry-run", is_flag=True, help="List every change without making any.")
def setup(
    config: Path | None, yes: bool, undo_: bool, no_proxy: bool, no_autostart: bool, network_service: str, dry_run: bool
) -> None:
    """Put this computer under Guardian: trust its certificate, use it as the proxy, start it at login."""
    path = config_path(config)
    state = system.state_path(path)
    try:
        if undo_:
            count = system.undo(state, say=click.echo)
            click.echo(f"Undone: {count} change(s)." if count else "There was nothing to undo.")
            return
        if ensure_config(path):
            click.echo(f"Wrote a default config to {path}.")
        s = load_settings(path)
        ca = mitmproxy_dir(path) / ("mitmproxy-ca-cert.cer" if _platform() == "windows" else "mitmproxy-ca-cert.pem")
        if not ca.exists():
            raise click.ClickException(
                f"Guardian's certificate is not made yet ({ca}). Start Guardian once with `guardian run`, stop it, "
                "then run `guardian setup` again."
            )
        listen = s.config.proxy
        host = "127.0.0.1" if listen.host in ("0.0.0.0", "::") else listen.host
        paths = Paths(config=path, ca=ca, guardian=_guardian_command(), home=Path.home())
        answers = Answers(
            proxy_host=host,
            proxy_port=listen.port,
            set_proxy=not no_proxy,
            autostart=not no_autostart,
            tools=system.tools(),
            nssdb=(Path.home() / ".pki" / "nssdb").is_dir(),
            network_service=network_service,
            admin=system.is_admin(),
        )
        steps = plan(_platform(), paths, answers)
        if dry_run:
            for i, step in enumerate(steps, 1):
                click.echo(f"Step {i}: {step.what}{' (needs administrator rights)' if step.admin else ''}")
                for line in describe(step):
                    click.echo(f"    {line}")
            return
        click.echo(
            f"Guardian will make {len(steps)} change(s) to this computer. "
            "Each can be undone with `guardian setup --undo`."
        )
        admin = system.is_admin()
        done = system.apply(steps, state, ask=_ask(yes), say=click.echo, admin=admin, sudo=system.sudo_available())
    except system.SetupError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"\n{len(done)} of {len(steps)} step(s) done. Phones and tablets: open the dashboard's Devices page.")


@click.group()
def phone() -> None:
    """Phones and tablets: one WireGuard tunnel per device, shown as a QR code."""


@phone.command("add")
@config_option
@click.argument("child")
@click.argument("name")
def phone_add(config: Path | None, child: str, name: str) -> None:
    """Give CHILD's device NAME (e.g. mia-phone) a tunnel and print its QR code."""
    path = config_path(config)
    ensure_config(path)
    s: settings.Settings = load_settings(path)
    parent_only(s.config.storage, "add a phone")
    try:
        tunnel = phones.add(path, child, name, s.catalog.apps)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    _journal(s, "added", child, name)
    _show(tunnel)


@phone.command("show")
@config_option
@click.argument("name")
def phone_show(config: Path | None, name: str) -> None:
    """Print device NAME's QR code and WireGuard configuration again (it holds the tunnel's key)."""
    path = config_path(config)
    parent_only(load_settings(path).config.storage, "see a phone's key")
    try:
        tunnel = wireguard.read(wireguard.folder(path) / f"{wireguard.check_name(name)}.conf")
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    _show(tunnel)


@phone.command("remove")
@config_option
@click.argument("name")
def phone_remove(config: Path | None, name: str) -> None:
    """Revoke device NAME's tunnel: its keys are deleted and the proxy stops listening for it."""
    path = config_path(config)
    s = load_settings(path)
    parent_only(s.config.storage, "remove a phone")
    try:
        child, revoked = phones.remove(path, name, s.catalog.apps)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    if child is not None or revoked:
        _journal(s, "removed", child, name)
    click.echo(f"Removed {name}." if child is not None or revoked else f"There is no device called {name}.")


def _journal(s: settings.Settings, action: str, child: str | None, name: str) -> None:
    ledger = Ledger(s.config.storage)
    try:
        phones.record(ledger.conn, action, child, name, int(time.time() * 1000))
    finally:
        ledger.close()


def _show(tunnel: wireguard.Tunnel) -> None:
    text = tunnel.client_config(wireguard.lan_address())
    wireguard.qr(text).terminal(compact=True)
    click.echo(text)
    click.echo(
        "Scan this with the WireGuard app (Add tunnel > Create from QR code), switch the tunnel on,\n"
        "then open http://mitm.it on the phone to install Guardian's certificate."
    )
