"""`guardian run` (the proxy and the dashboard as child processes) and `guardian check` (the config and the rules)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from guardian.cli.common import config_option, load_settings, rates_warning, words_for
from guardian.household.home import config_path, ensure_config, mitmproxy_dir
from guardian.setup import wireguard

ADDON = Path(__file__).resolve().parents[2] / "addons" / "guardian_addon.py"


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else name


@click.command()
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


@click.command()
@config_option
@click.option("--proxy-only", is_flag=True, help="Run the proxy without the dashboard.")
def run(config: Path | None, proxy_only: bool) -> None:
    """Run the proxy (and the dashboard) with the config, writing a default one on first run."""
    path = config_path(config)
    wrote = ensure_config(path)
    s = load_settings(path)
    _ = words_for(s)
    if wrote:
        click.echo(
            _("Wrote a default config to %(path)s; name your children and their devices on the dashboard.", path=path)
        )
    listen = s.config.proxy
    proxy_cmd = [
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
        proxy_cmd += ["--mode", "regular", *(arg for mode in tunnels for arg in ("--mode", mode))]
    children = [subprocess.Popen(proxy_cmd)]
    if not proxy_only:
        env = {**os.environ, "GUARDIAN_CONFIG": str(path)}
        children.append(subprocess.Popen([sys.executable, "-m", "dashboard.serve"], env=env))
    host = "127.0.0.1" if listen.host in ("0.0.0.0", "::") else listen.host
    board = s.config.dashboard
    proxy, url = f"{host}:{listen.port}", f"http://{board.host}:{board.port}/"
    running = _(
        "Guardian is running. Set the child's browser or device to use the HTTP proxy %(proxy)s,\n"
        "then open http://mitm.it through it to install Guardian's certificate. Ledger: %(ledger)s",
        proxy=proxy,
        ledger=s.config.storage,
    )
    if not proxy_only:
        running += "\n" + _("Parents' dashboard: %(url)s", url=url)
    click.echo(running)
    _wait(children)


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
