"""Notifications: what was sent to the parent's desktop, what is waiting and why, and weekly reports."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Flask, render_template
from flask_babel import gettext as _

from dashboard import db
from dashboard.auth import login_required
from guardian.evidence import reports
from guardian.notify import delivery
from guardian.store import outbox
from guardian.words import N_

bp = Blueprint("notices", __name__)
KINDS = {
    outbox.REFUSED: N_("refused"),
    outbox.CAP_NEAR: N_("cap at 80%"),
    outbox.BURST: N_("several refused"),
    outbox.WEEKLY: N_("weekly summary"),
    outbox.APPROVAL: N_("question"),
}
STATES = {"pending": N_("waiting"), "delivered": N_("delivered"), "summarised": N_("in a summary")}


@bp.route("/notifications")
@login_required
def index():
    s = db.get_settings()
    calendar, conn = s.config.household.calendar, db.conn()
    local = lambda ms: None if ms is None else calendar.local(datetime.fromtimestamp(ms / 1000, UTC))  # noqa: E731
    waiting, error = delivery.failing(conn)
    return render_template(
        "notices/index.html",
        notices=[(local(n.at_ms), local(n.delivered_ms), n) for n in outbox.recent(conn, 100)],
        waiting=waiting,
        error=error,
        reports=[(local(r.at_ms), r) for r in reports.recent(conn, 10)],
        weekly=s.config.weekly,
        kind=lambda kind: _(KINDS[kind]) if kind in KINDS else kind,
        state=lambda state: _(STATES[state]) if state in STATES else state,
    )


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.config["NAV"].append(("notices.index", N_("Notifications")))
