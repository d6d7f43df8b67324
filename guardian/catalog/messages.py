"""Purchases inside WebSocket messages, and gift lists a server sends on one.

Two message kinds (a rule's ``message``):
- ``irc-cheer``: Twitch chat text; a cheer is a PRIVMSG with cheermotes (cheers.py);
- ``huya-wup``: Huya's binary TARS calls (huya.py), read into a document that the rule's fields
  (``req.4``), ``when`` and ``free_when`` read as they read a request's JSON body.

A binary frame that says it is a call (command 3) but cannot be read is an unreadable purchase and is
refused, as a payment request that cannot be read is: a frame Huya's server would act on must be read
the way it reads it, or not at all. Other frames (heartbeats, pushes, text) are not purchases.
"""

from __future__ import annotations

from decimal import Decimal

from guardian.catalog import cheers, gifts, huya
from guardian.catalog.detect import Prices, Purchase, clean_text, plain_purchase, to_household
from guardian.catalog.fields import DocFields, Unreadable
from guardian.catalog.index import Catalog
from guardian.catalog.model import GiftList, Rule
from guardian.catalog.tars import TarsError
from guardian.household.config import Household


def detect_message(
    catalog: Catalog, household: Household, host: str, data: str | bytes, prices: Prices | None = None
) -> Purchase | None:
    """The purchase a client's WebSocket message (text or binary) makes, or None."""
    rules: list[Rule] = catalog.websocket_rules(host)
    if not rules:
        return None
    if isinstance(data, str):
        irc = [r for r in rules if r.message == "irc-cheer"]
        return _cheer(irc[0], catalog, household, data) if irc else None
    calls = [r for r in rules if r.message == "huya-wup"]
    return _call(calls, catalog, household, data, prices) if calls else None


def _cheer(rule: Rule, catalog: Catalog, household: Household, text: str) -> Purchase | None:
    if len(text) > cheers.MAX_MESSAGE:
        return None  # IRC lines are at most 512 bytes (8 KiB of tags): nothing Twitch accepts as a cheer
    found = cheers.bits(text, rule.words)
    if not found:
        return None
    amount = Decimal(sum(b for _, b in found))
    recipient = clean_text(found[0][0].lstrip("#"))
    currency = rule.currency or catalog.apps[rule.app].currency
    value = amount / rule.per_currency
    try:
        money = to_household(value, currency, household)
    except Unreadable as e:
        return Purchase(
            rule.app, rule.kind, rule.id, amount, rule.unit, None, recipient, str(e), False, currency, value
        )
    return Purchase(rule.app, rule.kind, rule.id, amount, rule.unit, money, recipient, currency=currency, value=value)


def _call(
    rules: list[Rule], catalog: Catalog, household: Household, data: bytes, prices: Prices | None
) -> Purchase | None:
    if huya.command(data) != huya.CALL:
        return None  # the server reads the command first: anything else never reaches a gift function
    try:
        doc = huya.decode(data)
    except TarsError as e:
        rule = rules[0]
        problem = f"the call could not be read: {e}"
        return Purchase(rule.app, rule.kind, rule.id, None, rule.unit, None, None, problem)
    return plain_purchase(rules, DocFields(doc), catalog, household, prices)


def gift_list(catalog: Catalog, host: str, data: bytes) -> tuple[GiftList, dict[str, Decimal]] | None:
    """The gift prices in a server's binary WebSocket message, with the gift list they answer, or None."""
    specs = catalog.websocket_gift_lists(host)
    if not specs or huya.command(data) != huya.ANSWER:
        return None
    try:
        doc = huya.decode(data, huya.MAX_ANSWER)
    except TarsError:
        return None
    fields = DocFields(doc)
    for spec in specs:
        if all(str(fields.get(k)) in values for k, values in spec.when):
            return spec, gifts.gift_prices(spec, doc)
    return None


def may_be_gift_list(catalog: Catalog, host: str, data: bytes) -> bool:
    """Cheap: whether a server message on this host could be a gift list (worth decoding off the event loop)."""
    return bool(catalog.websocket_gift_lists(host)) and huya.command(data) == huya.ANSWER
