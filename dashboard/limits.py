"""Limits: edit each child's devices, caps and windows; quick lock and extra allowance; the change list."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dashboard import db, language
from dashboard.auth import login_required
from guardian.household import editor
from guardian.household.config import Child, ConfigError
from guardian.household.money import Money
from guardian.store import changes, overrides
from guardian.store.db import transaction
from guardian.words import N_, Said

bp = Blueprint("limits", __name__)
# What each recorded change is called, and each of its details (older records show as they were written).
CHANGES = {
    "limits": N_("limits of %(child)s"),
    "extra allowance": N_("extra allowance for %(child)s"),
    "locked all purchases": N_("locked all purchases"),
    "unlocked purchases": N_("unlocked purchases"),
    "channel added": N_("channel %(channel)s added"),
    "channel removed": N_("channel %(channel)s removed"),
    "notification routes": N_("which notifications go where"),
}
DETAILS = {
    "devices": N_("devices"),
    "per_purchase": N_("per purchase"),
    "day": N_("day"),
    "week": N_("week"),
    "month": N_("month"),
    "per_minute": N_("purchases per minute"),
    "purchases": N_("When purchases are allowed"),
    "apps": N_("app hours"),
    "until": N_("until"),
    "locks_lifted": N_("locks lifted"),
    "amount": N_("amount"),
    "date": N_("date"),
    "channel": N_("channel"),
    "kind": N_("kind"),
    "address": N_("address"),
    "escalate_after": N_("seconds before a question is urgent"),
    "events": N_("notifications"),
}


def change_title(change) -> str:
    known = CHANGES.get(change.what)
    detail = change.detail or {}
    return change.what if known is None else _(known, child=detail.get("child", ""), channel=detail.get("channel", ""))


def change_key(key: str) -> str:
    return _(DETAILS[key]) if key in DETAILS else key


MAX_LINES = 50
WHO = changes.PARENT_DASHBOARD  # every change here is made by the parent who logged in
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def describe(child: Child | None) -> dict:
    """A child's limits as plain text values, for the form and the change record."""
    if child is None:
        return {}
    caps = child.caps
    money = lambda m: "" if m is None else str(m.amount)  # noqa: E731
    return {
        "devices": [d.text for d in child.devices],
        "per_purchase": money(caps.per_purchase),
        "day": money(caps.day),
        "week": money(caps.week),
        "month": money(caps.month),
        "per_minute": "" if caps.per_minute is None else str(caps.per_minute),
        "purchases": child.purchases.texts(),
        "apps": {app: s.texts() for app, s in child.apps.items()},
    }


def _lines(name: str) -> list[str]:
    return [line.strip()[:100] for line in request.form.get(name, "").splitlines() if line.strip()][:MAX_LINES]


def _schedule(name: str) -> list[str] | None:
    return None if request.form.get(f"{name}_mode", "any") == "any" else _lines(name)


def _submitted(apps: list[str]) -> editor.ChildLimits:
    return editor.ChildLimits(
        devices=_lines("devices"),
        caps={k: request.form.get(k, "")[:40] for k in editor.CAPS},
        purchases=_schedule("purchases"),
        apps={app: _schedule(f"app_{app}") for app in apps},
    )


def _page(errors: dict[int, str] | None = None, drafts: dict[int, dict] | None = None, status: int = 200):
    s = db.get_settings()
    conn, now = db.conn(), db.now()
    calendar = s.config.household.calendar
    forms = []
    for i, child in enumerate(s.config.children):
        values = (drafts or {}).get(i) or describe(child)
        forms.append({"index": i, "name": child.name, "fields": values, "error": (errors or {}).get(i)})
    lock = overrides.active(conn, None, now, calendar)
    extras = {c.name: overrides.active(conn, c.name, now, calendar).extra_day for c in s.config.children}
    return render_template(
        "limits/index.html",
        forms=forms,
        apps=sorted(s.catalog.apps),
        app_names={a.id: a.name for a in s.catalog.apps.values()},
        lock=lock,
        lock_until=None
        if lock.locked_until_ms is None
        else calendar.local(datetime.fromtimestamp(lock.locked_until_ms / 1000, now.tzinfo)),
        extras=extras,
        currency=s.config.household.currency,
        changes=[
            (calendar.local(datetime.fromtimestamp(c.at_ms / 1000, now.tzinfo)), c) for c in changes.recent(conn, 30)
        ],
        config_error=db.config_error(),
        path=s.config.path,
    ), status


