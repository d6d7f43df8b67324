"""`guardian approvals list | approve ID [--over-cap] | deny ID`: answer a child's request from a terminal.

Answering needs administrator rights or the parent password (guardian.cli.authority); each
answer is recorded with who gave it ("administrator dad", "parent (command line)") and when.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from guardian.cli.authority import parent_only
from guardian.cli.common import config_option, load_settings
from guardian.household.home import config_path
from guardian.store import approvals
from guardian.store.approvals import Approval, ApprovalError
from guardian.store.ledger import Ledger

VIA = "command line"


def _ledger(config: Path | None) -> tuple[Ledger, ZoneInfo]:
    s = load_settings(config_path(config))
    return Ledger(s.config.storage), ZoneInfo(s.config.household.timezone)


def _when(at_ms: int | None, tz: ZoneInfo) -> str:
    return "-" if at_ms is None else datetime.fromtimestamp(at_ms / 1000, tz).strftime("%Y-%m-%d %H:%M:%S")


def describe(a: Approval, tz: ZoneInfo) -> str:
    to = f" to {a.recipient}" if a.recipient else ""
    what = f"{a.amount} {a.currency}  {a.app} {a.kind}{to}"
    line = f"#{a.id}  {_when(a.at_ms, tz)}  {a.child}  {what}  ({a.device})  {a.state}"
    if a.state != approvals.PENDING:
        line += f" by {a.decided_by} ({a.decided_via}) at {_when(a.decided_ms, tz)}"
        line += ", allowed over the cap" if a.over_cap else ""
    return line


@click.group("approvals")
def approvals_group() -> None:
    """Purchases waiting for a parent's answer."""


@approvals_group.command("list")
@config_option
@click.option("--all", "everything", is_flag=True, help="Also show the latest answers.")
def list_(config: Path | None, everything: bool) -> None:
    """List the purchases waiting for you (and with --all the latest answers)."""
    ledger, tz = _ledger(config)
    try:
        waiting = approvals.pending(ledger.conn)
        answered = approvals.decided(ledger.conn) if everything else []
    finally:
        ledger.close()
    if not waiting:
        click.echo("Nothing is waiting for you.")
    for a in waiting + answered:
        click.echo(describe(a, tz))


def _decide(config: Path | None, approval_id: int, approve: bool, over_cap: bool) -> None:
    s = load_settings(config_path(config))
    who = parent_only(s.config.storage, "answer a purchase question")
    ledger, tz = Ledger(s.config.storage), ZoneInfo(s.config.household.timezone)
    now = int(datetime.now(UTC).timestamp() * 1000)
    try:
        a = approvals.decide(ledger.conn, approval_id, approve, who, VIA, now, over_cap)
    except ApprovalError as e:
        raise click.ClickException(str(e)) from None
    finally:
        ledger.close()
    click.echo(describe(a, tz))


@approvals_group.command()
@config_option
@click.argument("approval_id", type=int, metavar="ID")
@click.option("--over-cap", is_flag=True, help="Let this purchase through even if it breaks a spending cap.")
def approve(config: Path | None, approval_id: int, over_cap: bool) -> None:
    """Say yes: the held purchase goes through, or the child's next identical try within `ask.valid` minutes."""
    _decide(config, approval_id, True, over_cap)


@approvals_group.command()
@config_option
@click.argument("approval_id", type=int, metavar="ID")
def deny(config: Path | None, approval_id: int) -> None:
    """Say no: the purchase is refused, and identical tries within `ask.valid` minutes too."""
    _decide(config, approval_id, False, False)
