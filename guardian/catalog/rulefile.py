"""Parsing one app's rule file (TOML) into an `App`; the grammar is in guardian/catalog/model.py and docs/rules.md.

Every error is a `RuleError` naming the file, the key (``rule[2].amount``),
the reason and, where it can be found, the line.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from fnmatch import translate
from pathlib import Path

from guardian.catalog.model import CONFIDENCE, KINDS, App, GiftList, Match, Rule, RuleError, Success
from guardian.catalog.request import normalize_host, normalize_path
from guardian.household.money import parse_amount
from guardian.household.tomlfile import Table
from guardian.words import LANGUAGES

_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_HOST = re.compile(r"^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$")
_GLOB = re.compile(r"^[a-z0-9-]*\*[a-z0-9*-]*(\.[a-z0-9-]+)+$")  # a glob in the first label only
_RULE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
_CURRENCY = re.compile(r"^[A-Z][A-Z0-9_]{1,15}$")
_APP_KEYS = {
    "app",
    "name",
    "currency",
    "hosts",
    "refusal",
    "success",
    "rule",
    "source",
    "passthrough",
    "payment_hosts",
    "prices",
    "gift_list",
    "missed",
    "shared_hosts",
    "names",
}
_RULE_KEYS = {
    "id", "kind", "host", "path", "methods", "amount", "unit", "per_currency", "recipient", "requires", "free_when",
    "success", "note", "when", "gift_id", "price", "unknown_amount", "currency", "currency_field", "operations",
    "transport", "message", "words", "not_operations", "quantity", "continues", "sources", "confidence",
}  # fmt: skip
_LIST_KEYS = {
    "host", "path", "items", "id", "price", "free_when", "note", "transport", "message", "when", "sources",
    "confidence",
}  # fmt: skip
MESSAGES = ("irc-cheer", "huya-wup")  # WebSocket client messages a rule can read
HTTP_MESSAGES = ("huya-wup",)  # request bodies that are not JSON or a form
LIST_MESSAGES = ("huya-wup",)  # answers a gift list can read besides JSON (a WebSocket gift list needs one)


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
    regex = "".join(parts) or "/"
    if re.fullmatch(regex, ""):  # only "**": the root path too
        regex = f"(?:{regex})|/"
    return re.compile(regex), exact


def _names(value: object) -> tuple[str, ...]:
    """A name or a list of names; a bare string is one name, never its letters."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
        raise ValueError(f"expected a name or a list of names, got {value!r}")
    return tuple(items)


