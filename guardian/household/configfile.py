"""Reading the household config file (TOML) into a `Config`.

Every error names the file, the key and the reason, e.g.
``guardian.toml: child[0].caps.day: expected an amount like "30" ...``.
Unknown keys are errors too, so a typo never silently drops a limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from guardian.household import routes, tomlfile
from guardian.household.config import (
    ALLOW,
    MAX_PER_MINUTE,
    UNKNOWN_AMOUNT,
    Ask,
    Caps,
    Child,
    Config,
    ConfigError,
    Household,
    Listen,
)
from guardian.household.devices import Device, DeviceMap, device_key
from guardian.household.money import Money, parse_amount
from guardian.household.periods import WEEKDAYS
from guardian.household.tomlfile import Table
from guardian.household.when import USUAL_HOURS, Weekly, parse_quiet
from guardian.household.when import keep_days as _keep_days
from guardian.household.windows import UNRESTRICTED, Schedule
from guardian.words import DEFAULT as DEFAULT_LANGUAGE
from guardian.words import parse as parse_language

T = TypeVar("T")
UNKNOWN_KEY = "unknown key (check the spelling against the README's config reference)"


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected text, got {value!r}")
    return value.strip()


def _account(value: object) -> str:
    """An operating-system account name (Linux, macOS or Windows): no path, quote or control characters."""
    text = _text(value)
    if len(text) > 64 or re.search(r'[\x00-\x1f\x7f/\\:*?"<>|@\[\]]', text):
        raise ValueError(f'expected the name of an account on this computer, like "dad", got {value!r}')
    return text


def _currency(value: object) -> str:
    text = _text(value).upper()
    if len(text) != 3 or not text.isalpha():
        raise ValueError(f'expected a three-letter currency code like "CNY", got {value!r}')
    return text


def _timezone(value: object) -> str:
    text = _text(value)
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f'unknown time zone {text!r}; use a name like "Asia/Shanghai" or "Europe/Berlin"') from None
    return text


def _weekday(value: object) -> int:
    text = _text(value).lower()
    if text not in WEEKDAYS:
        raise ValueError(f'expected a weekday name like "monday", got {value!r}')
    return WEEKDAYS.index(text)


def _per_minute(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PER_MINUTE:
        raise ValueError(f"expected a whole number of purchases from 0 to {MAX_PER_MINUTE}, got {value!r}")
    return value


def _rates(value: object) -> dict[str, Decimal]:
    if not isinstance(value, dict):
        raise ValueError('expected a table like { USD = "7.2" }')
    rates = {}
    for code, rate in value.items():
        try:
            number = parse_amount(rate if isinstance(rate, str) else str(rate))
        except ValueError:
            raise ValueError(f'rate for {code}: expected a positive number as text like "7.2", got {rate!r}') from None
        if number == 0:
            raise ValueError(f"rate for {code} must be above zero")
        rates[str(code).upper()] = number
    return rates


def _whole(unit: str, low: int, high: int) -> Callable[[Any], int]:
    def parse_whole(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"expected a whole number of {unit} from {low} to {high}, got {value!r}")
        return value

    return parse_whole


def _unknown_amount(value: object) -> str:
    if value not in UNKNOWN_AMOUNT:
        raise ValueError(f"expected one of {', '.join(repr(v) for v in UNKNOWN_AMOUNT)}, got {value!r}")
    return str(value)


def _list[T](parse: Callable[[Any], T]) -> Callable[[Any], tuple[T, ...]]:
    def parse_list(value: object) -> tuple[T, ...]:
        if not isinstance(value, list):
            raise ValueError(f"expected a list, got {value!r}")
        return tuple(parse(v) for v in value)

    return parse_list


def _child(t: Table, currency: str, known_apps: Iterable[str]) -> Child:
    name = t.get("name", _text, "")
    if not name:
        raise t.error("name", "every child needs a name")
    devices = t.get("devices", _list(Device.parse), ())
    unknown_amount = t.get("unknown_amount", _unknown_amount, "refuse")
    c = t.table("caps")
    money = lambda v: Money.parse(v, currency)  # noqa: E731
    caps = Caps(
        per_purchase=c.get("per_purchase", money, None),
        day=c.get("day", money, None),
        week=c.get("week", money, None),
        month=c.get("month", money, None),
        per_minute=c.get("per_minute", _per_minute, None),
    )
    c.done()
    w = t.table("windows")
    purchases = w.get("purchases", Schedule.parse, UNRESTRICTED)
    a = w.table("apps")
    known = set(known_apps)
    apps = {}
    for app in list(a.data):
        if known and app not in known:
            raise a.error(app, f"unknown app; known apps: {', '.join(sorted(known))}")
        apps[app] = a.get(app, Schedule.parse, UNRESTRICTED)
    a.done()
    w.done()
    usual_hours = t.get("usual_hours", Schedule.parse, None)
    ask = _ask(t.table("ask"), currency, known)
    t.done()
    return Child(name, devices, caps, purchases, apps, usual_hours, ask, unknown_amount=unknown_amount)


def _ask(t: Table, currency: str, known: set[str]) -> Ask:
    def app_id(value: object) -> str:
        text = _text(value)
        if known and text not in known:
            raise ValueError(f"unknown app {text!r}; known apps: {', '.join(sorted(known))}")
        return text

    ask = Ask(
        over=t.get("over", lambda v: Money.parse(v, currency), None),
        apps=t.get("apps", _list(app_id), ()),
        wait=t.get("wait", _whole("seconds", 0, 300), 25),
        valid=t.get("valid", _whole("minutes", 1, 1440), 30),
    )
    t.done()
    return ask


def parse(text: str, path: Path, known_apps: Iterable[str] = ()) -> Config:
    """Parse config text; `path` names the file in errors and anchors relative paths."""
    root = Table.parse(text, path, ConfigError, UNKNOWN_KEY)
    h = root.table("household")
    household = Household(
        currency=h.get("currency", _currency, "CNY"),
        timezone=h.get("timezone", _timezone, "Asia/Shanghai"),
        week_starts=h.get("week_starts", _weekday, 0),
        unknown_devices=h.get("unknown_devices", _text, ALLOW),
        rates=h.get("rates", _rates, {}),
        quiet_warning=h.get("quiet_warning", parse_quiet, timedelta(hours=2)),
        usual_hours=h.get("usual_hours", Schedule.parse, USUAL_HOURS),
        language=h.get("language", parse_language, DEFAULT_LANGUAGE),
    )
    h.done()
    s = root.table("storage")
    storage = Path(s.get("path", _text, "guardian.db"))
    keep = s.get("keep_days", _keep_days, 730)
    s.done()
    p = root.table("proxy")
    proxy = p.get("listen", Listen.parse, Listen("127.0.0.1", 8080))
    p.done()
    d = root.table("dashboard")
    dashboard = d.get("listen", Listen.parse, Listen("127.0.0.1", 8765))
    d.done()
    n = root.table("notifications")
    weekly = n.get("weekly", Weekly.parse, Weekly(6, 19, 0))
    desktop_user = n.get("desktop_user", _account, None)
    escalate_after, channels = routes.parse(n)
    n.done()
    root.seen.add("child")
    raw_children = root.data.get("child", [])
    if not isinstance(raw_children, list):
        raise ConfigError(path, "child", "write each child as a [[child]] table")
    children = tuple(_child(root.at("child", i, c), household.currency, known_apps) for i, c in enumerate(raw_children))
    root.done()

    names = [c.name for c in children]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise ConfigError(path, f"child[{i}].name", f"two children are called {name!r}")
    if household.unknown_devices != ALLOW and household.unknown_devices not in names:
        raise ConfigError(
            path,
            "household.unknown_devices",
            f'expected "allow" or a child\'s name ({", ".join(names) or "no children yet"})',
        )
    owners: list[tuple[Device, str]] = []
    seen: dict[str, str] = {}
    for i, child in enumerate(children):
        for device in child.devices:
            # Compare what the device matches, not how it is written: "10.0.0.2" is "10.0.0.2/32".
            same = device_key(str(device.network), user=device.user, tunnel=device.tunnel)
            if same in seen:
                raise ConfigError(path, f"child[{i}].devices", f"{device.text} is already listed for {seen[same]}")
            seen[same] = child.name
            owners.append((device, child.name))
    if not storage.is_absolute():
        storage = path.parent / storage
    devices = DeviceMap(owners)
    return Config(
        path,
        household,
        children,
        storage,
        proxy,
        dashboard,
        devices,
        weekly,
        keep,
        desktop_user,
        channels,
        escalate_after,
    )


def load(path: Path | str, known_apps: Iterable[str] = ()) -> Config:
    path = Path(path)
    return parse(tomlfile.read(path, "the config", ConfigError), path, known_apps)
