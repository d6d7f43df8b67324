"""`guardian setup` (a child's account, pointed at the service) and `guardian phone` (phones over WireGuard)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from guardian import settings
from guardian.cli.authority import parent_only
from guardian.cli.common import config_option, load_settings, root_option, words_for
from guardian.household.home import config_path, ensure_config
from guardian.setup import firewall, install, phones, system, wireguard
from guardian.setup.service import CA_FILE, LINUX
from guardian.setup.service_macos import MACOS
from guardian.setup.service_windows import WINDOWS
from guardian.setup.steps import Answers, Paths, Step, describe, notes, plan
from guardian.store.ledger import Ledger
from guardian.words import N_, Words


def platform_name() -> str:
    return {"win32": "windows", "darwin": "darwin"}.get(sys.platform, "linux")


LAYOUTS = {"linux": LINUX, "windows": WINDOWS, "darwin": MACOS}


def published_ca(root: Path, platform: str) -> Path:
    """Where `guardian install` published the service's certificate on this platform."""
    public = LAYOUTS[platform].public
    return Path(public) / CA_FILE if platform == "windows" else root / public.lstrip("/") / CA_FILE


def ask_each(yes: bool):
    _ = words_for()

    def ask(step: Step, i: int, n: int) -> bool:
        what, why = step.said(_)
        click.echo("\n" + _("Step %(i)s of %(n)s: %(what)s", i=i, n=n, what=what))
        click.echo(_("  Why: %(why)s.", why=why))
        if step.admin:
            click.echo(_("  This step needs administrator rights."))
        for line in describe(step, _):
            click.echo(f"    {line}")
        return yes or click.confirm(_("  Do it now?"), default=True)

    return ask


def list_steps(steps: list[Step]) -> None:
    """Each step and its changes, numbered, in the command's language (--dry-run)."""
    _ = words_for()
    for i, step in enumerate(steps, 1):
        admin = " " + _("(needs administrator rights)") if step.admin else ""
        click.echo(_("Step %(i)s: %(what)s", i=i, what=step.said(_)[0]) + admin)
        for line in describe(step, _):
            click.echo(f"    {line}")


def _undone(count: int) -> None:
    _ = words_for()
    if count:
        click.echo(_.ngettext("Undone: %(num)d change.", "Undone: %(num)d changes.", count))
    else:
        click.echo(_("There was nothing to undo."))


def _child_account(account: str, root: Path, dry_run: bool, undo_: bool, yes: bool) -> None:
    """As an administrator: keep one child's account to Guardian (the firewall), or stop doing so."""
    _ = words_for()
    state = install.admin_dir(root) / f"setup-{account}.json"
    if not dry_run and not system.is_admin():
        raise click.ClickException(
            _(
                "keeping %(account)s's account to Guardian needs an administrator: "
                "`sudo guardian setup --account %(account)s`",
                account=account,
            )
        )
    if undo_:
        _undone(system.undo(state, say=click.echo, _=_))
        return
    import pwd

    try:
        uid = pwd.getpwnam(account).pw_uid
    except KeyError:
        raise click.ClickException(
            _("there is no account called %(account)s on this computer", account=repr(account))
        ) from None
    if uid == 0:
        raise click.ClickException(_("that is an administrator's account, not a child's"))
    now, later = firewall.reload(root)
    steps = [
        Step(
            f"firewall-{account}",
            N_("Let %(account)s's account reach websites only through Guardian"),
            N_("a browser started without the proxy, or a program that ignores it, gets nowhere"),
            True,
            (later, *firewall.child_actions(root, account, uid), now),
            values=(("account", account),),
        )
    ]
    if dry_run:
        list_steps(steps)
        return
    again = f"guardian setup --account {account} --undo"
    system.apply(steps, state, ask=ask_each(yes), say=click.echo, again=again, _=_)


