"""Household: the children (add, rename, remove), the household's money, clock and proxy address, exchange rates.

Every change goes through guardian.household.editor (checked by the config's
own parser, comments kept) and is listed in the change record. A child is
known by its id (the key of its spending and history), so a rename keeps
everything recorded about it.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dashboard import db, language
from dashboard.auth import login_required
from dashboard.editing import Refused, save, version
from guardian.catalog import rates
from guardian.household import edits
from guardian.household.config import ALLOW, Config
from guardian.household.periods import WEEKDAYS
from guardian.setup import phones
from guardian.store import changes
from guardian.store.db import transaction
from guardian.words import N_
from guardian.words import NAMES as LANGUAGES

bp = Blueprint("household", __name__)
WHO = changes.PARENT_DASHBOARD
MAX_TEXT = 100
# The days as the config writes them, with the words the page shows.
DAY_NAMES = {
    "monday": N_("Monday"),
    "tuesday": N_("Tuesday"),
    "wednesday": N_("Wednesday"),
    "thursday": N_("Thursday"),
    "friday": N_("Friday"),
    "saturday": N_("Saturday"),
    "sunday": N_("Sunday"),
}
CURRENCIES = ("CNY", "HKD", "TWD", "USD", "EUR", "GBP", "JPY", "KRW", "SGD", "CAD", "AUD")


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.config["NAV"].append(("household.index", N_("Household")))


@cache
def _zones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


def _settings_part(config: Config) -> tuple:
    h = config.household
    return h.currency, h.timezone, h.week_starts, h.unknown_devices, h.language, config.proxy


def _rates_part(config: Config) -> tuple:
    return config.household.currency, sorted(config.household.rates.items())


def _record(what: str, detail: dict) -> None:
    conn = db.conn()
    with transaction(conn):
        changes.record(conn, what, detail, db.now_ms(), WHO)


def _form(name: str) -> str:
    return request.form.get(name, "").strip()[:MAX_TEXT]


@bp.get("/household")
@login_required
def index():
    s = db.get_settings()
    config = s.config
    h = config.household
    units = [
        {
            "code": code,
            "apps": [language.app_name(a) for a in apps if a in s.catalog.apps],
            "explain": _(rates.EXPLAIN[code]) if code in rates.EXPLAIN else "",
            "rate": h.rates.get(code),
            "suggested": rates.suggested(code, h.currency),
        }
        for code, apps in rates.units(s.catalog, h.currency, h.rates)
    ]
    return render_template(
        "household/index.html",
        children=config.children,
        household=h,
        listen=f"{config.proxy.host}:{config.proxy.port}",
        unknown=config.named(h.unknown_devices),
        weekdays=WEEKDAYS,
        day_names=DAY_NAMES,
        languages=LANGUAGES,
        zones=_zones(),
        currencies=CURRENCIES,
        units=units,
        missing=[u["code"] for u in units if u["rate"] is None and u["apps"]],
        settings_version=version(_settings_part(config)),
        rates_version=version(_rates_part(config)),
        config_error=db.config_error(),
    )


@bp.post("/household/children")
@login_required
def add_child():
    name = _form("name")
    if not name:
        flash(_("Not added: give the child a name."), "error")
        return redirect(url_for("household.index"))
    try:
        _config, key = save(lambda doc: edits.add_child(doc, name))
    except Refused as e:
        flash(_("%(child)s was not added: %(reason)s", child=name, reason=e), "error")
        return redirect(url_for("household.index"))
    _record("added child", {"child": name, "child_id": key})
    flash(_("Added %(child)s. Now list %(child)s's devices and set the limits below.", child=name))
    return redirect(url_for("limits.index") + f"#child-{key}")


@bp.post("/household/rename")
@login_required
def rename_child():
    key, name = _form("child"), _form("name")
    child = db.get_settings().config.child(key)
    if child is None:
        flash(_("That child is no longer in the config; nothing was changed."), "error")
        return redirect(url_for("household.index"))
    if not name or name == child.name:
        flash(_("Nothing changed: type the new name first."), "error" if not name else "message")
        return redirect(url_for("household.index"))
    try:
        save(lambda doc: edits.rename_child(doc, key, name))
    except Refused as e:
        flash(_("%(child)s was not renamed: %(reason)s", child=child.name, reason=e), "error")
        return redirect(url_for("household.index"))
    _record("renamed child", {"child": name, "child_id": key, "name": {"from": child.name, "to": name}})
    flash(
        _(
            "%(old)s is now called %(child)s. Spending, history, questions and evidence stay with %(child)s.",
            old=child.name,
            child=name,
        )
    )
    return redirect(url_for("household.index"))


@bp.post("/household/remove")
@login_required
def remove_child():
    key = _form("child")
    config = db.get_settings().config
    child = config.child(key)
    if child is None:
        flash(_("That child is no longer in the config; nothing was changed."), "error")
        return redirect(url_for("household.index"))
    if request.form.get("confirm") != "yes":
        flash(_("%(child)s was not removed: tick the box to confirm.", child=child.name), "error")
        return redirect(url_for("household.index"))
    try:
        _config, devices = save(lambda doc: edits.remove_child(doc, key))
    except Refused as e:
        flash(_("%(child)s was not removed: %(reason)s", child=child.name, reason=e), "error")
        return redirect(url_for("household.index"))
    revoked = phones.revoke_all(config.path, devices)  # a removed child's phones must not keep a working tunnel
    _record("removed child", {"child": child.name, "child_id": key, "devices": devices, "tunnels_closed": revoked})
    message = _(
        "Removed %(child)s. Purchases already recorded stay in the record and can still be exported.",
        child=child.name,
    )
    if revoked:
        message += " " + _("Phone tunnels closed: %(phones)s.", phones=", ".join(revoked))
    flash(message)
    return redirect(url_for("household.index"))


@bp.post("/household/settings")
@login_required
def save_settings():
    before = db.get_settings().config
    wanted = edits.HouseholdSettings(
        currency=_form("currency"),
        timezone=_form("timezone"),
        week_starts=_form("week_starts"),
        unknown_devices=_form("unknown_devices") or ALLOW,
        listen=_form("listen"),
        language=_form("language"),
    )
    try:
        after, _result = save(
            lambda doc: edits.set_household(doc, wanted),
            request.form.get("version", ""),
            _settings_part,
            _("The household settings were changed elsewhere since this page was loaded"),
        )
    except Refused as e:
        flash(_("Not saved: %(reason)s", reason=e), "error")
        return redirect(url_for("household.index"))
    old, new = _described(before), _described(after)
    diff = {k: {"from": old[k], "to": new[k]} for k in new if old[k] != new[k]}
    if not diff:
        flash(_("Nothing changed."))
        return redirect(url_for("household.index"))
    _record("household settings", {"changed": diff})
    message = _("Saved the household settings.")
    if "listen" in diff:
        message += " " + _("The proxy's address applies when Guardian next starts.")
    flash(message)
    return redirect(url_for("household.index"))


def _described(config: Config) -> dict[str, str]:
    """The settings as the change record keeps them: as the config writes them (a child by name)."""
    h = config.household
    unknown = config.named(h.unknown_devices)
    return {
        "currency": h.currency,
        "timezone": h.timezone,
        "week_starts": WEEKDAYS[h.week_starts],
        "unknown_devices": ALLOW if unknown is None else unknown.name,
        "language": h.language,
        "listen": f"{config.proxy.host}:{config.proxy.port}",
    }


@bp.post("/household/rates")
@login_required
def save_rates():
    before = db.get_settings().config.household.rates
    codes = request.form.getlist("code")[:50]
    values = request.form.getlist("rate")[:50]
    wanted = {c.strip()[:20]: v.strip()[:40] for c, v in zip(codes, values, strict=False) if c.strip()}
    extra_code, extra_rate = _form("new_code"), _form("new_rate")
    if extra_code:
        wanted[extra_code[:20]] = extra_rate[:40]
    try:
        after, _result = save(
            lambda doc: edits.set_rates(doc, wanted),
            request.form.get("version", ""),
            _rates_part,
            _("The exchange rates were changed elsewhere since this page was loaded"),
        )
    except Refused as e:
        flash(_("Rates not saved: %(reason)s", reason=e), "error")
        return redirect(url_for("household.index") + "#rates")
    now = after.household.rates
    diff = {
        code: {"from": str(before.get(code, "")), "to": str(now.get(code, ""))}
        for code in sorted({*before, *now})
        if before.get(code) != now.get(code)
    }
    if diff:
        _record("exchange rates", {"changed": diff})
    flash(_("Saved the exchange rates.") if diff else _("Nothing changed."))
    return redirect(url_for("household.index") + "#rates")
