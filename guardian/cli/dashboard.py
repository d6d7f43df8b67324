"""`guardian set-password`: set or reset the dashboard's parent password."""

from __future__ import annotations

import time
from pathlib import Path

import click

from guardian.cli.common import config_option, load_settings
from guardian.household.home import config_path
from guardian.setup import logins
from guardian.store.db import connect


@click.command("set-password")
@config_option
@click.password_option("--password", prompt="New parent password", help="The new password (asked for if not given).")
def set_password(config: Path | None, password: str) -> None:
    """Set the parent password for the dashboard (also clears failed-login delays)."""
    s = load_settings(config_path(config))
    conn = connect(s.config.storage)
    try:
        try:
            logins.set_password(conn, password, int(time.time() * 1000))
        except ValueError as e:
            raise click.ClickException(f"password not accepted: {e}") from None
        conn.execute("DELETE FROM login_failures")
    finally:
        conn.close()
    click.echo(f"Parent password set for the dashboard of {s.config.path}.")