@click.command(short_help="Point this account at Guardian's certificate and proxy.")
@config_option
@click.option("--account", metavar="ACCOUNT", help="As an administrator: keep this child's account to Guardian.")
@click.option("--yes", is_flag=True, help="Accept every step without asking.")
@click.option("--undo", "undo_", is_flag=True, help="Revert every change an earlier `guardian setup` made.")
@click.option("--no-proxy", is_flag=True, help="Leave the system's proxy settings alone.")
@click.option(
    "--network-service", default="Wi-Fi", show_default=True, help="macOS: the network service to set the proxy on."
)
@click.option("--dry-run", is_flag=True, help="List every change without making any.")
@root_option
def setup(
    config: Path | None,
    account: str | None,
    yes: bool,
    undo_: bool,
    no_proxy: bool,
    network_service: str,
    dry_run: bool,
    root: Path,
) -> None:
    """Point this account at Guardian's service: trust its certificate and use its proxy."""
    platform = platform_name()
    _ = words_for()
    try:
        ca = published_ca(root, platform)
        if not undo_ and not ca.is_file():
            raise click.ClickException(
                _(
                    "No Guardian service is installed on this computer. An administrator installs it first with "
                    '`sudo guardian install` (README, "Set up your family"); '
                    "then run `guardian setup` in each child's account."
                )
            )
        if account:
            _child_account(account, root, dry_run, undo_, yes)
            return
        state = system.state_path(config_path(config))
        if undo_:
            _undone(system.undo(state, say=click.echo, _=_))
            return
        answers = Answers(
            proxy_host="127.0.0.1",
            proxy_port=8080,
            set_proxy=not no_proxy,
            tools=system.tools(),
            nssdb=(Path.home() / ".pki" / "nssdb").is_dir(),
            network_service=network_service,
            admin=system.is_admin(),
            desktop_locked=(root / "etc/dconf/db/local.d/locks/guardian").is_file(),
        )
        # The machine-wide steps are `guardian install`'s; this account's own are left.
        paths = Paths(ca=ca, home=Path.home(), root=root)
        steps = [s for s in plan(platform, paths, answers) if not s.admin]
        for note in notes(platform, paths, answers):  # said first: the parent may fix it before going on
            click.echo(_("Note: %(note)s", note=_(note)))
        if dry_run:
            list_steps(steps)
            return
        if not steps:
            click.echo(_("Nothing to change in this account: `guardian install` set up every account already."))
            return
        click.echo(
            _.ngettext(
                "%(num)d change to this account. `guardian setup --undo` reverts it.",
                "%(num)d changes to this account. `guardian setup --undo` reverts them.",
                len(steps),
            )
        )
        done = system.apply(steps, state, ask=ask_each(yes), say=click.echo, _=_)
    except system.SetupError as e:
        raise click.ClickException(str(e)) from None
    done_line = _("%(done)s of %(total)s steps done.", done=len(done), total=len(steps))
    phones = _("Phones and tablets: open the dashboard's Devices page.")
    click.echo(f"\n{done_line} {phones}")


@click.group(short_help="Phones and tablets: one WireGuard tunnel each (QR code).")
def phone() -> None:
    """Phones and tablets: one WireGuard tunnel per device, shown as a QR code."""


host_option = click.option(
    "--host",
    metavar="ADDRESS",
    help="This PC's address as the phone reaches it (default: its address on the home network).",
)
file_option = click.option(
    "--file",
    "file_",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the phone's WireGuard file here (it holds the phone's key: owner-only, never printed).",
)


@phone.command("add", short_help="Give CHILD's device NAME a tunnel; print its QR code.")
@config_option
@host_option
@file_option
@click.argument("child")
@click.argument("name")
def phone_add(config: Path | None, host: str | None, file_: Path | None, child: str, name: str) -> None:
    """Give CHILD's device NAME (e.g. mia-phone) a tunnel and print its QR code; CHILD is a name as on the
    dashboard."""
    path = config_path(config)
    ensure_config(path)
    s: settings.Settings = load_settings(path)
    parent_only(s.config.storage, N_("add a phone"), words_for(s))
    try:
        tunnel = phones.add(path, child, name, s.catalog.apps)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    _journal(s, "added", phones.which_child(s.config, child).id, name)
    _show(tunnel, host, file_, words_for(s))


@phone.command("show", short_help="Print device NAME's QR code again.")
@config_option
@host_option
@file_option
@click.argument("name")
def phone_show(config: Path | None, host: str | None, file_: Path | None, name: str) -> None:
    """Print device NAME's QR code again (it holds the tunnel's key; the key itself is never printed)."""
    path = config_path(config)
    loaded = load_settings(path)
    parent_only(loaded.config.storage, N_("see a phone's key"), words_for(loaded))
    try:
        tunnel = wireguard.read(wireguard.folder(path) / f"{wireguard.check_name(name)}.conf")
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    _show(tunnel, host, file_, words_for(loaded))


@phone.command("remove", short_help="Revoke device NAME's tunnel: its keys are deleted.")
@config_option
@click.argument("name")
def phone_remove(config: Path | None, name: str) -> None:
    """Revoke device NAME's tunnel: its keys are deleted and the proxy stops listening for it."""
    path = config_path(config)
    s = load_settings(path)
    parent_only(s.config.storage, N_("remove a phone"), words_for(s))
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


def _show(tunnel: wireguard.Tunnel, host: str | None, file_: Path | None, _: Words) -> None:
    """The phone's settings as a QR code, and as text with its private key left out (a terminal's scrollback,
    a screen share or a log must never hold it); `file_` gets the whole file, owner-only."""
    if host is not None and not wireguard.HOST.match(host):
        raise click.ClickException(_("%(host)s is not a computer address.", host=host))
    endpoint = (host or wireguard.lan_address()).strip("[]")
    text = tunnel.client_config(endpoint)
    wireguard.qr(text).terminal(compact=True)
    click.echo(text.replace(tunnel.client_key, _("(in the QR code, not shown)")))
    if file_ is not None:
        wireguard.write_private(file_, text)
        click.echo(_("The phone's WireGuard file (with its key, readable by you alone): %(path)s", path=file_))
    if not wireguard.on_the_network(endpoint):
        click.echo(
            _(
                "This PC's address on the home network was not found, so the code points at %(host)s, "
                "which a phone cannot reach: add --host with the PC's address (its Wi-Fi settings show it).",
                host=endpoint,
            )
        )
    click.echo(
        _(
            "Scan this with the WireGuard app (Add tunnel > Create from QR code), switch the tunnel on,\n"
            "then open http://mitm.it on the phone to install Guardian's certificate."
        )
    )
