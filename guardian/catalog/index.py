"""The app catalog indexed by host: which app a host belongs to and which of its rules a request may match.

`Catalog.load` reads the shipped rule files (guardian/catalog/apps/*.toml) and the parent's own;
what they hold is in model.py, their grammar in docs/rules.md.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from guardian.catalog.model import App, GiftList, Rule, RuleError
from guardian.catalog.rulefile import parse_app
from guardian.household import tomlfile


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

    def __init__(self, rules: list[Rule]) -> None:
        self.exact: dict[str, list[Rule]] = {}
        self.patterns: list[Rule] = []
        for rule in rules:
            if rule.exact is not None:
                self.exact.setdefault(rule.exact, []).append(rule)
            else:
                self.patterns.append(rule)

    def match(self, path: str) -> list[Rule]:
        found = self.exact.get(path, [])
        if self.patterns:
            extra = [r for r in self.patterns if r.path.fullmatch(path)]
            if extra:
                found = sorted([*found, *extra], key=lambda r: r.order)
        return found

    def all(self) -> list[Rule]:
        return sorted([r for rules in self.exact.values() for r in rules] + self.patterns, key=lambda r: r.order)


_NONE: list = []
_MISS = object()
MAX_GLOB_HOSTS = 4096  # hosts remembered as matching (or not) a rule glob


class HostLists:
    """Rule hosts (exact names and first-label globs) to the items listed under them.

    A host gets the items of every pattern that covers it, in the order they were added. Every look-up is one
    dict look-up: exact hosts are filled in up front; a host under a glob's parent is matched once and then
    remembered (at most MAX_GLOB_HOSTS of them, so a flood of made-up names cannot grow memory).
    """

    def __init__(self, build=list) -> None:
        self._build = build  # turns the list of items into what `get` returns
        self._items: dict[str, list] = {}
        self._globs: dict[str, list[tuple[re.Pattern[str], str]]] = {}  # parent -> (label regex, pattern)
        self._exact: dict[str, object] = {}
        self._known: dict[str, object] = {}  # the exact hosts, and hosts already matched against the globs

    def add(self, pattern: str, item: object) -> None:
        if pattern not in self._items:
            self._items[pattern] = []
            label, _, rest = pattern.partition(".")
            if "*" in label:
                regex = re.compile(".*".join(re.escape(p) for p in label.split("*")))
                self._globs.setdefault(rest, []).append((regex, pattern))
        self._items[pattern].append(item)

    def freeze(self) -> None:
        for pattern in self._items:
            if "*" not in pattern.partition(".")[0]:
                self._exact[pattern] = self._build(self._matching(pattern))
        self._known = dict(self._exact)

    def _matching(self, host: str) -> list:
        order = list(self._items)
        patterns = [host] if host in self._items else []
        label, _, rest = host.partition(".")
        patterns += [p for regex, p in self._globs.get(rest, ()) if regex.fullmatch(label)]
        found: list = []
        for p in sorted(patterns, key=order.index):
            found += [item for item in self._items[p] if not any(item is f for f in found)]  # one rule, two patterns
        return found

    def get(self, host: str):
        """What the host's patterns list (built), or None when no pattern covers it."""
        found = self._known.get(host, _MISS)
        if found is not _MISS:
            return found
        if not self._globs:
            return None
        items = self._matching(host)
        value = self._build(items) if items else None
        if len(self._known) >= len(self._exact) + MAX_GLOB_HOSTS:
            self._known = dict(self._exact)
        self._known[host] = value
        return value


def builtin_files() -> list[tuple[str, str]]:
    folder = resources.files("guardian.catalog") / "apps"
    return sorted(
        (f"guardian/catalog/apps/{p.name}", p.read_text(encoding="utf-8"))
        for p in folder.iterdir()
        if p.name.endswith(".toml")
    )


class Catalog:
    """All apps, indexed by host so that ordinary traffic costs one or two dict look-ups."""

    def __init__(self, apps: list[App]):
        self.apps = {a.id: a for a in apps}
        self._hosts = HostIndex()
        self._passthrough = HostIndex()
        self._payment = HostIndex()
        self._rules = HostLists(_HostRules)
        self._ws = HostLists()
        self._gift_lists = HostLists()
        self._ws_gift_lists = HostLists()
        for app in apps:
            for host in app.hosts:
                self._hosts.add(host, app)
            for host in app.passthrough:
                self._hosts.add(host, app)
                self._passthrough.add(host, app)
            for host in app.payment_hosts:
                self._payment.add(host, app)
            for rule in app.rules:
                for host in rule.hosts:
                    self._hosts.add(host, app, replace=False)
                    (self._ws if rule.transport == "websocket" else self._rules).add(host, rule)
            for spec in app.gift_lists:
                for host in spec.hosts:
                    self._hosts.add(host, app, replace=False)
                    (self._ws_gift_lists if spec.transport == "websocket" else self._gift_lists).add(host, spec)
        for table in (self._rules, self._ws, self._gift_lists, self._ws_gift_lists):
            table.freeze()

    @classmethod
    def load(cls, extra_dirs: list[Path] = ()) -> Catalog:
        files = builtin_files()
        for folder in extra_dirs:
            if folder.is_dir():
                files += sorted((str(p), tomlfile.read(p, "the rule file", RuleError)) for p in folder.glob("*.toml"))
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
        return [] if by_host is None else by_host.all()

    def has_rules(self, host: str) -> bool:
        return self._rules.get(host) is not None

    def rules_matching(self, host: str, path: str) -> list[Rule]:
        """The HTTP rules of `host` whose path matches the normalised `path`, in file order."""
        by_host = self._rules.get(host)
        return _NONE if by_host is None else by_host.match(path)

    def websocket_rules(self, host: str) -> list[Rule]:
        return self._ws.get(host) or _NONE

    def has_gift_lists(self, host: str) -> bool:
        return self._gift_lists.get(host) is not None

    def gift_list_for(self, host: str, path: str) -> GiftList | None:
        for spec in self._gift_lists.get(host) or ():
            if spec.path.fullmatch(path):
                return spec
        return None

    def websocket_gift_lists(self, host: str) -> list[GiftList]:
        """Gift lists a server sends on this host's WebSockets."""
        return self._ws_gift_lists.get(host) or _NONE

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
