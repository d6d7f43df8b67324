"""Changes to the config document (tomlkit, so the parent's comments and layout stay).

Each function changes a parsed document in place and leaves checking to the
parser (guardian.household.editor runs it on the result before writing), so
a wrong value is reported with the loader's own message. Children are found
by id: a ``[[child]]`` table's ``id``, else its ``name`` (what the id defaults to).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tomlkit
from tomlkit.items import AoT, Table
from tomlkit.toml_document import TOMLDocument

from guardian.household.config import ALLOW
from guardian.words import N_, Said

CAPS = ("per_purchase", "day", "week", "month", "per_minute")
ASK_DEFAULTS = {"wait": 25, "valid": 30}
_WHOLE = re.compile(r"^\d{1,9}$")


@dataclass(frozen=True, slots=True)
class ChildLimits:
    """A child's limits as a form gives them: text, "" meaning no cap; None windows meaning any time."""

    devices: list[str] = field(default_factory=list)
    caps: dict[str, str] = field(default_factory=dict)
    purchases: list[str] | None = None
    apps: dict[str, list[str] | None] = field(default_factory=dict)
    ask: dict[str, str] | None = None  # over, wait, valid as text ("" for none); None leaves [child.ask] alone
    ask_apps: list[str] = field(default_factory=list)
    unknown_amount: str | None = None  # None leaves the setting alone


@dataclass(frozen=True, slots=True)
class HouseholdSettings:
    """The household as the dashboard sets it: text as the parent typed it."""

    currency: str
    timezone: str
    week_starts: str
    unknown_devices: str  # "allow" or a child's id
    listen: str  # the proxy's HOST:PORT
    language: str = ""  # notifications, commands and exports: "zh" or "en"; "" leaves it alone


def _set(table, key: str, value) -> None:
    if value is None:
        if key in table:
            del table[key]
    else:
        table[key] = value


def _table(parent, key: str):
    if key not in parent:
        parent[key] = tomlkit.table()
    return parent[key]


def _number(text: str):
    """A whole number for an integer key; other text is left for the parser to name."""
    text = text.strip()
    if not text:
        return None
    return int(text) if _WHOLE.match(text) else text


def children(doc: TOMLDocument) -> list:
    found = doc.get("child")
    if found is None:
        return []
    if not isinstance(found, AoT):
        raise Said(N_("the config writes its children in a way the dashboard cannot edit; use [[child]] tables"))
    return list(found)


def child_id(table) -> str:
    return str(table.get("id") or table.get("name") or "").strip()


def find(doc: TOMLDocument, key: str) -> Table:
    for table in children(doc):
        if child_id(table) == key:
            return table
    raise Said(N_("there is no child %(child)s in the config any more"), child=repr(key))


def set_limits(doc: TOMLDocument, key: str, limits: ChildLimits) -> None:
    """Replace the child's devices, caps, windows, and (when given) ask-a-parent and unknown amounts."""
    child = find(doc, key)
    child["devices"] = [d.strip() for d in limits.devices if d.strip()]
    if limits.unknown_amount is not None:
        child["unknown_amount"] = limits.unknown_amount
    caps = _table(child, "caps")
    for name in CAPS:
        text = limits.caps.get(name, "").strip()
        _set(caps, name, _number(text) if name == "per_minute" else text or None)
    windows = _table(child, "windows")
    _set(windows, "purchases", None if limits.purchases is None else [w.strip() for w in limits.purchases if w.strip()])
    apps = _table(windows, "apps")
    for app, schedule in limits.apps.items():
        _set(apps, app, None if schedule is None else [w.strip() for w in schedule if w.strip()])
    if limits.ask is not None:
        _set_ask(child, limits.ask, limits.ask_apps)


