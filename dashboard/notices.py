"""Notifications: the phone channels (dashboard.channels), what was sent, what waits and why, weekly reports."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Flask, render_template
from flask_babel import gettext as _

from dashboard import channels, db
from dashboard.auth import login_required
from guardian.evidence import reports
from guardian.notify import delivery
from guardian.notify.health import DEVICE_QUIET
from guardian.store import outbox, sends
from guardian.words import N_

bp = Blueprint("notices", __name__)
KINDS = {
    outbox.REFUSED: N_("refused"),
    outbox.CAP_NEAR: N_("cap at 80%"),
    outbox.REFUSALS_SUMMARY: N_("several refused"),
    outbox.BURST: N_("burst"),
    outbox.UNANSWERED: N_("question unanswered"),
    DEVICE_QUIET: N_("device went quiet"),
    outbox.WEEKLY: N_("weekly summary"),
    outbox.APPROVAL: N_("question"),
}
STATES = {"pending": N_("waiting"), "delivered": N_("delivered"), "summarised": N_("in a summary"), "sent": N_("sent")}


@bp.route("/notifications")
@login_required
def index():
    s = db.get_settings()
    calendar, conn = s.config.household.calendar, db.conn()
    local = lambda ms: None if ms is None else calendar.local(datetime.fromtimestamp(ms / 1000, UTC))  # noqa: E731
    waiting, error = delivery.failing(conn)
    notices = outbox.recent(conn, 100)
    return render_template(
        "notices/index.html",
        notices=[(local(n.at_ms), local(n.delivered_ms), n) for n in notices],
        phones=sends.of_events(conn, [n.id for n in notices]),
        desktop=s.config.desktop_user,
        waiting=waiting,
        error=error,
        reports=[(local(r.at_ms), r) for r in reports.recent(conn, 10)],
        weekly=s.config.weekly,
        kind=lambda kind: _(KINDS[kind]) if kind in KINDS else kind,
        state=lambda state: _(STATES[state]) if state in STATES else state,
        **channels.panel(),
    )


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.config["NAV"].append(("notices.index", N_("Notifications")))
