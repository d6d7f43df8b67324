"""`guardian verify` and `guardian export`: the evidence commands (core: guardian.evidence)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import click

from guardian.cli.authority import parent_only
from guardian.cli.common import config_option, load_settings, words_for
from guardian.evidence import export, formats, verify
from guardian.household.home import config_path
from guardian.store.db import connect
from guardian.words import N_, say


def _open(config: Path | None):
    s = load_settings(config_path(config))
    _ = words_for(s)
    db = s.config.storage
    if not db.exists():
        raise click.ClickException(_("no ledger at %(db)s (storage.path in %(config)s)", db=db, config=s.config.path))
    try:
        return s, connect(db)
    except sqlite3.Error as e:
        raise click.ClickException(_("%(db)s: cannot open the ledger: %(error)s", db=db, error=e)) from None


@click.command("verify", short_help="Check that the ledger was not edited.")
@config_option
@click.option(
    "--head",
    "heads",
    multiple=True,
    metavar="DIGEST",
    help="A head digest copied earlier (from an export); check it is still in the record.",
)
def verify_record(config: Path | None, heads: tuple[str, ...]) -> None:
    """Check that the ledger was not edited: exit 0 when intact, else name the first row that does not fit."""
    s, conn = _open(config)
    _ = words_for(s)
    try:
        report = verify.verify(conn)
        found = [verify.find_head(conn, h) for h in heads]
    except sqlite3.Error as e:
        raise click.ClickException(_("cannot read the ledger: %(error)s", error=e)) from None
    finally:
        conn.close()
    click.echo(report.summary(_))
    for line in found:
        click.echo(_("Earlier head %(found)s", found=line))
    if not report.intact:
        for problem in report.problems[1:10]:
            click.echo(_("  also: %(problem)s", problem=problem))
        raise SystemExit(1)
    if any(line.startswith("NOT") for line in found):
        raise SystemExit(1)


def _date(_ctx, param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date like 2026-03-07, got {value!r}") from None


@click.command(name="export", short_help="Write an evidence pack: every attempt, totals, the check.")
@config_option
@click.option("--child", required=True, help="The child's name (or id), as on the dashboard.")
@click.option("--from", "start", required=True, callback=_date, help="First day (YYYY-MM-DD, household time).")
@click.option("--to", "end", required=True, callback=_date, help="Last day, included.")
@click.option("--format", "fmt", type=click.Choice(formats.FORMATS), default="html", show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
def export_command(config: Path | None, child: str, start: date, end: date, fmt: str, out: Path | None) -> None:
    """Write an evidence pack: every attempt in the range, totals, the chain check and a cover (Chinese and English)."""
    loaded = load_settings(config_path(config))
    parent_only(loaded.config.storage, N_("export the record"), words_for(loaded))
    s, conn = _open(config)
    household, _ = s.config.household, words_for(s)
    try:
        child_id, name = export.which_child(conn, s.config, child)
        pack = export.build(conn, child_id, start, end, household.timezone, household.currency, datetime.now(UTC), name)
    except ValueError as e:
        raise click.ClickException(say(e, _)) from None
    finally:
        conn.close()
    text = formats.render(pack, fmt, household.language)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")  # the BOM lets Excel read CSV as UTF-8
        wrote = _("Wrote %(count)s attempts to %(file)s.", count=len(pack.attempts), file=out)
        click.echo(f"{wrote} {_('Head digest: %(head)s', head=pack.report.head)}", err=True)
    if not pack.report.intact:
        click.echo(_("Warning: the record does not verify: %(problem)s", problem=pack.report.why(_)), err=True)
