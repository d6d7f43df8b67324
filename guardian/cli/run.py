"""`guardian run` (the proxy and the dashboard as child processes), `guardian mitmdump` (the proxy alone)
and `guardian check` (the config and the rules)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from guardian import settings
from guardian.cli.common import config_option, load_settings, rates_warning, words_for
from guardian.household.home import config_path, ensure_config, mitmproxy_dir
from guardian.setup import running, wireguard

ADDON = Path(__file__).resolve().parents[2] / "addons" / "guardian_addon.py"


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else name


@click.command(short_help="Check the config and the app rules; name any mistake.")
@config_option
def check(config: Path | None) -> None:
    """Check the config and the app rules; exit non-zero with the file, key and reason if wrong."""
    path = config_path(config)
    s = load_settings(path)
    _ = words_for(s)
    for code, apps in s.missing_rates().items():
        click.echo(rates_warning(_, path, code, apps), err=True)
    children = _.ngettext("%(num)d child", "%(num)d children", len(s.config.children))
    click.echo(_("%(path)s: OK (%(children)s, %(apps)s apps)", path=path, children=children, apps=len(s.catalog.apps)))


def proxy_command(path: Path, s: settings.Settings, *extra: str) -> list[str]:
    """mitmdump with Guardian's addon, its data directory's certificate and the config's listen address."""
    listen = s.config.proxy
    command = [
        _tool("mitmdump"),
        "--set",
        "flow_detail=0",
        "-s",
        str(ADDON),
        "--set",
        f"guardian_config={path}",
        "--set",
        f"confdir={mitmproxy_dir(path)}",
        "--listen-host",
        listen.host,
        "--listen-port",
        str(listen.port),
    ]
    tunnels = wireguard.modes(path, wireguard.listed(s.config))
    if tunnels:  # with explicit modes the regular proxy must be listed too
        command += ["--mode", "regular", *(arg for mode in tunnels for arg in ("--mode", mode))]
    return command + list(extra)


def refuse_second(s: settings.Settings, with_dashboard: bool) -> None:
    """Stop with one line when another Guardian (or another program) holds the addresses this one needs."""
    config = s.config
    found = running.busy(config.proxy, config.dashboard, with_dashboard)
    if found is None:
        return
    _ = words_for(s)
    proxy = f"{running.reachable_host(config.proxy.host)}:{config.proxy.port}"
    board = f"http://{running.reachable_host(config.dashboard.host)}:{config.dashboard.port}/"
    if found.guardian:
        message = _(
            "Guardian is already running on this computer (proxy %(proxy)s, dashboard %(url)s): "
            "the service, or another `guardian run`. Use that one, or stop it first.",
            proxy=proxy,
            url=board,
        )
    else:
        taken = found.proxy or found.dashboard
        address = f"{running.reachable_host(taken.host)}:{taken.port}"
        message = _(
            "%(address)s is already in use (Guardian's service, another `guardian run`, or another program): "
            "stop it, or choose another address in %(path)s.",
            address=address,
            path=config.path,
        )
    raise click.ClickException(message)


@click.command(short_help="Run the proxy and the dashboard (writes a first config).")
@config_option
@click.option("--proxy-only", is_flag=True, help="Run the proxy without the dashboard.")
def run(config: Path | None, proxy_only: bool) -> None:
    """Run the proxy (and the dashboard) with the config, writing a default one on first run."""
    path = config_path(config)
    wrote = ensure_config(path)
    s = load_settings(path)
    _ = words_for(s)
    refuse_second(s, with_dashboard=not proxy_only)
    if wrote:
        click.echo(
            _("Wrote a default config to %(path)s; name your children and their devices on the dashboard.", path=path)
        )
    listen = s.config.proxy
    children = [subprocess.Popen(proxy_command(path, s))]
    if not proxy_only:
        env = {**os.environ, "GUARDIAN_CONFIG": str(path)}
        children.append(subprocess.Popen([sys.executable, "-m", "dashboard.serve"], env=env))
    host = running.reachable_host(listen.host)
    board = s.config.dashboard
    proxy, url = f"{host}:{listen.port}", f"http://{board.host}:{board.port}/"
    message = _(
        "Guardian is running. Set the child's browser or device to use the HTTP proxy %(proxy)s,\n"
        "then open http://mitm.it through it to install Guardian's certificate. Ledger: %(ledger)s",
        proxy=proxy,
        ledger=s.config.storage,
    )
    if not proxy_only:
        message += "\n" + _("Parents' dashboard: %(url)s", url=url)
    click.echo(message)
    _wait(children)


@click.command(
    "mitmdump",
    context_settings={"ignore_unknown_options": True},
    short_help="Run the proxy alone, with Guardian's certificate and address.",
)
@config_option
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def mitmdump(config: Path | None, args: tuple[str, ...]) -> None:
    """The proxy alone, in this terminal: mitmdump with Guardian's addon, certificate and address.

    ARGS go to mitmdump after Guardian's own (e.g. `--set flow_detail=2` to see each request).
    """
    path = config_path(config)
    ensure_config(path)
    s = load_settings(path)
    refuse_second(s, with_dashboard=False)
    become(proxy_command(path, s, *args))


def become(command: list[str]) -> None:
    """Run `command` in this process's place: signals (a service manager's stop, Ctrl-C) reach it directly."""
    if os.name == "posix":
        os.execv(command[0], command)
    proxy = subprocess.Popen(command)  # Windows has no exec that keeps the console: wait for it
    try:
        sys.exit(proxy.wait())
    except KeyboardInterrupt:  # the console's Ctrl-C reached mitmdump too: let it finish
        sys.exit(proxy.wait(timeout=10))


def _wait(children: list[subprocess.Popen]) -> None:
    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            for child in children:
                try:
                    code = child.wait(timeout=0.5)
                except subprocess.TimeoutExpired:
                    continue
                stop()
                for other in children:
                    other.wait(timeout=10)
                sys.exit(code)
    except KeyboardInterrupt:
        stop()
        for child in children:
            child.wait(timeout=10)
