"""Parsing one app's rule file (TOML) into an `App`; the grammar is in guardian/catalog.py and docs/rules.md.

Every error is a `RuleError` naming the file, the key (``rule[2].amount``),
the reason and, where it can be found, the line.
"""

from __future__ import annotations

import json
import re
import tomllib
from decimal import Decimal
from fnmatch import translate
from pathlib import Path

from guardian.catalog.catalog import KINDS, App, GiftList, Match, Rule, RuleError, Success
from guardian.household.money import parse_amount
from guardian.catalog.request import normalize_host, normalize_path

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_HOST = re.compile(r"^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$")
_GLOB = re.compile(r"^[a-z0-9-]*\*[a-z0-9*-]*(\.[a-z0-9-]+)+$")  # a glob in the first label only
_RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
_CURRENCY = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")
_APP_KEYS = {"app", "name", "currency", "hosts", "refusal", "success", "rule", "source", "passthrough", "payment_hosts", "prices", "gift_list"}
_RULE_KEYS = {
    "id", "kind", "host", "path", "methods", "amount", "unit", "per_currency", "recipient", "requires", "free_when",
    "success", "note", "when", "gift_id", "price", "unknown_amount", "currency", "currency_field", "operations",
    "transport", "message", "words",
}  # fmt: skip
_LIST_KEYS = {"host", "path", "items", "id", "price", "free_when", "note"}
MESSAGES = ("irc-cheer",)


def path_pattern(text: str) -> tuple[re.Pattern[str], str | None]:
    """The compiled path pattern and, when it has no wildcard, the normalised path itself."""
    norm = normalize_path(text)
    parts = []
    for segment in norm.strip("/").split("/"):
        if segment == "**":
            parts.append(r"(?:/[^/]+)*")
        elif segment == "*":
            parts.append(r"/[^/]+")
        else:
            parts.append("/" + re.escape(segment))
    exact = None if "*" in norm.split("/") or "**" in norm.split("/") else norm
    return re.compile("".join(parts) or "/"), exact


