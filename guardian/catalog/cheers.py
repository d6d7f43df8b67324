"""Purchases inside WebSocket messages: Twitch cheers (bits) in IRC chat.

A cheer is a chat message whose words include cheermotes: a known prefix
followed by a number of bits (``Cheer100``, ``Kappa50``), case-insensitive.
The bits of one message add up. A message is IRC text, possibly several lines::

    @client-nonce=abc PRIVMSG #streamer :Cheer100 great stream Cheer50
"""

from __future__ import annotations

import re
from decimal import Decimal

from guardian.catalog.detect import Purchase, clean_text, to_household
from guardian.catalog.fields import Unreadable
from guardian.catalog.index import Catalog
from guardian.catalog.model import Rule
from guardian.household.config import Household

MAX_MESSAGE = 16 * 1024
_PRIVMSG = re.compile(r"^(?:@\S+ )?(?::\S+ )?PRIVMSG (#[^\s,]+) :(.*)$")
_CHEER = re.compile(r"^([a-z0-9]+?)(\d{1,7})$")  # shortest prefix: "4head100" is 4head + 100


def bits(text: str, words: frozenset[str]) -> list[tuple[str, int]]:
    """(channel, bits) for every PRIVMSG line that cheers."""
    found = []
    for line in text.splitlines():
        m = _PRIVMSG.match(line.strip())
        if m is None:
            continue
        total = 0
        for word in m.group(2).split():
            c = _CHEER.match(word.lower())
            if c is not None and c.group(1) in words and int(c.group(2)) > 0:
                total += int(c.group(2))
        if total:
            found.append((m.group(1), total))
    return found


def detect_message(catalog: Catalog, household: Household, host: str, text: str) -> Purchase | None:
    """The purchase a client's WebSocket text message makes, or None."""
    rules: list[Rule] = catalog.websocket_rules(host)
    if not rules:
        return None
    rule = rules[0]
    if len(text) > MAX_MESSAGE:
        return None  # IRC lines are at most 512 bytes (8 KiB of tags): nothing Twitch accepts as a cheer
    found = bits(text, rule.words)
    if not found:
        return None
    amount = Decimal(sum(b for _, b in found))
    recipient = clean_text(found[0][0].lstrip("#"))
    currency = rule.currency or catalog.apps[rule.app].currency
    value = amount / rule.per_currency
    try:
        money = to_household(value, currency, household)
    except Unreadable as e:
        return Purchase(rule.app, rule.kind, rule.id, amount, rule.unit, None, recipient, str(e))
    return Purchase(rule.app, rule.kind, rule.id, amount, rule.unit, money, recipient, currency=currency, value=value)
