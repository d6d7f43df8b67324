"""`guardian run` (the proxy and the dashboard as child processes) and `guardian check` (the config and the rules)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from guardian import settings
from guardian.cli.common import config_option, load_settings
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
    for warning in settings.rates_warnings(s):
        click.echo(warning, err=True)
    click.echo(f"{path}: OK ({len(s.config.children)} children, {len(s.catalog.apps)} apps)")


@click.command()
@config_option
@click.option("--proxy-only", is_flag=True, help="Run the proxy without the dashboard.")
def run(config: Path | None, proxy_only: bool) -> None:
    """Run the proxy (and the dashboard) with the config, writing a default one on first run."""
    path = config_path(config)
    if ensure_config(path):
        click.echo(f"Wrote a default config to {path}; edit it to name your children and their devices.")
    s = load_settings(path)
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
    click.echo(
        f"Guardian is running. Set the child's browser or device to use the HTTP proxy {host}:{listen.port},\n"
        f"then open http://mitm.it through it to install Guardian's certificate. Ledger: {s.config.storage}"
        + ("" if proxy_only else f"\nParents' dashboard: http://{board.host}:{board.port}/")
    )
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