@bp.route("/limits")
@login_required
def index():
    return _page()


@bp.route("/limits/child/<int:index>", methods=["POST"])
@login_required
def save_child(index: int):
    s = db.get_settings()
    if not 0 <= index < len(s.config.children):
        return _page({}, status=404)
    before = s.config.children[index]
    if request.form.get("child", before.name) != before.name:
        changed = _("The config file changed since this page was loaded; nothing was saved.")
        flash(f"{changed} {_('Check the values and save again.')}", "error")
        return redirect(url_for("limits.index"))
    apps = sorted(s.catalog.apps)
    limits = _submitted(apps)
    try:
        new = editor.save_child(s.config.path, index, limits, s.catalog.apps)
    except (ConfigError, ValueError) as e:
        draft = {
            "devices": limits.devices,
            **limits.caps,
            "purchases": limits.purchases,
            "apps": limits.apps,
        }
        return _page({index: language.say(e)}, {index: draft}, status=400)
    after = new.child(before.name) or new.children[index]
    old, fresh = describe(before), describe(after)
    diff = {k: {"from": old.get(k), "to": fresh.get(k)} for k in fresh if old.get(k) != fresh.get(k)}
    conn = db.conn()
    with transaction(conn):
        changes.record(conn, "limits", {"child": after.name, "changed": diff}, db.now_ms(), WHO)
    db.get_settings()  # pick up the new file now
    if diff:
        flash(_("Saved %(child)s's limits. The proxy applies them within a few seconds.", child=after.name))
    else:
        flash(_("Nothing changed."))
    return redirect(url_for("limits.index"))


def _until(text: str, now: datetime, calendar) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    m = _HHMM.match(text)
    if not m:
        raise Said(N_("expected a time like 21:30, got %(text)r"), text=text[:20])
    local = calendar.local(now)
    end = local.replace(hour=int(m.group(1)), minute=int(m.group(2)), second=0, microsecond=0)
    if end <= local:
        end += timedelta(days=1)
    return end


@bp.route("/limits/lock", methods=["POST"])
@login_required
def lock():
    s = db.get_settings()
    calendar, now, conn = s.config.household.calendar, db.now(), db.conn()
    try:
        until = _until(request.form.get("until", ""), now, calendar)
    except ValueError as e:
        flash(_("Not locked: %(reason)s.", reason=language.say(e)), "error")
        return redirect(url_for("limits.index"))
    with transaction(conn):
        overrides.lock(conn, now, until)
        detail = {} if until is None else {"until": f"{calendar.local(until):%Y-%m-%d %H:%M}"}
        changes.record(conn, "locked all purchases", detail, db.now_ms(), WHO)
    if until is None:
        flash(_("All purchases are locked until you unlock them."))
    else:
        flash(_("All purchases are locked until %(time)s.", time=detail["until"]))
    return redirect(url_for("limits.index"))


@bp.route("/limits/unlock", methods=["POST"])
@login_required
def unlock():
    conn = db.conn()
    with transaction(conn):
        lifted = overrides.unlock(conn, db.now())
        changes.record(conn, "unlocked purchases", {"locks_lifted": lifted}, db.now_ms(), WHO)
    flash(_("Purchases are unlocked.") if lifted else _("Purchases were not locked."))
    return redirect(url_for("limits.index"))


@bp.route("/limits/extra", methods=["POST"])
@login_required
def extra():
    s = db.get_settings()
    config, now, conn = s.config, db.now(), db.conn()
    child = config.child(request.form.get("child", ""))
    if child is None:
        flash(_("Choose a child for the extra allowance."), "error")
        return redirect(url_for("limits.index"))
    try:
        amount = Money.parse(request.form.get("amount", "")[:40], config.household.currency)
        today = config.household.calendar.local(now).date()
        with transaction(conn):
            overrides.extra(conn, child.name, amount, today, now)
            changes.record(
                conn,
                "extra allowance",
                {"child": child.name, "amount": str(amount), "date": today.isoformat()},
                db.now_ms(),
                WHO,
            )
    except ValueError as e:
        flash(_("No extra allowance: %(reason)s.", reason=language.say(e)), "error")
        return redirect(url_for("limits.index"))
    flash(_("%(child)s may spend %(amount)s more today.", child=child.name, amount=amount))
    return redirect(url_for("limits.index"))


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(change_title=change_title, change_key=change_key)
    app.config["NAV"].append(("limits.index", N_("Limits")))
