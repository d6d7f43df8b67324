"""The app catalog: which hosts belong to which app, and which requests are purchases.

One TOML file per app (``guardian/apps/*.toml``, plus the parent's own files).
The grammar, with every key, is in docs/rules.md. In short::

    app = "bilibili"                      # id used in config and the ledger
    name = "Bilibili"
    currency = "CNY"                      # what the app's units are worth
    hosts = ["*.bilibili.com"]            # for app windows; "*." covers subdomains
    refusal = { status = 200, json = '{"code": -1, "message": "$message"}' }
    success = { path = "code", values = [0] }   # how a server's answer says "done"

    [[rule]]
    id = "bilibili.gift.sendGold"
    kind = "gift"                          # gift, recharge, superchat, tip, subscription, checkout
    host = "api.live.bilibili.com"
    path = "/xlive/revenue/v1/gift/sendGold"   # "*" one segment, "**" any
    methods = ["POST"]
    amount = ["price", "gift_num"]         # fields multiplied together
    unit = "gold"
    per_currency = "1000"                  # app units per 1 of `currency`
    recipient = ["ruid"]
    requires = "pay_gold"                  # optional: only when this field is present
    free_when = { coin_type = ["silver"] } # optional: not a purchase then
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

from guardian.money import parse_amount
from guardian.request import normalize_host, normalize_path

KINDS = ("gift", "recharge", "superchat", "tip", "subscription", "checkout")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_HOST = re.compile(r"^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$")


class RuleError(ValueError):
    def __init__(self, file: Path | str, key: str, reason: str):
        self.file, self.key, self.reason = str(file), key, reason
        super().__init__(f"{file}: {key}: {reason}" if key else f"{file}: {reason}")


@dataclass(frozen=True, slots=True)
class Success:
    """A server answer counts as done when `path` in its JSON holds one of `values`."""

    path: str
    values: tuple[object, ...]


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
    free_when: tuple[tuple[str, frozenset[str]], ...] = ()
    success: Success | None = None


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


def _path_pattern(text: str) -> re.Pattern[str]:
    norm = normalize_path(text)
    parts = []
    for segment in norm.strip("/").split("/"):
        if segment == "**":
            parts.append(r"(?:/[^/]+)*")
        elif segment == "*":
            parts.append(r"/[^/]+")
        else:
            parts.append("/" + re.escape(segment))
    return re.compile("".join(parts) or "/")


def _need(table: dict, key: str, file: Path, where: str, kind: type | tuple[type, ...] = str) -> object:
    if key not in table:
        raise RuleError(file, f"{where}{key}", "missing")
    value = table[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise RuleError(file, f"{where}{key}", f"expected {names}, got {value!r}")
    return value


def _names(value: object, file: Path, key: str) -> tuple[str, ...]:
    """A name or a list of names (fields, methods, hosts); a bare string is one name, never its letters."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
        raise RuleError(file, key, f"expected a name or a list of names, got {value!r}")
    return tuple(items)


def _success(value: object, file: Path, key: str) -> Success | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("path"), str) or not isinstance(value.get("values"), list):
        raise RuleError(file, key, "expected { path = \"code\", values = [0] }")
    return Success(value["path"], tuple(value["values"]))


_APP_KEYS = {"app", "name", "currency", "hosts", "refusal", "success", "rule", "source"}
_RULE_KEYS = {"id", "kind", "host", "path", "methods", "amount", "unit", "per_currency", "recipient", "requires", "free_when", "success", "note"}