class _File:
    def __init__(self, file: Path, text: str):
        self.file, self.text = file, text

    def error(self, key: str, reason: str) -> RuleError:
        return RuleError(self.file, key, reason, locate(self.text, key))

    def need(self, table: dict, key: str, where: str, kind: type | tuple[type, ...] = str) -> object:
        if key not in table:
            raise self.error(f"{where}{key}" if where else key, "missing")
        value = table[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise self.error(f"{where}{key}", f"expected {names}, got {value!r}")
        return value

    def names(self, value: object, key: str) -> tuple[str, ...]:
        """A name or a list of names; a bare string is one name, never its letters."""
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
            raise self.error(key, f"expected a name or a list of names, got {value!r}")
        return tuple(items)

    def field(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.error(key, f"expected a field name, got {value!r}")
        return value

    def fields(self, value: object, key: str) -> tuple[str, ...]:
        if not isinstance(value, (list, str)):
            raise self.error(key, f"expected list or str, got {value!r}")
        items = [value] if isinstance(value, str) else value
        if not items or not all(isinstance(v, str) and v for v in items):
            raise self.error(key, "expected a field name or a list of field names")
        return tuple(items)

    def hosts(self, value: object, key: str) -> tuple[str, ...]:
        hosts = tuple(normalize_host(h) for h in self.names(value, key))
        for h in hosts:
            if not (_HOST.match(h) or _GLOB.match(h)):
                raise self.error(key, f"{h!r} is not a host name (a leading \"*.\" covers subdomains)")
        return hosts

    def match(self, value: object, key: str) -> Match:
        if not isinstance(value, dict):
            raise self.error(key, "expected a table like { coin_type = [\"silver\"] }")
        return tuple((k, frozenset(str(v) for v in self.names(v, f"{key}.{k}"))) for k, v in value.items())

    def success(self, value: object, key: str) -> Success | None:
        if value is None:
            return None
        if not isinstance(value, dict) or not isinstance(value.get("path"), str) or not isinstance(value.get("values"), list):
            raise self.error(key, "expected { path = \"code\", values = [0] }")
        return Success(value["path"], tuple(value["values"]))

    def currency(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not _CURRENCY.match(value):
            raise self.error(key, f"expected a currency code like \"CNY\" or \"ROBUX\" (upper case), got {value!r}")
        return value

    def decimal(self, value: object, key: str, positive: bool = True) -> Decimal:
        try:
            number = parse_amount(value)
        except ValueError as e:
            raise self.error(key, str(e)) from None
        if positive and number == 0:
            raise self.error(key, "must be above zero")
        return number


def parse_app(text: str, file: Path) -> App:
    f = _File(file, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+)", str(e))
        line = int(m.group(1)) if m else len(text.splitlines()) if "end of document" in str(e) else None
        raise RuleError(file, "", f"not valid TOML: {e}", line) from None
    for key in data:
        if key not in _APP_KEYS:
            raise f.error(key, "unknown key")
    app_id = f.need(data, "app", "")
    if not _ID.match(app_id):
        raise f.error("app", "use lower-case letters, digits, '.', '_' or '-'")
    hosts = f.hosts(f.need(data, "hosts", "", list), "hosts")
    passthrough = f.hosts(data.get("passthrough", []), "passthrough")
    payment = f.hosts(data.get("payment_hosts", []), "payment_hosts")
    refusal = f.need(data, "refusal", "", dict)
    try:
        refusal_json = json.loads(f.need(refusal, "json", "refusal."))
    except json.JSONDecodeError as e:
        raise f.error("refusal.json", f"not valid JSON: {e}") from None
    status = refusal.get("status", 200)
    if not isinstance(status, int) or not 200 <= status <= 599:
        raise f.error("refusal.status", f"expected an HTTP status, got {status!r}")
    success = f.success(data.get("success"), "success")
    currency = f.currency(f.need(data, "currency", ""), "currency")
    raw_prices = data.get("prices", {})
    if not isinstance(raw_prices, dict):
        raise f.error("prices", "expected a table like { \"31036\" = \"100\" }")
    prices = {str(k): f.decimal(v, f"prices.{k}", positive=False) for k, v in raw_prices.items()}
    rules = [_rule(f, raw, i, app_id, currency, success) for i, raw in enumerate(f.need(data, "rule", "", list) if "rule" in data or not (passthrough or payment) else [])]
    ids = [r.id for r in rules]
    for i, rule_id in enumerate(ids):
        if rule_id in ids[:i]:
            raise f.error(f"rule[{i}].id", f"two rules are called {rule_id!r}")
    lists = [_gift_list(f, raw, i, app_id) for i, raw in enumerate(data.get("gift_list", []))]
    return App(
        app_id, data.get("name", app_id), currency, hosts, status, refusal_json, success, tuple(rules),
        passthrough, payment, tuple(lists), prices, str(data.get("source", "")),
    )  # fmt: skip


def _rule(f: _File, raw: object, i: int, app_id: str, currency: str, success: Success | None) -> Rule:
    where = f"rule[{i}]."
    if not isinstance(raw, dict):
        raise f.error(f"rule[{i}]", "expected a [[rule]] table")
    for key in raw:
        if key not in _RULE_KEYS:
            raise f.error(f"{where}{key}", "unknown key")
    rule_id = f.need(raw, "id", where)
    if not _RULE_ID.match(rule_id):
        raise f.error(f"{where}id", "use letters, digits, '.', '_' or '-' (at most 80)")
    kind = f.need(raw, "kind", where)
    if kind not in KINDS:
        raise f.error(f"{where}kind", f"expected one of {', '.join(KINDS)}")
    unknown = raw.get("unknown_amount", False)
    if not isinstance(unknown, bool):
        raise f.error(f"{where}unknown_amount", f"expected true or false, got {unknown!r}")
    transport = raw.get("transport", "http")
    if transport not in ("http", "websocket"):
        raise f.error(f"{where}transport", "expected \"http\" or \"websocket\"")
    message = raw.get("message")
    if transport == "websocket" and message not in MESSAGES:
        raise f.error(f"{where}message", f"a WebSocket rule needs message = one of {', '.join(MESSAGES)}")
    amount: tuple[str, ...] = ()
    if unknown:
        if "amount" in raw or "gift_id" in raw or "price" in raw:
            raise f.error(f"{where}unknown_amount", "a rule with unknown_amount = true has no amount, gift_id or price")
    elif transport == "http":
        if "amount" not in raw and "price" not in raw:
            raise f.error(f"{where}amount", "missing")
        amount = f.fields(raw["amount"], f"{where}amount") if "amount" in raw else ()
    if "gift_id" in raw and not amount:
        raise f.error(f"{where}amount", "a gift rule needs the count field(s) in amount")
    host = normalize_host(f.need(raw, "host", where))
    if not _HOST.match(host) or "*" in host:
        raise f.error(f"{where}host", f"{host!r} is not one host name (rules match exact hosts)")
    path, exact = path_pattern(f.need(raw, "path", where))
    operations = tuple(re.compile(translate(p.lower())) for p in f.names(raw.get("operations", []), f"{where}operations"))
    opt = lambda key: None if key not in raw else f.field(raw[key], f"{where}{key}")  # noqa: E731
    return Rule(
        id=rule_id,
        app=app_id,
        kind=kind,
        host=host,
        path=path,
        methods=frozenset(m.upper() for m in f.names(raw.get("methods", ["POST"]), f"{where}methods")),
        amount=amount,
        unit=str(raw.get("unit", raw.get("currency", currency))),
        per_currency=f.decimal(raw.get("per_currency", "1"), f"{where}per_currency"),
        recipient=f.names(raw.get("recipient", []), f"{where}recipient"),
        requires=opt("requires"),
        free_when=f.match(raw.get("free_when", {}), f"{where}free_when"),
        success=f.success(raw.get("success"), f"{where}success") or success,
        when=f.match(raw.get("when", {}), f"{where}when"),
        gift_id=opt("gift_id"),
        price=opt("price"),
        unknown_amount=unknown,
        currency=None if "currency" not in raw else f.currency(raw["currency"], f"{where}currency"),
        currency_field=opt("currency_field"),
        operations=operations,
        transport=transport,
        message=message,
        words=frozenset(w.lower() for w in f.names(raw.get("words", []), f"{where}words")) if "words" in raw else frozenset(),
        exact=exact,
        order=i,
    )


def _gift_list(f: _File, raw: object, i: int, app_id: str) -> GiftList:
    where = f"gift_list[{i}]."
    if not isinstance(raw, dict):
        raise f.error(f"gift_list[{i}]", "expected a [[gift_list]] table")
    for key in raw:
        if key not in _LIST_KEYS:
            raise f.error(f"{where}{key}", "unknown key")
    host = normalize_host(f.need(raw, "host", where))
    if not _HOST.match(host) or "*" in host:
        raise f.error(f"{where}host", f"{host!r} is not one host name")
    path, _ = path_pattern(f.need(raw, "path", where))
    return GiftList(
        app_id, host, path, f.need(raw, "items", where), f.need(raw, "id", where), f.need(raw, "price", where),
        f.match(raw.get("free_when", {}), f"{where}free_when"),
    )  # fmt: skip


_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"-]+)\s*\]\]?")


def locate(text: str, key: str) -> int | None:
    """The 1-based line where `key` (``hosts``, ``refusal.json``, ``rule[2].amount``) is written, if found."""
    if not key:
        return None
    lines = text.splitlines()
    m = re.match(r"^(\w+)\[(\d+)\](?:\.(.*))?$", key)
    if m:
        table, index, rest = m.group(1), int(m.group(2)), m.group(3)
        seen, start = -1, None
        for n, line in enumerate(lines):
            h = _HEADER.match(line)
            if h and line.lstrip().startswith("[[") and h.group(1) == table:
                seen += 1
                if seen == index:
                    start = n
                    break
        if start is None:
            return None
        if not rest:
            return start + 1
        return _find_key(lines, start + 1, rest.split(".")[0]) or start + 1
    first, _, sub = key.partition(".")
    found = _find_key(lines, 0, first)
    if found is None:
        for n, line in enumerate(lines):
            h = _HEADER.match(line)
            if h and h.group(1) == first:
                return (_find_key(lines, n + 1, sub.split(".")[0]) if sub else None) or n + 1
    return found


def _find_key(lines: list[str], start: int, name: str) -> int | None:
    """The line of `name = ...` from `start` up to the next table header."""
    pattern = re.compile(rf"^\s*\"?{re.escape(name)}\"?\s*=")
    for n in range(start, len(lines)):
        if _HEADER.match(lines[n]):
            return None
        if pattern.match(lines[n]):
            return n + 1
    return None
