"""What the catalog holds: apps, their purchase rules and gift lists, as parsed from the rule files.

One TOML file per app (``guardian/catalog/apps/*.toml``, plus the parent's own files in
the data directory's ``rules/``). The full grammar, with every key, is in docs/rules.md;
the parser is rulefile.py, the index by host index.py. In short::

    app = "bilibili"                      # id used in config and the ledger
    name = "Bilibili"                     # the app's name in English
    names = { zh = "哔哩哔哩" }            # optional: its own name in other languages (zh, en)
    currency = "CNY"                      # what the app's units are worth (or ROBUX, BITS... priced by household.rates)
    hosts = ["*.bilibili.com"]            # decrypted hosts; "*." covers subdomains, "p*-buy.x.com" globs one label
    passthrough = ["buy.itunes.apple.com"] # optional: hosts never decrypted (pinned apps), controlled by host only
    payment_hosts = ["pay.bilibili.com"]  # optional: refused at connection level while purchases are not possible
    refusal = { status = 200, json = '{"code": -1, "message": "$message"}' }
    success = { path = "code", values = [0] }   # how a server's answer says "done"
    prices = { "31036" = "100" }          # optional shipped gift prices (gift id = price in the gift rules' unit)

    missed = ["guard (大航海) purchases"]  # optional: what is known not to be covered (the coverage report)
    shared_hosts = ["long.weixin.qq.com"]  # optional: hosts named but left alone (never refused, never counted)

    [[rule]]
    id = "bilibili.gift.sendGold"
    kind = "gift"                          # gift, recharge, superchat, tip, subscription, checkout
    host = "api.live.bilibili.com"         # one host or a list; a glob in the first label ("webcast*-c-*.amemv.com")
    path = "/xlive/revenue/v1/gift/sendGold"   # "*" one segment, "**" any; matched lower-cased
    methods = ["POST"]
    amount = ["gift_num"]                  # fields multiplied together ("a.*.b" sums a list)
    quantity = "quantity"                  # optional: one more factor, 1 when the request leaves it out
    gift_id = "gift_id"                    # optional: unit price from the price book (learned, else `prices`)
    price = "price"                        # optional: unit price in the request (with gift_id: the higher one)
    unknown_amount = true                  # instead of amount: the request carries no amount
    unit = "gold"
    per_currency = "1000"                  # app units per 1 of `currency`
    currency = "USD"                       # optional: overrides the app's currency for this rule
    currency_field = "amount.currency_code"  # optional: the currency is read from the request (else `currency`)
    recipient = ["ruid"]
    requires = "pay_gold"                  # optional: only when this field is present
    when = { method = ["alipay.trade.page.pay"] }  # optional: only when a field has one of these values
    free_when = { coin_type = ["silver"] } # optional: not a purchase then
    operations = ["*Purchase*"]            # optional: GraphQL operationName globs (each match in a batch counts)
    not_operations = ["DismissPurchaseToken"]  # optional: operation names that never count, though a glob matches
    continues = ["kuaishou.recharge.kspay_cashier"]  # optional: a later step of these rules' payments (counted once)
    transport = "websocket"                # optional: a WebSocket message rule (message = "irc-cheer" or "huya-wup")
    sources = ["who published it", "a second, independent source"]
    confidence = "medium"                  # high, medium or low

    [[gift_list]]                          # a response the app downloads that lists gift prices
    host = "live.douyin.com"               # one host or a list, globs as for rules
    path = "/webcast/gift/list"
    items = ["data.gifts", "data.pages.*.gifts"]   # one path or several; "*" walks lists of lists
    id = "id"
    price = ["diamond_count", "gift_price"]        # the first present
    transport = "websocket"                # optional: a server message (message = "huya-wup", when = {...})
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from guardian.household.tomlfile import FileError
from guardian.words import N_

KINDS = ("gift", "recharge", "superchat", "tip", "subscription", "checkout")
CONFIDENCE = ("high", "medium", "low")
KIND_NAMES = {  # what each kind is called where people read it (translated where shown)
    "gift": N_("gift"),
    "recharge": N_("recharge"),
    "superchat": N_("Super Chat"),
    "tip": N_("tip"),
    "subscription": N_("subscription"),
    "checkout": N_("checkout"),
}


class RuleError(FileError):
    """A mistake in a rule file: `str()` names the file, the key and the reason; `located` adds the line."""


@dataclass(frozen=True, slots=True)
class Success:
    """A server answer counts as done when `path` in its JSON holds one of `values`."""

    path: str
    values: tuple[object, ...]


Match = tuple[tuple[str, frozenset[str]], ...]


def example_host(pattern: str) -> str:
    """A concrete host that `pattern` covers ("*." dropped, a "*" in a label as "25"), for tests and reports."""
    return pattern.removeprefix("*.").replace("*", "25")


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    app: str
    kind: str
    hosts: tuple[str, ...]  # exact names, or a glob in the first label
    path: re.Pattern[str]
    methods: frozenset[str]
    amount: tuple[str, ...]
    unit: str
    per_currency: Decimal
    recipient: tuple[str, ...] = ()
    requires: str | None = None
    free_when: Match = ()
    success: Success | None = None
    when: Match = ()
    gift_id: str | None = None
    price: str | None = None
    unknown_amount: bool = False
    currency: str | None = None  # None: the app's
    currency_field: str | None = None
    operations: tuple[re.Pattern[str], ...] = ()
    transport: str = "http"
    message: str | None = None
    words: frozenset[str] = frozenset()  # e.g. cheermote prefixes, lower case
    exact: str | None = None  # the normalised path when it has no wildcard (indexed)
    order: int = 0
    not_operations: tuple[re.Pattern[str], ...] = ()
    quantity: str | None = None  # an optional factor: 1 when the request leaves it out
    continues: tuple[str, ...] = ()  # rule ids whose payment this request may be a later step of
    sources: tuple[str, ...] = ()
    confidence: str | None = None
    path_text: str = ""  # the path as written, for reports
    operation_text: tuple[str, ...] = ()  # `operations` and `not_operations` as written, for reports
    not_operation_text: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        return self.hosts[0]


@dataclass(frozen=True, slots=True)
class GiftList:
    """Where an app's gift-list response keeps each gift's id and price."""

    app: str
    hosts: tuple[str, ...]
    path: re.Pattern[str]
    items: tuple[str, ...]
    id: str
    price: tuple[str, ...]  # the first present counts
    free_when: Match = ()
    transport: str = "http"
    message: str | None = None
    when: Match = ()
    sources: tuple[str, ...] = ()
    confidence: str | None = None

    @property
    def host(self) -> str:
        return self.hosts[0]


@dataclass(frozen=True, slots=True)
class App:
    id: str
    name: str
    currency: str
    hosts: tuple[str, ...]
    refusal_status: int
    refusal_json: object
    success: Success | None
    rules: tuple[Rule, ...] = field(default=())
    passthrough: tuple[str, ...] = ()
    payment_hosts: tuple[str, ...] = ()
    gift_lists: tuple[GiftList, ...] = ()
    prices: dict[str, Decimal] = field(default_factory=dict)
    source: str = ""
    names: dict[str, str] = field(default_factory=dict)  # language -> the app's own name in it
    missed: tuple[str, ...] = ()  # what is known not to be covered
    shared_hosts: tuple[str, ...] = ()  # named, and deliberately left alone

    def name_in(self, language: str) -> str:
        """The app's name as people reading `language` know it (抖音, not Douyin); else its English name."""
        return self.names.get(language) or self.name

    def refusal_body(self, message: str) -> bytes:
        """The app's own error shape with `message` put where the template says "$message"."""

        def fill(node: object) -> object:
            if node == "$message":
                return message
            if isinstance(node, dict):
                return {k: fill(v) for k, v in node.items()}
            if isinstance(node, list):
                return [fill(v) for v in node]
            return node

        return json.dumps(fill(self.refusal_json), ensure_ascii=False).encode()
