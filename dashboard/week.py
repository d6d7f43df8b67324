"""This week: each child's spending against the caps, per day and per app, top recipients, refusals."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Flask, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _

from dashboard import charts, db, language
from dashboard.auth import login_required
from dashboard.live import view
from guardian.evidence import reports, review
from guardian.store import overrides
from guardian.words import N_

bp = Blueprint("week", __name__)


def _chosen(calendar, today: date) -> date:
    text = request.args.get("week", "")
    try:
        day = date.fromisoformat(text[:10]) if text else today
    except ValueError:
        day = today
    return review.week_start(calendar, day)


@bp.route("/week")
@login_required
def index():
    s = db.get_settings()
    config, conn = s.config, db.conn()
    calendar = config.household.calendar
    now = db.now()
    today = calendar.local(now).date()
    first = _chosen(calendar, today)
    current = review.week_start(calendar, today)
    # Caps at a glance: now for this week, the week's last moment for an earlier one.
    at = now if first >= current else calendar.day_bounds(first + timedelta(days=6))[1] - timedelta(milliseconds=1)
    names = [c.name for c in config.children]
    children = []
    for cw in review.week(conn, calendar, first, names):
        child = config.child(cw.child)
        extra = overrides.active(conn, cw.child, at, calendar) if child is not None else None
        status = review.caps_status(conn, child, at, calendar, extra) if child is not None else []
        day_cap = child.caps.day.amount if child is not None and child.caps.day is not None else None
        children.append(
            {
                "name": cw.child,
                "total": cw.total,
                "status": status,
                "per_day": charts.bars(
                    [(format_date(d, "EEE d"), a) for d, a in cw.days],
                    label=_("%(child)s: spending per day", child=cw.child),
                    mark=day_cap,
                ),
                "per_app": charts.bars(
                    [(language.app_name(app), a) for app, a in cw.apps],
                    label=_("%(child)s: spending per app", child=cw.child),
                ),
                "recipients": cw.recipients,
                "refused": [view(r, calendar) for r in cw.refused],
            }
        )
    return render_template(
        "week/index.html",
        first=first,
        last=first + timedelta(days=6),
        previous=first - timedelta(days=7),
        next=first + timedelta(days=7) if first < current else None,
        children=children,
        currency=config.household.currency,
        reports=reports.recent(conn, 8),
    )


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.config["NAV"].append(("week.index", N_("This week")))
