"""`guardian detect FILE.har`: what each request and WebSocket message of a capture would be, for rule authors."""

from __future__ import annotations

import json
from pathlib import Path

import click

from guardian.catalog import gifts, messages
from guardian.catalog.detect import Purchase, detect
from guardian.catalog.har import Entry, HarError, read
from guardian.catalog.index import Catalog
from guardian.catalog.request import normalize_path
from guardian.household.config import Household
from guardian.household.configfile import load as load_config
from guardian.household.home import rules_dir

MAX_SHOWN = 160  # characters of a request's path in a line


def _plain(value) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def purchase_json(p: Purchase | None) -> dict | None:
    """The purchase as read: `amount` and `currency` even when no household amount can be given (no rate)."""
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


@click.command("detect", short_help="Show which request of a HAR file is which purchase.")
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
    """Print one JSON line per request in a HAR file: which request it is, and the purchase it would be or null.

    Each WebSocket message the client sent (Chrome's and mitmproxy's HAR keep them) gets a line too, after
    its request's. Gift lists answered earlier in the file (HTTP, or a server's WebSocket message) price the
    gifts sent later, as in the proxy. An amount in a currency without a rate is shown as read, with no
    household amount.
    """
    catalog, household = _setting(config, extra)
    try:
        entries = read(har)
    except HarError as e:
        raise click.ClickException(str(e)) from None
    book = gifts.PriceBook(catalog)
    for entry in entries:
        req = entry.request
        _line(entry, f"{req.method} {_where(entry)}", detect(catalog, household, req, book))
        for n, (sent, data) in enumerate(entry.websocket, 1):
            if sent:
                found = messages.detect_message(catalog, household, req.host, data, book)
                _line(entry, f"WebSocket message {n} sent on {_where(entry)}", found)
            elif isinstance(data, bytes) and (listed := messages.gift_list(catalog, req.host, data)) is not None:
                book.learn(listed[0].app, listed[1])
        spec = catalog.gift_list_for(req.host, normalize_path(req.path))
        if spec is not None and entry.status == 200 and entry.response_body:
            try:
                book.learn(spec.app, gifts.parse_gift_list(spec, entry.response_body))
            except ValueError as e:
                click.echo(f"entry {entry.index}: the {spec.app} gift list was not read: {e}", err=True)


def _where(entry: Entry) -> str:
    """The request's host and path (not its query, which may carry tokens), bounded."""
    return f"{entry.request.host}{entry.request.path[:MAX_SHOWN]}"


def _line(entry: Entry, request: str, purchase: Purchase | None) -> None:
    line = {"entry": entry.index, "request": request, "purchase": purchase_json(purchase)}
    click.echo(json.dumps(line, ensure_ascii=False))
