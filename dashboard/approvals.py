"""The "Waiting for you" page: purchases held for a parent's answer, with approve and deny.

Register with `register(app)`; the proxy's notifications link here (/approvals).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from dashboard.auth import login_required
from dashboard.db import get_ledger
from guardian.household import configfile
from guardian.store import approvals
from guardian.store.approvals import ApprovalError
from guardian.store.changes import PARENT_DASHBOARD

bp = Blueprint("approvals", __name__)
VIA = "dashboard"


def register(app) -> None:
    app.register_blueprint(bp)
    app.config.setdefault("NAV", []).append(("approvals.index", "Waiting for you"))


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
    )


def _answer(approval_id: int, approve: bool):
    over_cap = approve and request.form.get("over_cap") == "1"
    now = int(datetime.now(UTC).timestamp() * 1000)
    try:
        a = approvals.decide(get_ledger().conn, approval_id, approve, _who(), VIA, now, over_cap)
    except ApprovalError as e:
        flash(str(e), "error")
    else:
        verb = "Approved" if a.state == approvals.APPROVED else "Denied"
        flash(f"{verb}: {a.child}, {a.amount} {a.currency} on {a.app}" + (" (over the cap)" if a.over_cap else ""))
    return redirect(url_for("approvals.index"))


@bp.post("/approvals/<int:approval_id>/approve")
@login_required
def approve(approval_id: int):
    return _answer(approval_id, True)


@bp.post("/approvals/<int:approval_id>/deny")
@login_required
def deny(approval_id: int):
    return _answer(approval_id, False)
