"""Commands for rule authors: `guardian detect FILE.har`, `guardian rules check [DIR]`,
`guardian rules unrecognised`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from guardian.catalog import cheers, gifts
from guardian.catalog.detect import Purchase, detect
from guardian.catalog.har import HarError, read
from guardian.catalog.index import Catalog, builtin_files
from guardian.catalog.model import RuleError
from guardian.catalog.request import normalize_path
from guardian.catalog.rulefile import parse_app
from guardian.cli.common import config_option
from guardian.household.config import ConfigError, Household
from guardian.household.configfile import load as load_config
from guardian.household.home import config_path, rules_dir
from guardian.store import unrecognised
from guardian.store.db import connect


def _plain(value) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def purchase_json(p: Purchase | None) -> dict | None:
    if p is None:
        return None
    return {
        "app": p.app,
        "kind": p.kind,
        "amount": _plain(p.value),
        "currency": p.currency,
        "household_amount": None if p.money is None else _plain(p.money.amount),
        "household_currency": None if p.money is None else p.money.currency,
        "recipient": p.recipient,
        "rule": p.rule,
        "status": p.status,
        "app_amount": _plain(p.amount),
        "unit": p.unit,
        "problem": p.problem,
        "operations": list(p.operations) or None,
    }


def _setting(config: Path | None, extra: tuple[Path, ...]) -> tuple[Catalog, Household]:
    dirs = list(extra)
    household = Household()
    if config is not None:
        dirs.insert(0, rules_dir(config))
    try:
        catalog = Catalog.load(dirs)
        if config is not None:
            household = load_config(config, known_apps=catalog.apps).household
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    return catalog, household


@click.command("detect", short_help="Show the purchase each request of a HAR file would be.")
@click.argument("har", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Use this config's household (currency, rates) and its rules/ folder "
    "(default: built-in rules, CNY, no rates).",
)
@click.option(
    "--rules",
    "extra",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Another folder of rule files.",
)
def detect_command(har: Path, config: Path | None, extra: tuple[Path, ...]) -> None:
    """Print, for each request in a HAR file, one JSON line: which request it answers and the purchase it
    would be, or null.

    {"entry": 3, "request": "POST https://...", "purchase": {...} or null}; "entry" counts the file's
    log.entries from 0. Each WebSocket text message the client sent (Chrome's HAR export keeps them)
    gets a line too, after its request's, with "message": its number among them (from 1). Gift lists
    answered earlier in the file price the gifts sent later, as in the proxy.
    """
    catalog, household = _setting(config, extra)
    try:
        entries = read(har)
    except HarError as e:
        raise click.ClickException(str(e)) from None
    book = gifts.PriceBook(catalog)
    for entry in entries:
        req = entry.request
        which = {"entry": entry.index, "request": f"{req.method} {entry.url}"}
        purchase = detect(catalog, household, req, book)
        click.echo(json.dumps({**which, "purchase": purchase_json(purchase)}, ensure_ascii=False))
        for number, text in enumerate(entry.websocket_sent, 1):
            cheer = cheers.detect_message(catalog, household, req.host, text)
            click.echo(json.dumps({**which, "message": number, "purchase": purchase_json(cheer)}, ensure_ascii=False))
        spec = catalog.gift_list_for(req.host, normalize_path(req.path))
        if spec is not None and entry.status == 200 and entry.response_body:
            try:
                book.learn(spec.app, gifts.parse_gift_list(spec, entry.response_body))
            except ValueError as e:
                click.echo(f"entry {entry.index}: the {spec.app} gift list was not read: {e}", err=True)


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
    """Currencies some app prices in that the household has no rate for: those purchases would be unreadable."""
    if not path.exists():
        return
    try:
        catalog = Catalog.load([folder])
        household = load_config(path, known_apps=catalog.apps).household
    except (ConfigError, RuleError) as e:
        click.echo(f"warning: {e}", err=True)
        return
    for code, apps in sorted(catalog.currencies().items()):
        if code != household.currency and code not in household.rates:
            refused = f"purchases in {', '.join(apps)} will be refused as unreadable"
            click.echo(f"warning: {path}: household.rates has no {code} rate; {refused}", err=True)


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