def _set_ask(child, values: dict[str, str], apps: list[str]) -> None:
    ask = _table(child, "ask")
    _set(ask, "over", values.get("over", "").strip() or None)
    _set(ask, "apps", list(apps) or None)
    for name, default in ASK_DEFAULTS.items():
        number = _number(values.get(name, ""))
        # The default is written only where the file already says it; an empty box means the default.
        _set(ask, name, None if number is None or (number == default and name not in ask) else number)
    if not ask:
        del child["ask"]


def new_id(doc: TOMLDocument, name: str) -> str:
    """An id for a new child: its name, unless another child has that id or name (then "Mia-2", ...)."""
    taken = {child_id(t) for t in children(doc)} | {str(t.get("name", "")).strip() for t in children(doc)}
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def add_child(doc: TOMLDocument, name: str) -> str:
    """A new child with an explicit id (so a later rename keeps its record) and no devices yet; returns the id."""
    name = name.strip()
    key = new_id(doc, name)
    table = tomlkit.table()
    table.add("id", key)
    table.add("name", name)
    table.add("devices", tomlkit.array())
    if doc.get("child") is None:
        doc.append("child", tomlkit.aot())
    children(doc)  # the dashboard edits [[child]] tables only
    doc["child"].append(table)
    return key


def rename_child(doc: TOMLDocument, key: str, name: str) -> str:
    """Give the child a new name; its id is written first (if the file had none), so its record stays its own."""
    child = find(doc, key)
    old = str(child.get("name", "")).strip()
    if "id" not in child:
        child.add("id", key)
    child["name"] = name.strip()
    household = doc.get("household")
    if household is not None and household.get("unknown_devices") == old:
        household["unknown_devices"] = name.strip()
    return old


def remove_child(doc: TOMLDocument, key: str) -> list[str]:
    """Take the child out of the config; returns its devices (a phone's keys are the caller's to revoke)."""
    child = find(doc, key)
    household = doc.get("household") or {}
    if household.get("unknown_devices") in (key, child.get("name")):
        raise Said(
            N_(
                "every unlisted device counts as %(child)s; first let unlisted devices go without limits "
                "or count them as another child"
            ),
            child=str(child.get("name")),
        )
    devices = [str(d) for d in child.get("devices", [])]
    aot = doc["child"]
    del aot[children(doc).index(child)]
    if not children(doc):
        del doc["child"]
    return devices


def set_household(doc: TOMLDocument, settings: HouseholdSettings) -> None:
    household = _table(doc, "household")
    household["currency"] = settings.currency.strip().upper()
    household["timezone"] = settings.timezone.strip()
    household["week_starts"] = settings.week_starts.strip()
    unknown = settings.unknown_devices.strip()
    if unknown != ALLOW:
        # Written as the child's name, which the parent reads; a rename rewrites it.
        unknown = next((str(t.get("name")) for t in children(doc) if child_id(t) == unknown), unknown)
    household["unknown_devices"] = unknown
    if settings.language.strip():
        household["language"] = settings.language.strip()
    _table(doc, "proxy")["listen"] = settings.listen.strip()


def set_rates(doc: TOMLDocument, rates: dict[str, str]) -> None:
    """The exchange rates: code to household money per unit, as text; an empty rate is removed."""
    household = _table(doc, "household")
    kept = {code.strip().upper(): text.strip() for code, text in rates.items() if text.strip()}
    if not kept:
        _set(household, "rates", None)
        return
    table = tomlkit.inline_table()
    table.update(dict(sorted(kept.items())))
    household["rates"] = table


def add_device(doc: TOMLDocument, key: str, device: str) -> None:
    child = find(doc, key)
    devices = child.get("devices")
    if devices is None:
        child["devices"] = [device]
    else:
        devices.append(device)


def remove_device(doc: TOMLDocument, device: str) -> str | None:
    """Take `device` off whichever child lists it; the child's id, or None if nobody did."""
    for table in children(doc):
        devices = table.get("devices")
        listed = [str(d) for d in devices] if devices is not None else []
        if device in listed:
            del devices[listed.index(device)]
            return child_id(table)
    return None
