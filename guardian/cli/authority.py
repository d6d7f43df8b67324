"""Who may change something from a terminal: an administrator, or whoever knows the parent password.

Commands that change Guardian (answers to questions, the password, phones,
setup undo, exports) call `parent_only`; read-only ones (check, detect, verify)
never do. It returns who is acting, for the record: ``administrator dad`` (the
account that ran sudo, not "root") or ``parent (command line)``; never a
child's account name, which is all a child's own terminal could prove.

Password tries from the command line are slowed down like the dashboard's,
under one client name, so a child at the terminal cannot guess quickly.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from guardian.cli.common import not_readable
from guardian.setup import logins, system
from guardian.store import approvals
from guardian.store.db import connect
from guardian.words import Words

PARENT = "parent (command line)"
CLIENT = logins.COMMAND_LINE  # the login_failures lane of tries made here


def administrator() -> str | None:
    """``administrator NAME`` when this process has administrator rights, else None."""
    if not system.is_admin():
        return None
    # sudo and doas say who asked; only an administrator can set these for a process that is root.
    who = os.environ.get("SUDO_USER") or os.environ.get("DOAS_USER") or approvals.os_user()
    return f"administrator {who}"


def parent_only(db: Path, what: str, _: Words) -> str:
    """Who is doing `what` (a message, in `_`'s language when shown): an administrator, or someone who typed
    the parent password; else a click error."""
    what = _(what)
    admin = administrator()
    if admin is not None:
        return admin
    try:
        conn = connect(db)
    except PermissionError:
        raise not_readable(db) from None
    except OSError as e:
        raise click.ClickException(f"{db}: {e}") from None
    try:
        if not logins.is_set(conn):
            raise click.ClickException(
                _(
                    "To %(what)s you need administrator rights (no parent password is set yet): "
                    "run it as an administrator, for example `sudo guardian ...`.",
                    what=what,
                )
            )
        now = int(time.time() * 1000)
        wait = logins.wait_ms(conn, CLIENT, now)
        if wait:
            raise click.ClickException(
                _("Too many wrong passwords. Try again in %(seconds)s s.", seconds=wait // 1000 + 1)
            )
        prompt = _("Parent password (to %(what)s)", what=what)
        password = click.prompt(prompt, hide_input=True, default="", show_default=False)
        wait = logins.take_turn(conn, CLIENT, int(time.time() * 1000))  # counted before it is checked
        if wait:
            raise click.ClickException(
                _("Too many wrong passwords. Try again in %(seconds)s s.", seconds=wait // 1000 + 1)
            )
        if not logins.verify(conn, password):
            logins.failed(conn, CLIENT, now, _)
            raise click.ClickException(
                _(
                    "Wrong parent password: nothing was changed. To %(what)s run it as an administrator, "
                    "or use the dashboard.",
                    what=what,
                )
            )
        logins.succeeded(conn, CLIENT)
        return PARENT
    finally:
        conn.close()
