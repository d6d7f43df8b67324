"""`guardian set-password`: set or reset the dashboard's parent password."""

from __future__ import annotations

import time
from pathlib import Path

import click

from guardian.cli.common import config_option, load_settings, words_for
from guardian.household.home import config_path
from guardian.setup import logins
from guardian.store.db import connect
from guardian.words import say


@click.command("set-password")
@config_option
@click.password_option("--password", prompt="New parent password", help="The new password (asked for if not given).")
def set_password(config: Path | None, password: str) -> None:
    """Set the parent password for the dashboard (also clears failed-login delays)."""
    s = load_settings(config_path(config))
    _ = words_for(s)
    conn = connect(s.config.storage)
    try:
        try:
            logins.set_password(conn, password, int(time.time() * 1000))
        except ValueError as e:
            raise click.ClickException(_("password not accepted: %(reason)s", reason=say(e, _))) from None
        conn.execute("DELETE FROM login_failures")
    finally:
        conn.close()
    click.echo(_("Parent password set for the dashboard of %(path)s.", path=s.config.path))
