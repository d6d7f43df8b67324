"""Limits: each child's devices, caps, hours, ask-a-parent and unknown amounts; quick lock and extra allowance;
the change list. Children are added, renamed and removed on the Household page (dashboard/household.py)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dashboard import db, language
from dashboard.auth import login_required
from dashboard.editing import Refused, save, version
from guardian.household import edits
from guardian.household.config import UNKNOWN_AMOUNT, Child
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
    "added child": N_("added %(child)s"),
    "renamed child": N_("renamed %(child)s"),
    "removed child": N_("removed %(child)s"),
    "household settings": N_("household settings"),
    "exchange rates": N_("exchange rates"),
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
    "ask_over": N_("ask a parent over"),
    "ask_apps": N_("ask a parent in"),
    "ask_wait": N_("hold the purchase (seconds)"),
    "ask_valid": N_("a late yes stays usable (minutes)"),
    "unknown_amount": N_("unknown amounts"),
    "name": N_("name"),
    "tunnels_closed": N_("phone tunnels closed"),
    "currency": N_("currency"),
    "timezone": N_("time zone"),
    "week_starts": N_("weeks start on"),
    "unknown_devices": N_("devices not listed under any child"),
    "language": N_("language"),
    "listen": N_("proxy address"),
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
    caps, ask = child.caps, child.ask
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
        "ask_over": money(ask.over),
        "ask_apps": list(ask.apps),
        "ask_wait": str(ask.wait),
        "ask_valid": str(ask.valid),
        "unknown_amount": child.unknown_amount,
    }


def _lines(name: str) -> list[str]:
    return [line.strip()[:100] for line in request.form.get(name, "").splitlines() if line.strip()][:MAX_LINES]


def _schedule(name: str) -> list[str] | None:
    return None if request.form.get(f"{name}_mode", "any") == "any" else _lines(name)


def _submitted(apps: list[str]) -> edits.ChildLimits:
    unknown = request.form.get("unknown_amount", "")
    return edits.ChildLimits(
        devices=_lines("devices"),
        caps={k: request.form.get(k, "")[:40] for k in edits.CAPS},
        purchases=_schedule("purchases"),
        apps={app: _schedule(f"app_{app}") for app in apps},
        ask={k: request.form.get(f"ask_{k}", "")[:40] for k in ("over", "wait", "valid")},
        ask_apps=[a for a in request.form.getlist("ask_apps") if a in apps],
        unknown_amount=unknown if unknown in UNKNOWN_AMOUNT else None,
    )


def _draft(limits: edits.ChildLimits) -> dict:
    """What the parent typed, to show again beside the reason it was not saved."""
    ask = limits.ask or {}
    return {
        "devices": limits.devices,
        **limits.caps,
        "purchases": limits.purchases,
        "apps": limits.apps,
        "ask_over": ask.get("over", ""),
        "ask_apps": limits.ask_apps,
        "ask_wait": ask.get("wait", ""),
        "ask_valid": ask.get("valid", ""),
        "unknown_amount": limits.unknown_amount,
    }


def _page(errors: dict[str, str] | None = None, drafts: dict[str, dict] | None = None, status: int = 200):
    s = db.get_settings()
    conn, now = db.conn(), db.now()
    calendar = s.config.household.calendar
    forms = []
    for child in s.config.children:
        values = (drafts or {}).get(child.id) or describe(child)
        forms.append(
            {
                "id": child.id,
                "name": child.name,
                "fields": values,
                "error": (errors or {}).get(child.id),
                "version": version(child),
            }
        )
    lock = overrides.active(conn, None, now, calendar)
    extras = {c.name: overrides.active(conn, c.id, now, calendar).extra_day for c in s.config.children}
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
    ), status


@bp.route("/limits")
@login_required
def index():
    return _page()


def _same_child(key: str):
    return lambda config: config.child(key)


@bp.route("/limits/child", methods=["POST"])
@login_required
def save_child():
    s = db.get_settings()
    key = request.form.get("child", "")[:100]
    before = s.config.child(key)
    if before is None:
        flash(_("That child is no longer in the config; nothing was saved."), "error")
        return redirect(url_for("limits.index"))
    limits = _submitted(sorted(s.catalog.apps))
    try:
        new, _result = save(
            lambda doc: edits.set_limits(doc, key, limits),
            request.form.get("version", ""),
            _same_child(key),
            _("%(child)s's limits were changed elsewhere since this page was loaded", child=before.name),
        )
    except Refused as e:
        if e.conflict:  # show the current values, not the draft made from the old ones
            flash(str(e), "error")
            return redirect(url_for("limits.index") + f"#child-{key}")
        return _page({key: str(e)}, {key: _draft(limits)}, status=400)
    after = new.child(key) or before
    old, fresh = describe(before), describe(after)
    diff = {k: {"from": old.get(k), "to": fresh.get(k)} for k in fresh if old.get(k) != fresh.get(k)}
    if diff:
        conn = db.conn()
        with transaction(conn):
            detail = {"child": after.name, "child_id": key, "changed": diff}
            changes.record(conn, "limits", detail, db.now_ms(), WHO)
        flash(_("Saved %(child)s's limits. The proxy applies them within a few seconds.", child=after.name))
    else:
        flash(_("Nothing changed."))
    return redirect(url_for("limits.index") + f"#child-{key}")


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
    # No message: the page's own "locked" state says it, once.
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
    child = config.child(request.form.get("child", "")) or config.named(request.form.get("child", ""))
    if child is None:
        flash(_("Choose a child for the extra allowance."), "error")
        return redirect(url_for("limits.index"))
    try:
        amount = Money.parse(request.form.get("amount", "")[:40], config.household.currency)
        today = config.household.calendar.local(now).date()
        with transaction(conn):
            overrides.extra(conn, child.id, amount, today, now)
            changes.record(
                conn,
                "extra allowance",
                {"child": child.name, "child_id": child.id, "amount": str(amount), "date": today.isoformat()},
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
