"""Limits: edit each child's devices, caps and windows; quick lock and extra allowance; the change list."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for

from dashboard import db
from dashboard.auth import login_required
from guardian.household import editor
from guardian.household.config import Child, ConfigError
from guardian.household.money import Money
from guardian.store import changes, overrides
from guardian.store.db import transaction

bp = Blueprint("limits", __name__)
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
        flash(
            "The config file changed since this page was loaded; nothing was saved. Check the values and save again.",
            "error",
        )
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
        return _page({index: str(e)}, {index: draft}, status=400)
    after = new.child(before.name) or new.children[index]
    old, fresh = describe(before), describe(after)
    diff = {k: {"from": old.get(k), "to": fresh.get(k)} for k in fresh if old.get(k) != fresh.get(k)}
    conn = db.conn()
    with transaction(conn):
        changes.record(conn, f"limits of {after.name}", {"child": after.name, "changed": diff}, db.now_ms(), WHO)
    db.get_settings()  # pick up the new file now
    flash(f"Saved {after.name}'s limits. The proxy applies them within a few seconds." if diff else "Nothing changed.")
    return redirect(url_for("limits.index"))


def _until(text: str, now: datetime, calendar) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    m = _HHMM.match(text)
    if not m:
        raise ValueError(f"expected a time like 21:30, got {text[:20]!r}")
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
        flash(f"Not locked: {e}.", "error")
        return redirect(url_for("limits.index"))
    with transaction(conn):
        overrides.lock(conn, now, until)
        when = "until unlocked" if until is None else f"until {calendar.local(until):%Y-%m-%d %H:%M}"
        changes.record(conn, "locked all purchases", {"until": when}, db.now_ms(), WHO)
    flash(f"All purchases are locked {when}.")
    return redirect(url_for("limits.index"))


@bp.route("/limits/unlock", methods=["POST"])
@login_required
def unlock():
    conn = db.conn()
    with transaction(conn):
        lifted = overrides.unlock(conn, db.now())
        changes.record(conn, "unlocked purchases", {"locks_lifted": lifted}, db.now_ms(), WHO)
    flash("Purchases are unlocked." if lifted else "Purchases were not locked.")
    return redirect(url_for("limits.index"))


@bp.route("/limits/extra", methods=["POST"])
@login_required
def extra():
    s = db.get_settings()
    config, now, conn = s.config, db.now(), db.conn()
    child = config.child(request.form.get("child", ""))
    if child is None:
        flash("Choose a child for the extra allowance.", "error")
        return redirect(url_for("limits.index"))
    try:
        amount = Money.parse(request.form.get("amount", "")[:40], config.household.currency)
        today = config.household.calendar.local(now).date()
        with transaction(conn):
            overrides.extra(conn, child.name, amount, today, now)
            changes.record(
                conn,
                f"extra allowance for {child.name}",
                {"child": child.name, "amount": str(amount), "day": today.isoformat()},
                db.now_ms(),
                WHO,
            )
    except ValueError as e:
        flash(f"No extra allowance: {e}.", "error")
        return redirect(url_for("limits.index"))
    flash(f"{child.name} may spend {amount} more today.")
    return redirect(url_for("limits.index"))


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.config["NAV"].append(("limits.index", "Limits"))
