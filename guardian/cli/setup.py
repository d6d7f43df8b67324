"""`guardian setup` (the child's PC) and `guardian phone` (phones and tablets over WireGuard)."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import click

from guardian import settings
from guardian.cli.common import config_option, load_settings, words_for
from guardian.household.home import config_path, ensure_config, mitmproxy_dir
from guardian.setup import phones, system, wireguard
from guardian.setup.steps import Answers, Paths, Step, describe, plan
from guardian.store.ledger import Ledger
from guardian.words import Words


def _platform() -> str:
    return {"win32": "windows", "darwin": "darwin"}.get(sys.platform, "linux")


def _guardian_command() -> str:
    beside = Path(sys.executable).parent / ("guardian.exe" if sys.platform == "win32" else "guardian")
    return str(beside) if beside.exists() else (shutil.which("guardian") or "guardian")


def _ask(yes: bool, _: Words):
    def ask(step: Step, i: int, n: int) -> bool:
        click.echo("\n" + _("Step %(i)s of %(n)s: %(what)s", i=i, n=n, what=step.what))
        click.echo(_("  Why: %(why)s.", why=step.why))
        if step.admin:
            click.echo(_("  This step needs administrator rights."))
        for line in describe(step):
            click.echo(f"    {line}")
        return yes or click.confirm(_("  Do it now?"), default=True)

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
    _ = words_for()
    try:
        if undo_:
            count = system.undo(state, say=click.echo)
            if count:
                click.echo(_.ngettext("Undone: %(num)d change.", "Undone: %(num)d changes.", count))
            else:
                click.echo(_("There was nothing to undo."))
            return
        wrote = ensure_config(path)
        s = load_settings(path)
        _ = words_for(s)
        if wrote:
            click.echo(_("Wrote a default config to %(path)s.", path=path))
        ca = mitmproxy_dir(path) / ("mitmproxy-ca-cert.cer" if _platform() == "windows" else "mitmproxy-ca-cert.pem")
        if not ca.exists():
            raise click.ClickException(
                _(
                    "Guardian's certificate is not made yet (%(ca)s). Start Guardian once with `guardian run`, "
                    "stop it, then run `guardian setup` again.",
                    ca=ca,
                )
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
                admin = " " + _("(needs administrator rights)") if step.admin else ""
                click.echo(_("Step %(i)s: %(what)s", i=i, what=step.what) + admin)
                for line in describe(step):
                    click.echo(f"    {line}")
            return
        click.echo(
            _.ngettext(
                "Guardian will make %(num)d change to this computer. It can be undone with `guardian setup --undo`.",
                "Guardian will make %(num)d changes to this computer. Each can be undone with `guardian setup --undo`.",
                len(steps),
            )
        )
        admin = system.is_admin()
        ask = _ask(yes, _)
        done = system.apply(steps, state, ask=ask, say=click.echo, admin=admin, sudo=system.sudo_available())
    except system.SetupError as e:
        raise click.ClickException(str(e)) from None
    done_line = _("%(done)s of %(total)s steps done.", done=len(done), total=len(steps))
    phones = _("Phones and tablets: open the dashboard's Devices page.")
    click.echo(f"\n{done_line} {phones}")


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
    try:
        tunnel = phones.add(path, child, name, s.catalog.apps)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    _journal(s, "added", child, name)
    _show(tunnel, words_for(s))


@phone.command("show")
@config_option
@click.argument("name")
def phone_show(config: Path | None, name: str) -> None:
    """Print device NAME's QR code and WireGuard configuration again."""
    try:
        tunnel = wireguard.read(wireguard.folder(config_path(config)) / f"{wireguard.check_name(name)}.conf")
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    _show(tunnel, words_for())


@phone.command("remove")
@config_option
@click.argument("name")
def phone_remove(config: Path | None, name: str) -> None:
    """Revoke device NAME's tunnel: its keys are deleted and the proxy stops listening for it."""
    path = config_path(config)
    s = load_settings(path)
    try:
        child, revoked = phones.remove(path, name, s.catalog.apps)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    if child is not None or revoked:
        _journal(s, "removed", child, name)
    _ = words_for(s)
    if child is not None or revoked:
        click.echo(_("Removed %(name)s.", name=name))
    else:
        click.echo(_("There was no device called %(name)s.", name=name))


def _journal(s: settings.Settings, action: str, child: str | None, name: str) -> None:
    ledger = Ledger(s.config.storage)
    try:
        phones.record(ledger.conn, action, child, name, int(time.time() * 1000))
    finally:
        ledger.close()


def _show(tunnel: wireguard.Tunnel, _: Words) -> None:
    text = tunnel.client_config(wireguard.lan_address())
    wireguard.qr(text).terminal(compact=True)
    click.echo(text)
    click.echo(
        _(
            "Scan this with the WireGuard app (Add tunnel > Create from QR code), switch the tunnel on,\n"
            "then open http://mitm.it on the phone to install Guardian's certificate."
        )
    )
