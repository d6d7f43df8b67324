"""What the catalog covers, per app: its rules with their sources and confidence, the hosts controlled by host
only, the hosts left alone, and what is known to be missed (`guardian rules coverage`, the dashboard's Apps page).
"""

from __future__ import annotations

from dataclasses import dataclass

from guardian.catalog.index import Catalog, HostIndex
from guardian.catalog.model import App, Rule
from guardian.words import N_

# What a rule reads, in the words of the README's "Apps covered" table (translated where shown).
AMOUNT, UNKNOWN = N_("amount"), N_("amount unknown")
HOST_ONLY, SOME_UNKNOWN = N_("host only"), N_("amount; some amount unknown")
CONFIDENCE_WORDS = (N_("high"), N_("medium"), N_("low"), N_("not given"))


@dataclass(frozen=True, slots=True)
class RuleCoverage:
    id: str
    kind: str
    where: str  # "POST api.live.bilibili.com/xlive/..." or "WebSocket cdnws.api.huya.com (huya-wup)"
    reads: str  # AMOUNT or UNKNOWN
    confidence: str  # high, medium, low, or "not given"
    sources: tuple[str, ...]
    continues: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AppCoverage:
    id: str
    name: str
    currency: str
    rules: tuple[RuleCoverage, ...]
    gift_lists: tuple[RuleCoverage, ...]
    host_only: tuple[str, ...]  # refused while the child may not buy (or use the app); otherwise untouched
    not_decrypted: tuple[str, ...]
    left_alone: tuple[str, ...]
    missed: tuple[str, ...]
    source: str

    @property
    def seen(self) -> str:
        """What the proxy can see of the app's purchases."""
        reads = {r.reads for r in self.rules}
        if not reads:
            return HOST_ONLY
        return AMOUNT if reads == {AMOUNT} else UNKNOWN if reads == {UNKNOWN} else SOME_UNKNOWN


def _where(rule: Rule) -> str:
    hosts = ", ".join(rule.hosts)
    if rule.transport == "websocket":
        return f"WebSocket {hosts} ({rule.message})"
    methods = "/".join(sorted(rule.methods))
    names = f" operations {', '.join(rule.operation_text)}" if rule.operation_text else ""
    if rule.not_operation_text:
        names += f" except {', '.join(rule.not_operation_text)}"
    body = f" ({rule.message})" if rule.message else ""
    return f"{methods} {hosts} {rule.path_text}{body}{names}"


def _rule(rule: Rule) -> RuleCoverage:
    reads = UNKNOWN if rule.unknown_amount else AMOUNT
    return RuleCoverage(
        rule.id, rule.kind, _where(rule), reads, rule.confidence or "not given", rule.sources, rule.continues
    )


def _host_only(app: App) -> tuple[str, ...]:
    """Payment hosts and pass-through hosts that no rule of the app reads requests on."""
    ruled = HostIndex()
    for rule in app.rules:
        for host in rule.hosts:
            ruled.add(host, rule)
    found = [h for h in app.payment_hosts if h in app.passthrough or ruled.get(h.removeprefix("*.")) is None]
    return tuple(dict.fromkeys([*found, *app.passthrough]))


def app_coverage(app: App) -> AppCoverage:
    return AppCoverage(
        id=app.id,
        name=app.name,
        currency=app.currency,
        rules=tuple(_rule(r) for r in app.rules),
        gift_lists=tuple(
            RuleCoverage(
                "gift list",
                "gift list",
                f"{', '.join(g.hosts)} ({g.transport})",
                AMOUNT,
                g.confidence or "not given",
                g.sources,
            )
            for g in app.gift_lists
        ),  # fmt: skip
        host_only=_host_only(app),
        not_decrypted=app.passthrough,
        left_alone=app.shared_hosts,
        missed=app.missed,
        source=app.source,
    )


def coverage(catalog: Catalog) -> list[AppCoverage]:
    """Every app, by name."""
    return [app_coverage(a) for a in sorted(catalog.apps.values(), key=lambda a: a.name.lower())]
