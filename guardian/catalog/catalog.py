"""The app catalog: which hosts belong to which app, and which requests are purchases.

One TOML file per app (``guardian/catalog/apps/*.toml``, plus the parent's own files in
the data directory's ``rules/``). The full grammar, with every key, is in
docs/rules.md; the parser is guardian/rulefile.py. In short::

    app = "bilibili"                      # id used in config and the ledger
    name = "Bilibili"
    currency = "CNY"                      # what the app's units are worth (or ROBUX, BITS... priced by household.rates)
    hosts = ["*.bilibili.com"]            # decrypted hosts; "*." covers subdomains, "p*-buy.x.com" globs one label
    passthrough = ["buy.itunes.apple.com"] # optional: hosts never decrypted (pinned apps), controlled by host only
    payment_hosts = ["pay.bilibili.com"]  # optional: refused at connection level while purchases are not possible
    refusal = { status = 200, json = '{"code": -1, "message": "$message"}' }
    success = { path = "code", values = [0] }   # how a server's answer says "done"
    prices = { "31036" = "100" }          # optional shipped gift prices (gift id = price in the gift rules' unit)

    [[rule]]
    id = "bilibili.gift.sendGold"
    kind = "gift"                          # gift, recharge, superchat, tip, subscription, checkout
    host = "api.live.bilibili.com"
    path = "/xlive/revenue/v1/gift/sendGold"   # "*" one segment, "**" any
    methods = ["POST"]
    amount = ["gift_num"]                  # fields multiplied together ("a.*.b" sums a list)
    gift_id = "gift_id"                    # optional: unit price from the price book (learned, else `prices`)
    price = "price"                        # optional: unit price in the request (with gift_id: the higher one)
    unknown_amount = true                  # instead of amount: the request carries no amount
    unit = "gold"
    per_currency = "1000"                  # app units per 1 of `currency`
    currency = "USD"                       # optional: overrides the app's currency for this rule
    currency_field = "amount.currency_code"  # optional: the currency is read from the request
    recipient = ["ruid"]
    requires = "pay_gold"                  # optional: only when this field is present
    when = { method = ["alipay.trade.page.pay"] }  # optional: only when a field has one of these values
    free_when = { coin_type = ["silver"] } # optional: not a purchase then
    operations = ["*Purchase*"]            # optional: GraphQL operationName globs; every matching operation in a batch counts
    transport = "websocket"                # optional: a WebSocket message rule (message = "irc-cheer")

    [[gift_list]]                          # a response the app downloads that lists gift prices
    host = "live.douyin.com"
    path = "/webcast/gift/list"
    items = "data.gifts"
    id = "id"
    price = "diamond_count"
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

KINDS = ("gift", "recharge", "superchat", "tip", "subscription", "checkout")


class RuleError(ValueError):
    """A mistake in a rule file: `str()` names the file, the key and the reason; `located` adds the line."""

    def __init__(self, file: Path | str, key: str, reason: str, line: int | None = None):
        self.file, self.key, self.reason, self.line = str(file), key, reason, line
        super().__init__(f"{file}: {key}: {reason}" if key else f"{file}: {reason}")

    @property
    def located(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.reason}" if self.key else f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Success:
    """A server answer counts as done when `path` in its JSON holds one of `values`."""

    path: str
    values: tuple[object, ...]


Match = tuple[tuple[str, frozenset[str]], ...]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    app: str
    kind: str
    host: str
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


@dataclass(frozen=True, slots=True)
class GiftList:
    """Where an app's gift-list response keeps each gift's id and price."""

    app: str
    host: str
    path: re.Pattern[str]
    items: str
    id: str
    price: str
    free_when: Match = ()


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


class HostIndex:
    """Host patterns to values: exact names, "*." suffixes, and one-label globs ("p*-buy.itunes.apple.com")."""

    def __init__(self) -> None:
        self.exact: dict[str, object] = {}
        self.suffix: dict[str, object] = {}
        self.globs: dict[str, list[tuple[re.Pattern[str], object]]] = {}

    def add(self, pattern: str, value: object, replace: bool = True) -> None:
        if pattern.startswith("*."):
            target, key = self.suffix, pattern[2:]
        elif "*" in pattern.split(".", 1)[0]:
            label, rest = pattern.split(".", 1)
            regex = re.compile(".*".join(re.escape(p) for p in label.split("*")))
            self.globs.setdefault(rest, []).append((regex, value))
            return
        else:
            target, key = self.exact, pattern
        if replace or key not in target:
            target[key] = value

    def get(self, host: str) -> object | None:
        # The host itself first ("*.x.com" covers x.com), then its globs, then ever wider parents.
        value = self.exact.get(host) or self.suffix.get(host)
        if value is not None:
            return value
        dot = host.find(".")
        if self.globs and dot != -1:
            for regex, found in self.globs.get(host[dot + 1 :], ()):
                if regex.fullmatch(host[:dot]):
                    return found
        while dot != -1:
            value = self.suffix.get(host[dot + 1 :])
            if value is not None:
                return value
            dot = host.find(".", dot + 1)
        return None


class _HostRules:
    """One host's rules: exact paths in a dict, patterned paths in a list, both kept in file order."""

    __slots__ = ("exact", "patterns")

    def __init__(self) -> None:
        self.exact: dict[str, list[Rule]] = {}
        self.patterns: list[Rule] = []

    def match(self, path: str) -> list[Rule]:
        found = self.exact.get(path, [])
        if self.patterns:
            extra = [r for r in self.patterns if r.path.fullmatch(path)]
            if extra:
                found = sorted([*found, *extra], key=lambda r: r.order)
        return found