def parse_app(text: str, file: Path) -> App:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise RuleError(file, "", f"not valid TOML: {e}") from None
    for key in data:
        if key not in _APP_KEYS:
            raise RuleError(file, key, "unknown key")
    app_id = _need(data, "app", file, "")
    if not _ID.match(app_id):
        raise RuleError(file, "app", "use lower-case letters, digits, '.', '_' or '-'")
    hosts = tuple(normalize_host(h) for h in _names(_need(data, "hosts", file, "", list), file, "hosts"))
    for h in hosts:
        if not _HOST.match(h):
            raise RuleError(file, "hosts", f"{h!r} is not a host name (a leading \"*.\" covers subdomains)")
    refusal = _need(data, "refusal", file, "", dict)
    try:
        refusal_json = json.loads(_need(refusal, "json", file, "refusal."))
    except json.JSONDecodeError as e:
        raise RuleError(file, "refusal.json", f"not valid JSON: {e}") from None
    status = refusal.get("status", 200)
    if not isinstance(status, int) or not 200 <= status <= 599:
        raise RuleError(file, "refusal.status", f"expected an HTTP status, got {status!r}")
    success = _success(data.get("success"), file, "success")
    currency = _need(data, "currency", file, "")
    rules = []
    for i, raw in enumerate(_need(data, "rule", file, "", list)):
        where = f"rule[{i}]."
        if not isinstance(raw, dict):
            raise RuleError(file, f"rule[{i}]", "expected a [[rule]] table")
        for key in raw:
            if key not in _RULE_KEYS:
                raise RuleError(file, f"{where}{key}", "unknown key")
        kind = _need(raw, "kind", file, where)
        if kind not in KINDS:
            raise RuleError(file, f"{where}kind", f"expected one of {', '.join(KINDS)}")
        amount = _need(raw, "amount", file, where, (list, str))
        amount = (amount,) if isinstance(amount, str) else tuple(amount)
        if not amount or not all(isinstance(a, str) and a for a in amount):
            raise RuleError(file, f"{where}amount", "expected a field name or a list of field names")
        try:
            per_currency = parse_amount(raw.get("per_currency", "1"))
        except ValueError as e:
            raise RuleError(file, f"{where}per_currency", str(e)) from None
        if per_currency == 0:
            raise RuleError(file, f"{where}per_currency", "must be above zero")
        recipient = _names(raw.get("recipient", []), file, f"{where}recipient")
        requires = raw.get("requires")
        if requires is not None and (not isinstance(requires, str) or not requires):
            raise RuleError(file, f"{where}requires", f"expected a field name, got {requires!r}")
        free = raw.get("free_when", {})
        if not isinstance(free, dict):
            raise RuleError(file, f"{where}free_when", "expected a table like { coin_type = [\"silver\"] }")
        free_when = tuple((k, frozenset(_names(v, file, f"{where}free_when.{k}"))) for k, v in free.items())
        host = normalize_host(_need(raw, "host", file, where))
        if not _HOST.match(host) or host.startswith("*."):
            raise RuleError(file, f"{where}host", f"{host!r} is not one host name (rules match exact hosts)")
        rules.append(
            Rule(
                id=_need(raw, "id", file, where),
                app=app_id,
                kind=kind,
                host=host,
                path=_path_pattern(_need(raw, "path", file, where)),
                methods=frozenset(m.upper() for m in _names(raw.get("methods", ["POST"]), file, f"{where}methods")),
                amount=amount,
                unit=raw.get("unit", currency),
                per_currency=per_currency,
                recipient=recipient,
                requires=requires,
                free_when=free_when,
                success=_success(raw.get("success"), file, f"{where}success") or success,
            )
        )
    return App(app_id, data.get("name", app_id), currency, hosts, status, refusal_json, success, tuple(rules))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise RuleError(path, "", f"cannot read the rule file: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise RuleError(path, "", "the rule file is not UTF-8 text") from None


def builtin_files() -> list[tuple[str, str]]:
    folder = resources.files("guardian") / "apps"
    return sorted((f"guardian/apps/{p.name}", p.read_text(encoding="utf-8")) for p in folder.iterdir() if p.name.endswith(".toml"))


class Catalog:
    """All apps, indexed by host so that ordinary traffic costs one or two dict look-ups."""

    def __init__(self, apps: list[App]):
        self.apps = {a.id: a for a in apps}
        self._exact: dict[str, App] = {}
        self._suffix: dict[str, App] = {}
        self._rules: dict[str, list[Rule]] = {}
        for app in apps:
            for host in app.hosts:
                (self._suffix if host.startswith("*.") else self._exact)[host.removeprefix("*.")] = app
            for rule in app.rules:
                self._rules.setdefault(rule.host, []).append(rule)
                self._exact.setdefault(rule.host, app)

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
        app = self._exact.get(host) or self._suffix.get(host)
        if app is not None:
            return app
        dot = host.find(".")
        while dot != -1:
            app = self._suffix.get(host[dot + 1 :])
            if app is not None:
                return app
            dot = host.find(".", dot + 1)
        return None

    def rules_for(self, host: str) -> list[Rule]:
        return self._rules.get(host, [])
