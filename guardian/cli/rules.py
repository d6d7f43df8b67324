"""Commands for rule authors: `guardian rules check [DIR]`, `guardian rules unrecognised`, `guardian rules coverage`."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from guardian import settings
from guardian.catalog.coverage import AppCoverage, coverage
from guardian.catalog.index import Catalog, builtin_files
from guardian.catalog.model import RuleError
from guardian.catalog.rulefile import parse_app
from guardian.cli.common import config_option, rates_warning, words_for
from guardian.household.config import ConfigError
from guardian.household.configfile import load as load_config
from guardian.household.home import config_path, rules_dir
from guardian.store import unrecognised
from guardian.store.db import connect


@click.group("rules")
def rules_group() -> None:
    """Check and grow the app rules."""


def _check_file(name: str, text: str) -> tuple[str | None, int]:
    try:
        app = parse_app(text, Path(name))
    except RuleError as e:
        return e.located, 0
    return None, len(app.rules)


@rules_group.command("check", short_help="Validate the built-in rules and the rule files in FOLDER.")
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@config_option
def check_command(folder: Path | None, config: Path | None) -> None:
    """Validate the built-in rules and the rule files in FOLDER (default: the data directory's rules/).

    Errors read FILE:LINE: KEY: REASON. Exits 1 if any file is wrong.
    """
    path = config_path(config)
    folder = folder or rules_dir(path)
    files = builtin_files()
    if folder.is_dir():
        for p in sorted(folder.glob("*.toml")):
            try:
                files.append((str(p), p.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as e:
                click.echo(f"{p}: cannot read it as UTF-8 text: {e}")
                files.append((str(p), None))
    elif folder.exists():
        raise click.ClickException(f"{folder} is not a folder")
    bad = 0
    for name, text in files:
        if text is None:
            bad += 1
            continue
        error, count = _check_file(name, text)
        if error is not None:
            bad += 1
            click.echo(error)
        elif not name.startswith("guardian/catalog/apps/"):
            click.echo(f"{name}: OK ({count} rules)")
    if bad:
        click.echo(f"{bad} rule file(s) with errors", err=True)
        sys.exit(1)
    _rates_warning(path, folder)
    click.echo(f"{len(files)} rule files OK")


def _rates_warning(path: Path, folder: Path) -> None:
    """Units some app prices in that the household has no rate for: those purchases would be unreadable."""
    if not path.exists():
        return
    try:
        catalog = Catalog.load([folder])
        s = settings.Settings(load_config(path, known_apps=catalog.apps), catalog)
    except (ConfigError, RuleError) as e:
        click.echo(f"warning: {e}", err=True)
        return
    _ = words_for(s)
    for code, apps in s.missing_rates().items():
        click.echo(rates_warning(_, path, code, apps), err=True)


@rules_group.command("unrecognised", short_help="Purchase-like requests that no rule matched.")
@config_option
@click.option("--limit", default=50, show_default=True)
def unrecognised_command(config: Path | None, limit: int) -> None:
    """Purchase-looking requests to known apps that no rule matched (newest first)."""
    path = config_path(config)
    try:
        storage = load_config(path, known_apps=Catalog.load([rules_dir(path)]).apps).storage
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    conn = connect(storage)
    try:
        for row in unrecognised.recent(conn, limit):
            click.echo(f"{row.app}\t{row.method} {row.host}{row.path}\tseen {row.hits}x")
    finally:
        conn.close()


@rules_group.command("coverage", short_help="What Guardian covers of each app (or of APPS).")
@click.argument("apps", nargs=-1)
@config_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per app instead of text.")
def coverage_command(apps: tuple[str, ...], config: Path | None, as_json: bool) -> None:
    """What Guardian covers of each app (or of APPS): rules with their sources and confidence, hosts controlled
    by host only, hosts left alone, and what is known to be missed. Includes the data directory's rule files."""
    path = config_path(config)
    try:
        catalog = Catalog.load([rules_dir(path)])
    except RuleError as e:
        raise click.ClickException(str(e)) from None
    unknown = sorted(set(apps) - set(catalog.apps))
    if unknown:
        raise click.ClickException(f"unknown app {', '.join(unknown)}; known apps: {', '.join(sorted(catalog.apps))}")
    for app in coverage(catalog):
        if apps and app.id not in apps:
            continue
        if as_json:
            click.echo(json.dumps({**asdict(app), "seen": app.seen}, ensure_ascii=False))
        else:
            click.echo(_coverage_text(app))


def _coverage_text(app: AppCoverage) -> str:
    lines = [f"{app.name} ({app.id}): {app.seen}; prices in {app.currency}"]
    for r in (*app.rules, *app.gift_lists):
        then = f", continues {', '.join(r.continues)}" if r.continues else ""
        lines.append(f"  {r.id}: {r.kind}, {r.reads}, confidence {r.confidence}{then}")
        lines.append(f"    {r.where}")
        lines += [f"    source: {s}" for s in r.sources] or ["    source: not given"]
    if app.host_only:
        lines.append(f"  host level only: {', '.join(app.host_only)}")
    if app.not_decrypted:
        lines.append(f"  never decrypted: {', '.join(app.not_decrypted)}")
    if app.left_alone:
        lines.append(f"  left alone (shared with ordinary use): {', '.join(app.left_alone)}")
    lines += [f"  missed: {m}" for m in app.missed]
    return "\n".join(lines) + "\n"
