"""The household config's values: the household, each child's caps, windows and devices, where things listen.

The TOML file the parent writes (or the dashboard edits) is read by configfile.py;
see README.md ("Config reference") and examples/guardian.toml.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from guardian.household.devices import Device, DeviceMap
from guardian.household.money import Money
from guardian.household.periods import Calendar
from guardian.household.routes import ESCALATE_AFTER, Route
from guardian.household.tomlfile import FileError
from guardian.household.when import USUAL_HOURS, Weekly
from guardian.household.windows import UNRESTRICTED, Schedule
from guardian.words import DEFAULT as DEFAULT_LANGUAGE

ALLOW = "allow"
MAX_PER_MINUTE = 1000  # caps.per_minute
UNKNOWN_AMOUNT = ("refuse", "ask", "allow")  # what a child's unknown_amount may say


class ConfigError(FileError):
    """A mistake in the config: `str()` names the file, the key and the reason."""


@dataclass(frozen=True, slots=True)
class Caps:
    per_purchase: Money | None = None
    day: Money | None = None
    week: Money | None = None
    month: Money | None = None
    per_minute: int | None = None

    def with_extra(self, extra: Decimal) -> Caps:
        """The caps in force with a parent's extra allowance for today: the day cap raised by `extra`."""
        if self.day is None or not extra:
            return self
        return replace(self, day=Money(self.day.amount + extra, self.day.currency))


@dataclass(frozen=True, slots=True)
class Ask:
    """When a purchase waits for a parent: above `over`, or always for `apps`.

    The request is held `wait` seconds; a late yes stays usable for `valid` minutes.
    """

    over: Money | None = None
    apps: tuple[str, ...] = ()
    wait: int = 25
    valid: int = 30

    def needed(self, app: str, amount: Money | None) -> bool:
        if app in self.apps:
            return True
        return self.over is not None and amount is not None and amount.amount > self.over.amount


@dataclass(frozen=True, slots=True)
class Child:
    name: str
    devices: tuple[Device, ...] = ()
    caps: Caps = Caps()
    purchases: Schedule = UNRESTRICTED
    apps: dict[str, Schedule] = field(default_factory=dict)
    usual_hours: Schedule | None = None  # when its devices are normally in use; None: the household's
    ask: Ask = Ask()
    unknown_amount: str = "refuse"  # a purchase whose amount the request does not carry: refuse, ask or allow

    def app_schedule(self, app: str) -> Schedule:
        return self.apps.get(app, UNRESTRICTED)


@dataclass(frozen=True, slots=True)
class Listen:
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Listen:
        if not isinstance(text, str) or ":" not in text:
            raise ValueError(f'expected HOST:PORT like "127.0.0.1:8080", got {text!r}')
        host, _, port = text.rpartition(":")
        if not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536 or not host:
            raise ValueError(f'expected HOST:PORT like "127.0.0.1:8080", got {text!r}')
        return cls(host.strip("[]"), int(port))


@dataclass(frozen=True, slots=True)
class Household:
    currency: str = "CNY"
    timezone: str = "Asia/Shanghai"
    week_starts: int = 0
    unknown_devices: str = ALLOW  # "allow" or a child's name
    rates: dict[str, Decimal] = field(default_factory=dict)  # 1 unit of key = value household money
    quiet_warning: timedelta | None = timedelta(hours=2)  # warn when a device is silent this long in usual hours
    usual_hours: Schedule = USUAL_HOURS
    language: str = DEFAULT_LANGUAGE  # notifications, the command line and evidence exports: "zh" or "en"

    @property
    def calendar(self) -> Calendar:
        return Calendar(ZoneInfo(self.timezone), self.week_starts)


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    household: Household
    children: tuple[Child, ...]
    storage: Path
    proxy: Listen
    dashboard: Listen
    devices: DeviceMap = field(compare=False, repr=False)
    weekly: Weekly | None = Weekly(6, 19, 0)  # [notifications] weekly: when the weekly summary is made
    keep_days: int = 730  # [storage] keep_days: records older than this are purged (0: keep all)
    desktop_user: str | None = None  # [notifications] desktop_user: the parent's OS account shown desktop alerts
    channels: tuple[Route, ...] = ()  # [[notifications.channel]]: the parent's phone channels (household.routes)
    escalate_after: int = ESCALATE_AFTER  # [notifications] escalate_after: seconds until a question turns urgent

    def child(self, name: str | None) -> Child | None:
        return next((c for c in self.children if c.name == name), None)

    def child_for(self, address: str, user: str | None, tunnel: str | None = None) -> Child | None:
        """The child a client belongs to, or None for an unlisted device that is allowed."""
        name = self.devices.owner(address, user, tunnel)
        if name is None and self.household.unknown_devices != ALLOW:
            name = self.household.unknown_devices
        return self.child(name)
