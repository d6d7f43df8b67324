"""`guardian agent`: show Guardian's alerts on the parent's desktop (run in the parent's session)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from guardian.cli.common import words_for
from guardian.notify.agent import Agent, read_token
from guardian.notify.desktop import PlyerNotifier

TOKEN = Path("~/.config/guardian/agent-token")


@click.command("agent", short_help="Show the service's alerts on the parent's desktop.")
@click.option("--url", default="http://127.0.0.1:8765", show_default=True, help="The service's dashboard.")
@click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path), default=TOKEN, show_default=True)
@click.option("--every", type=click.FloatRange(0.2, 60), default=3, show_default=True, help="Seconds between visits.")
@click.option("--down-after", type=click.FloatRange(1, 3600), default=30, show_default=True)
def agent_command(url: str, token_file: Path, every: float, down_after: float) -> None:
    """Fetch the service's desktop notifications and show them here; say so when Guardian stops."""
    token = read_token(token_file.expanduser())
    if token is None:
        # The autostart entry runs in every account's session; only the parent's holds the token.
        _ = words_for()
        click.echo(_("No Guardian alerts for this account (%(path)s is missing): nothing to do.", path=token_file))
        return
    agent = Agent(url, token, PlyerNotifier(), down_after=down_after)
    while True:
        agent.once(time.monotonic())
        time.sleep(every)