def builtin_files() -> list[tuple[str, str]]:
    folder = resources.files("guardian.catalog") / "apps"
    return sorted((f"guardian/catalog/apps/{p.name}", p.read_text(encoding="utf-8")) for p in folder.iterdir() if p.name.endswith(".toml"))


def parse_app(text: str, file: Path) -> App:
    from guardian.catalog.rulefile import parse_app as parse

    return parse(text, file)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise RuleError(path, "", f"cannot read the rule file: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise RuleError(path, "", "the rule file is not UTF-8 text") from None


class Catalog:
    """All apps, indexed by host so that ordinary traffic costs one or two dict look-ups."""

    def __init__(self, apps: list[App]):
        self.apps = {a.id: a for a in apps}
        self._hosts = HostIndex()
        self._passthrough = HostIndex()
        self._payment = HostIndex()
        self._rules: dict[str, _HostRules] = {}
        self._ws: dict[str, list[Rule]] = {}
        self._gift_lists: dict[str, list[GiftList]] = {}
        for app in apps:
            for host in app.hosts:
                self._hosts.add(host, app)
            for host in app.passthrough:
                self._hosts.add(host, app)
                self._passthrough.add(host, app)
            for host in app.payment_hosts:
                self._payment.add(host, app)
            for rule in app.rules:
                self._hosts.add(rule.host, app, replace=False)
                if rule.transport == "websocket":
                    self._ws.setdefault(rule.host, []).append(rule)
                    continue
                by_host = self._rules.setdefault(rule.host, _HostRules())
                if rule.exact is not None:
                    by_host.exact.setdefault(rule.exact, []).append(rule)
                else:
                    by_host.patterns.append(rule)
            for spec in app.gift_lists:
                self._hosts.add(spec.host, app, replace=False)
                self._gift_lists.setdefault(spec.host, []).append(spec)

    @classmethod
    def load(cls, extra_dirs: list[Path] = ()) -> Catalog:
        files = builtin_files()
        for folder in extra_dirs:
            if folder.is_dir():
                files += sorted((str(p), _read(p)) for p in folder.glob("*.toml"))
        apps: dict[str, App] = {}
        for name, text in files:
            app = parse_app(text, Path(name))
            if app.id in apps:  # a parent's file replaces the shipped one of the same app
                apps.pop(app.id)
            apps[app.id] = app
        return cls(list(apps.values()))

    def app_for_host(self, host: str) -> App | None:
        """The app owning `host` (already normalised), or None; suffix entries cover subdomains."""
        return self._hosts.get(host)  # type: ignore[return-value]

    def rules_for(self, host: str) -> list[Rule]:
        """Every HTTP rule of `host`, in file order."""
        by_host = self._rules.get(host)
        if by_host is None:
            return []
        return sorted([r for rules in by_host.exact.values() for r in rules] + by_host.patterns, key=lambda r: r.order)

    def has_rules(self, host: str) -> bool:
        return host in self._rules

    def rules_matching(self, host: str, path: str) -> list[Rule]:
        """The HTTP rules of `host` whose path matches the normalised `path`, in file order."""
        by_host = self._rules.get(host)
        return [] if by_host is None else by_host.match(path)

    def websocket_rules(self, host: str) -> list[Rule]:
        return self._ws.get(host, [])

    def has_gift_lists(self, host: str) -> bool:
        return host in self._gift_lists

    def gift_list_for(self, host: str, path: str) -> GiftList | None:
        for spec in self._gift_lists.get(host, ()):
            if spec.path.fullmatch(path):
                return spec
        return None

    def passthrough(self, host: str) -> App | None:
        """The app whose `host` is never decrypted, or None."""
        return self._passthrough.get(host)  # type: ignore[return-value]

    def payment_host(self, host: str) -> App | None:
        """The app whose payment host `host` is, or None (refused at connection level when purchases are closed)."""
        return self._payment.get(host)  # type: ignore[return-value]

    def currencies(self) -> dict[str, list[str]]:
        """Every currency a rule may price in (besides request-given ones), with the apps using it."""
        found: dict[str, list[str]] = {}
        for app in self.apps.values():
            for rule in app.rules:
                if rule.currency_field is None and not rule.unknown_amount:
                    code = rule.currency or app.currency
                    if app.id not in found.setdefault(code, []):
                        found[code].append(app.id)
        return found
