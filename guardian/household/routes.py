"""Which notifications go to which of the parent's phone channels: ``[[notifications.channel]]`` in the config.

    [notifications]
    escalate_after = 60            # seconds a question may wait before it is sent again, urgently, everywhere

    [[notifications.channel]]
    id = "mum-bark"                # names the channel; its address is kept apart (a file only the service reads)
    kind = "bark"                  # pushplus, bark, ntfy, dingtalk, feishu, wecom, email or webhook
    name = "Mum's iPhone"          # optional label
    events = ["questions", "refusals", "caps", "bursts", "weekly", "health"]
    per_minute = 20                # optional: the channel's own limits (default: what the service documents)
    per_day = 1000

The address is a secret (a token is enough to write to the parent's phone), so it is never in this file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from guardian.household.tomlfile import Table

# Event groups a channel can take, in the order the dashboard shows them.
EVENTS = ("questions", "refusals", "caps", "bursts", "weekly", "health")
ESCALATE_AFTER = 60  # seconds


@dataclass(frozen=True, slots=True)
class Limits:
    per_minute: int
    per_day: int


# Each service's documented request limits (a self-hosted one gets a sane default). ntfy.sh's own
# 250 a day is applied from the address (guardian.notify.addresses), which this file does not hold.
KINDS: dict[str, Limits] = {
    "pushplus": Limits(5, 200),
    "bark": Limits(30, 2000),
    "ntfy": Limits(30, 2000),
    "dingtalk": Limits(20, 20 * 60 * 24),
    "wecom": Limits(20, 20 * 60 * 24),
    "feishu": Limits(100, 100 * 60 * 24),
    "email": Limits(10, 200),
    "webhook": Limits(60, 10_000),
}
MAX_PER_MINUTE, MAX_PER_DAY = 1000, 100_000
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")


@dataclass(frozen=True, slots=True)
class Route:
    id: str
    kind: str
    name: str
    events: frozenset[str] = frozenset(EVENTS)
    per_minute: int | None = None  # None: the kind's documented limit
    per_day: int | None = None


def channel_id(value: object) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise ValueError(f'expected a short name of small letters, digits and "-", like "mum-phone", got {value!r}')
    return value


def _kind(value: object) -> str:
    if value not in KINDS:
        raise ValueError(f"expected one of {', '.join(KINDS)}, got {value!r}")
    return str(value)


def _label(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        raise ValueError(f"expected a label of 1 to 40 characters, got {value!r}")
    return " ".join(value.split())


def _events(value: object) -> frozenset[str]:
    if not isinstance(value, list) or any(v not in EVENTS for v in value):
        raise ValueError(f"expected a list of {', '.join(repr(e) for e in EVENTS)}, got {value!r}")
    return frozenset(value)


def _count(high: int):
    def parse_count(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
            raise ValueError(f"expected a whole number of messages from 1 to {high}, got {value!r}")
        return value

    return parse_count


def _seconds(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3600:
        raise ValueError(f"expected a whole number of seconds from 0 (never) to 3600, got {value!r}")
    return value


def _route(t: Table) -> Route:
    ident = t.need("id", str, channel_id)
    route = Route(
        id=ident,
        kind=t.need("kind", str, _kind),
        name=t.get("name", _label, ident),
        events=t.get("events", _events, frozenset(EVENTS)),
        per_minute=t.get("per_minute", _count(MAX_PER_MINUTE), None),
        per_day=t.get("per_day", _count(MAX_PER_DAY), None),
    )
    t.done()
    return route


def parse(n: Table) -> tuple[int, tuple[Route, ...]]:
    """``escalate_after`` and the channels from the ``[notifications]`` table (the caller calls ``n.done()``)."""
    escalate = n.get("escalate_after", _seconds, ESCALATE_AFTER)
    n.seen.add("channel")
    raw = n.data.get("channel", [])
    if not isinstance(raw, list):
        raise n.error("channel", "write each channel as a [[notifications.channel]] table")
    routes = tuple(_route(n.at("channel", i, item)) for i, item in enumerate(raw))
    for i, route in enumerate(routes):
        if route.id in (r.id for r in routes[:i]):
            raise n.error(f"channel[{i}].id", f"two channels are called {route.id!r}")
    return escalate, routes


def limits(route: Route, default: Limits) -> Limits:
    """The limits in force: the config's own, else the service's (`default`)."""
    return Limits(route.per_minute or default.per_minute, route.per_day or default.per_day)