def _field(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a field name, got {value!r}")
    return value


def _fields(value: object) -> tuple[str, ...]:
    if not isinstance(value, (list, str)):
        raise ValueError(f"expected list or str, got {value!r}")
    items = [value] if isinstance(value, str) else value
    if not items or not all(isinstance(v, str) and v for v in items):
        raise ValueError("expected a field name or a list of field names")
    return tuple(items)


def _hosts(value: object) -> tuple[str, ...]:
    hosts = tuple(normalize_host(h) for h in _names(value))
    for h in hosts:
        if not (_HOST.match(h) or _GLOB.match(h)):
            raise ValueError(f'{h!r} is not a host name (a leading "*." covers subdomains)')
    return hosts


def _rule_hosts(value: object) -> tuple[str, ...]:
    """One host or a list: exact names, or a glob in the first label ("webcast*-normal-c-*.amemv.com")."""
    hosts = tuple(normalize_host(h) for h in _names(value))
    for h in hosts:
        if h.startswith("*.") or not (_HOST.match(h) or _GLOB.match(h)):
            raise ValueError(f"{h!r} is not a host name or a one-label glob (rules match exact hosts)")
    return hosts


def _confidence(value: object) -> str:
    if value not in CONFIDENCE:
        raise ValueError(f"expected one of {', '.join(CONFIDENCE)}")
    return value


def _match(t: Table, name: str) -> Match:
    """A table of field = value(s), e.g. free_when = { coin_type = ["silver"] }."""
    m = t.table(name, 'expected a table like { coin_type = ["silver"] }')
    return tuple((k, frozenset(str(v) for v in m.get(k, _names, ()))) for k in m.data)


def _success(value: object) -> Success:
    if not (isinstance(value, dict) and isinstance(value.get("path"), str) and isinstance(value.get("values"), list)):
        raise ValueError('expected { path = "code", values = [0] }')
    return Success(value["path"], tuple(value["values"]))


def _currency(value: object) -> str:
    if not isinstance(value, str) or not _CURRENCY.match(value):
        raise ValueError(f'expected a currency code like "CNY" or "ROBUX" (upper case), got {value!r}')
    return value


def _positive(value: object) -> Decimal:
    number = parse_amount(value)
    if number == 0:
        raise ValueError("must be above zero")
    return number


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON: {e}") from None


def _status(value: object) -> int:
    if not isinstance(value, int) or not 200 <= value <= 599:
        raise ValueError(f"expected an HTTP status, got {value!r}")
    return value


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _transport(value: object) -> str:
    if value not in ("http", "websocket"):
        raise ValueError('expected "http" or "websocket"')
    return value


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 60:
        raise ValueError(f"expected the app's name (1 to 60 characters), got {value!r}")
    return value.strip()


def _names_in(t: Table) -> dict[str, str]:
    """names = { zh = "抖音" }: the app's own name per language."""
    n = t.table("names", 'expected a table like { zh = "抖音" }')
    for language in n.data:
        if language not in LANGUAGES:
            raise n.error(language, f"unknown language; expected {' or '.join(LANGUAGES)}")
    return {language: n.get(language, _name, "") for language in LANGUAGES if language in n.data}


def parse_app(text: str, file: Path) -> App:
    t = Table.parse(text, file, RuleError)
    t.only(_APP_KEYS)
    app_id = t.need("app")
    if not _ID.match(app_id):
        raise t.error("app", "use lower-case letters, digits, '.', '_' or '-'")
    hosts = t.need("hosts", list, _hosts)
    passthrough = t.get("passthrough", _hosts, ())
    payment = t.get("payment_hosts", _hosts, ())
    t.need("refusal", dict)
    refusal = t.table("refusal")
    refusal_json = refusal.need("json", str, _json)
    status = refusal.get("status", _status, 200)
    success = t.get("success", _success, None)
    currency = t.need("currency", str, _currency)
    p = t.table("prices", 'expected a table like { "31036" = "100" }')
    prices = {str(k): p.get(k, parse_amount, Decimal(0)) for k in p.data}
    raw_rules = t.need("rule", list) if "rule" in t.data or not (passthrough or payment) else []
    rules = [
        _rule(t.at("rule", i, raw, "expected a [[rule]] table"), i, app_id, currency, success)
        for i, raw in enumerate(raw_rules)
    ]
    ids = [r.id for r in rules]
    for i, rule_id in enumerate(ids):
        if rule_id in ids[:i]:
            raise t.source.fail(f"rule[{i}].id", f"two rules are called {rule_id!r}")
    raw_lists = t.need("gift_list", list) if "gift_list" in t.data else []
    lists = [
        _gift_list(t.at("gift_list", i, raw, "expected a [[gift_list]] table"), app_id)
        for i, raw in enumerate(raw_lists)
    ]
    return App(
        app_id, t.get("name", _name, app_id), currency, hosts, status, refusal_json, success, tuple(rules),
        passthrough, payment, tuple(lists), prices, str(t.data.get("source", "")), _names_in(t),
        missed=t.get("missed", _names, ()), shared_hosts=t.get("shared_hosts", _hosts, ()),
    )  # fmt: skip


def _rule(r: Table, i: int, app_id: str, currency: str, success: Success | None) -> Rule:
    r.only(_RULE_KEYS)
    rule_id = r.need("id")
    if not _RULE_ID.match(rule_id):
        raise r.error("id", "use letters, digits, '.', '_' or '-' (at most 80)")
    kind = r.need("kind")
    if kind not in KINDS:
        raise r.error("kind", f"expected one of {', '.join(KINDS)}")
    unknown = r.get("unknown_amount", _flag, False)
    transport = r.get("transport", _transport, "http")
    message = r.data.get("message")
    if transport == "websocket" and message not in MESSAGES:
        raise r.error("message", f"a WebSocket rule needs message = one of {', '.join(MESSAGES)}")
    if transport == "http" and message not in (None, *HTTP_MESSAGES):
        raise r.error("message", f"an HTTP rule's message is one of {', '.join(HTTP_MESSAGES)}")
    raw = r.data
    amount: tuple[str, ...] = ()
    if unknown:
        if "amount" in raw or "gift_id" in raw or "price" in raw or "quantity" in raw:
            raise r.error(
                "unknown_amount", "a rule with unknown_amount = true has no amount, gift_id, price or quantity"
            )
    elif message != "irc-cheer":
        if "amount" not in raw and "price" not in raw:
            raise r.error("amount", "missing")
        amount = r.get("amount", _fields, ())
    if "gift_id" in raw and not amount:
        raise r.error("amount", "a gift rule needs the count field(s) in amount")
    hosts = r.need("host", (str, list), _rule_hosts)
    path, exact = path_pattern(r.need("path"))
    operation_text, not_operation_text = r.get("operations", _names, ()), r.get("not_operations", _names, ())
    operations = tuple(re.compile(translate(p.lower())) for p in operation_text)
    not_operations = tuple(re.compile(translate(p.lower())) for p in not_operation_text)
    if not_operations and not operations:
        raise r.error("not_operations", "only with operations")
    return Rule(
        id=rule_id,
        app=app_id,
        kind=kind,
        hosts=hosts,
        path=path,
        methods=frozenset(m.upper() for m in r.get("methods", _names, ("POST",))),
        amount=amount,
        unit=str(raw.get("unit", raw.get("currency", currency))),
        per_currency=r.get("per_currency", _positive, Decimal(1)),
        recipient=r.get("recipient", _names, ()),
        requires=r.get("requires", _field, None),
        free_when=_match(r, "free_when"),
        success=r.get("success", _success, None) or success,
        when=_match(r, "when"),
        gift_id=r.get("gift_id", _field, None),
        price=r.get("price", _field, None),
        unknown_amount=unknown,
        currency=r.get("currency", _currency, None),
        currency_field=r.get("currency_field", _field, None),
        operations=operations,
        transport=transport,
        message=message,
        words=frozenset(w.lower() for w in r.get("words", _names, ())),
        exact=exact,
        order=i,
        not_operations=not_operations,
        quantity=r.get("quantity", _field, None),
        continues=r.get("continues", _names, ()),
        sources=r.get("sources", _names, ()),
        confidence=r.get("confidence", _confidence, None),
        path_text=str(raw["path"]),
        operation_text=operation_text,
        not_operation_text=not_operation_text,
    )


def _gift_list(g: Table, app_id: str) -> GiftList:
    g.only(_LIST_KEYS)
    hosts = g.need("host", (str, list), _rule_hosts)
    path, _ = path_pattern(g.need("path"))
    transport = g.get("transport", _transport, "http")
    message = g.data.get("message")
    if message not in ((None,) if transport == "http" else ()) + LIST_MESSAGES:
        raise g.error("message", f"a gift list's message is one of {', '.join(LIST_MESSAGES)}")
    return GiftList(
        app_id,
        hosts,
        path,
        g.need("items", (str, list), _fields),
        g.need("id"),
        g.need("price", (str, list), _fields),
        _match(g, "free_when"),
        transport,
        message,
        _match(g, "when"),
        g.get("sources", _names, ()),
        g.get("confidence", _confidence, None),
    )
