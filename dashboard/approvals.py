"""The "Waiting for you" page: purchases held for a parent's answer, with approve and deny.

Register with `register(app)`; the proxy's notifications link here (/approvals).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dashboard import language
from dashboard.auth import login_required
from dashboard.db import get_ledger
from guardian.catalog.model import KIND_NAMES
from guardian.household import configfile
from guardian.store import approvals
from guardian.store.approvals import ApprovalError
from guardian.store.changes import PARENT_DASHBOARD
from guardian.words import N_

bp = Blueprint("approvals", __name__)
VIA = "dashboard"
STATES = {"pending": N_("waiting"), "approved": N_("approved"), "denied": N_("denied"), "used": N_("used")}
VIAS = {"dashboard": N_("dashboard"), "command line": N_("command line")}


def register(app) -> None:
    app.register_blueprint(bp)
    app.config.setdefault("NAV", []).append(("approvals.index", N_("Waiting for you")))


def _zone() -> ZoneInfo:
    try:
        return ZoneInfo(configfile.load(current_app.config["GUARDIAN_CONFIG"]).household.timezone)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _who() -> str:
    """The parent who logged in; never the account the dashboard runs as (a service's, or a child's)."""
    return PARENT_DASHBOARD


@bp.get("/approvals")
@login_required
def index():
    conn = get_ledger().conn
    zone = _zone()

    def when(at_ms: int | None) -> str:
        return "" if at_ms is None else datetime.fromtimestamp(at_ms / 1000, zone).strftime("%Y-%m-%d %H:%M")

    return render_template(
        "approvals/index.html",
        waiting=approvals.pending(conn),
        answered=approvals.decided(conn),
        when=when,
        amount=_amount,
        kind=lambda kind: _(KIND_NAMES[kind]) if kind in KIND_NAMES else kind,
        state=lambda state: _(STATES[state]) if state in STATES else state,
        via=lambda via: _(VIAS[via]) if via in VIAS else via,
    )


def _amount(a: approvals.Approval) -> str:
    return _("amount unknown") if a.amount == approvals.UNKNOWN else f"{a.amount} {a.currency}"


def _answer(approval_id: int, approve: bool):
    over_cap = approve and request.form.get("over_cap") == "1"
    now = int(datetime.now(UTC).timestamp() * 1000)
    try:
        a = approvals.decide(get_ledger().conn, approval_id, approve, _who(), VIA, now, over_cap)
    except ApprovalError as e:
        flash(language.say(e), "error")
    else:
        values = {"child": a.child, "amount": _amount(a), "app": language.app_name(a.app)}
        if a.state == approvals.APPROVED:
            message = _("Approved: %(child)s, %(amount)s on %(app)s", **values)
        else:
            message = _("Denied: %(child)s, %(amount)s on %(app)s", **values)
        flash(message + (" " + _("(over the cap)") if a.over_cap else ""))
    return redirect(url_for("approvals.index"))


@bp.post("/approvals/<int:approval_id>/approve")
@login_required
def approve(approval_id: int):
    return _answer(approval_id, True)


@bp.post("/approvals/<int:approval_id>/deny")
@login_required
def deny(approval_id: int):
    return _answer(approval_id, False)
