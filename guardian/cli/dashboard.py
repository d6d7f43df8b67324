"""`guardian set-password`: set or reset the dashboard's parent password.

Only an administrator (a forgotten password) or someone who knows the current one may set it.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from guardian.cli.authority import parent_only
from guardian.cli.common import config_option, load_settings, words_for
from guardian.household.home import config_path
from guardian.setup import logins
from guardian.store.db import connect
from guardian.words import N_, say


@click.command("set-password", short_help="Set the parent password for the dashboard.")
@config_option
@click.option("--password", default=None, help="The new password (asked for, twice, if not given).")
def set_password(config: Path | None, password: str | None) -> None:
    """Set the parent password for the dashboard (as an administrator, or knowing the current one)."""
    s = load_settings(config_path(config))
    _ = words_for(s)
    parent_only(s.config.storage, N_("change the parent password"), _)
    if password is None:
        password = click.prompt(_("New parent password"), hide_input=True, confirmation_prompt=True)
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
