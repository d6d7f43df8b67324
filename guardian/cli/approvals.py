"""`guardian approvals list | approve ID [--over-cap] | deny ID`: answer a child's request from a terminal.

Answering needs administrator rights or the parent password (guardian.cli.authority); each
answer is recorded with who gave it ("administrator dad", "parent (command line)") and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from guardian import settings
from guardian.catalog.model import KIND_NAMES, App
from guardian.cli.authority import parent_only
from guardian.cli.common import config_option, load_settings, words_for
from guardian.household.home import config_path
from guardian.store import approvals
from guardian.store.approvals import Approval, ApprovalError
from guardian.store.ledger import Ledger
from guardian.words import N_, Words

VIA = "command line"


@dataclass(frozen=True, slots=True)
class Reader:
    """How the command shows an approval: the household's clock, the command's language, the apps' names in it,
    and each child's current name (a question is kept under the child's id)."""

    tz: ZoneInfo
    words: Words
    apps: Mapping[str, App]
    names: Mapping[str, str] = field(default_factory=dict)

    def app(self, app_id: str) -> str:
        app = self.apps.get(app_id)
        return app_id if app is None else app.name_in(self.words.language)

    def child(self, child_id: str) -> str:
        return self.names.get(child_id, child_id)


def _reader(s: settings.Settings) -> Reader:
    return Reader(ZoneInfo(s.config.household.timezone), words_for(s), s.catalog.apps, s.config.names())


def _ledger(config: Path | None) -> tuple[Ledger, Reader]:
    s = load_settings(config_path(config))
    return Ledger(s.config.storage), _reader(s)


def _when(at_ms: int | None, tz: ZoneInfo) -> str:
    return "-" if at_ms is None else datetime.fromtimestamp(at_ms / 1000, tz).strftime("%Y-%m-%d %H:%M:%S")


STATES = {"pending": N_("waiting"), "approved": N_("approved"), "denied": N_("denied"), "used": N_("used")}


def describe(a: Approval, reader: Reader) -> str:
    _, tz = reader.words, reader.tz
    amount = _("amount unknown") if a.amount == approvals.UNKNOWN else f"{a.amount} {a.currency}"
    kind = _(KIND_NAMES[a.kind]) if a.kind in KIND_NAMES else a.kind
    to = _(" to %(recipient)s", recipient=a.recipient) if a.recipient else ""
    state = _(STATES[a.state]) if a.state in STATES else a.state
    who = reader.child(a.child)
    line = f"#{a.id}  {_when(a.at_ms, tz)}  {who}  {amount}  {reader.app(a.app)} {kind}{to}  ({a.device})  {state}"
    if a.state != approvals.PENDING:
        line += _(
            " by %(who)s (%(via)s) at %(when)s", who=a.decided_by, via=a.decided_via, when=_when(a.decided_ms, tz)
        )
        line += _(", allowed over the cap") if a.over_cap else ""
    return line


@click.group("approvals")
def approvals_group() -> None:
    """Purchases waiting for a parent's answer."""


@approvals_group.command("list", short_help="List what waits for you (--all: the latest answers too).")
@config_option
@click.option("--all", "everything", is_flag=True, help="Also show the latest answers.")
def list_(config: Path | None, everything: bool) -> None:
    """List the purchases waiting for you (and with --all the latest answers)."""
    ledger, reader = _ledger(config)
    try:
        waiting = approvals.pending(ledger.conn)
        answered = approvals.decided(ledger.conn) if everything else []
    finally:
        ledger.close()
    if not waiting:
        _ = reader.words
        click.echo(_("Nothing is waiting for you."))
    for a in waiting + answered:
        click.echo(describe(a, reader))


def _decide(config: Path | None, approval_id: int, approve: bool, over_cap: bool) -> None:
    s = load_settings(config_path(config))
    who = parent_only(s.config.storage, N_("answer a purchase question"), words_for(s))
    ledger, reader = Ledger(s.config.storage), _reader(s)
    now = int(datetime.now(UTC).timestamp() * 1000)
    try:
        a = approvals.decide(ledger.conn, approval_id, approve, who, VIA, now, over_cap)
    except ApprovalError as e:
        raise click.ClickException(e.in_(reader.words)) from None
    finally:
        ledger.close()
    click.echo(describe(a, reader))


@approvals_group.command(short_help="Say yes to purchase ID: it goes through.")
@config_option
@click.argument("approval_id", type=int, metavar="ID")
@click.option("--over-cap", is_flag=True, help="Let this purchase through even if it breaks a spending cap.")
def approve(config: Path | None, approval_id: int, over_cap: bool) -> None:
    """Say yes: the held purchase goes through, or the child's next identical try within `ask.valid` minutes."""
    _decide(config, approval_id, True, over_cap)


@approvals_group.command(short_help="Say no to purchase ID: it stays refused.")
@config_option
@click.argument("approval_id", type=int, metavar="ID")
def deny(config: Path | None, approval_id: int) -> None:
    """Say no: the purchase is refused, and identical tries within `ask.valid` minutes too."""
    _decide(config, approval_id, False, False)
