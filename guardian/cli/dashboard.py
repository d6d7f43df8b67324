"""`guardian set-password`: set or reset the dashboard's parent password.

Only an administrator (a forgotten password) or someone who knows the current one may set it.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from guardian.cli.authority import parent_only
from guardian.cli.common import config_option, load_settings
from guardian.household.home import config_path
from guardian.setup import logins
from guardian.store.db import connect


@click.command("set-password")
@config_option
@click.option("--password", default=None, help="The new password (asked for, twice, if not given).")
def set_password(config: Path | None, password: str | None) -> None:
    """Set the parent password for the dashboard (as an administrator, or knowing the current one)."""
    s = load_settings(config_path(config))
    parent_only(s.config.storage, "change the parent password")
    if password is None:
        password = click.prompt("New parent password", hide_input=True, confirmation_prompt=True)
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
