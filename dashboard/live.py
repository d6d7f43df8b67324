"""Live: every recognised attempt, newest first; new ones arrive by polling a JSON endpoint."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, Flask, jsonify, render_template, request

from dashboard import db
from dashboard.auth import login_required
from guardian.enforce.policy import EXPLAIN, Reason
from guardian.evidence import review
from guardian.household.money import format_amount
from guardian.store.ledger import Row

bp = Blueprint("live", __name__)
MAX_FIELD = 80


def _bounded(text: str | None) -> str:
    return "" if text is None else text[:MAX_FIELD]


def _explain(reason: str | None) -> str:
    if reason is None:
        return ""
    try:
        return EXPLAIN[Reason(reason)][1]
    except ValueError:
        return reason


def view(row: Row, calendar, names: dict[str, str] | None = None) -> dict:
    """One attempt as the page shows it: plain strings only (the page renders them as text).

    The ledger keys a child by id; `names` gives the name the parent reads now.
    """
    device = row.client_ip + (f" ({row.proxy_user})" if row.proxy_user else "")
    if row.amount is None:
        amount = "unreadable"
    else:
        amount = f"{format_amount(Decimal(row.amount))} {row.currency}"
    return {
        "id": row.id,
        "time": calendar.local(row.at).strftime("%Y-%m-%d %H:%M:%S"),
        "child": _bounded((names or {}).get(row.child or "", row.child)) or "(unlisted)",
        "device": _bounded(device),
        "app": _bounded(row.app),
        "kind": _bounded(row.kind),
        "recipient": _bounded(row.recipient),
        "amount": amount,
        "decision": row.decision,
        "reason": _bounded(row.reason),
        "explain": _explain(row.reason),
        "outcome": row.outcome,
    }


def _filters() -> dict:
    decision = request.args.get("decision", "")
    return {
        "child": request.args.get("child", "")[:MAX_FIELD],
        "app": request.args.get("app", "")[:MAX_FIELD],
        "decision": decision if decision in ("allowed", "blocked") else "",
    }


def _after() -> int:
    try:
        return max(0, int(request.args.get("after", "0")))
    except ValueError:
        return 0


@bp.route("/")
@login_required
def index():
    s = db.get_settings()
    filters = _filters()
    rows = review.attempts(db.conn(), limit=100, **filters)
    recorded, apps = review.choices(db.conn())
    names = s.config.names()
    # Each child's id with its name: the configured children first, then ids only the record still holds.
    children = [*names.items(), *((i, i) for i in recorded if i not in names)]
    return render_template(
        "live/index.html",
        rows=[view(r, s.config.household.calendar, names) for r in rows],
        filters=filters,
        children=children,
        apps=sorted({*apps, *s.catalog.apps}),
        latest=rows[0].id if rows else _latest(),
        timezone=s.config.household.timezone,
    )


def _latest() -> int:
    found = review.attempts(db.conn(), limit=1)
    return found[0].id if found else 0


@bp.route("/live.json")
@login_required
def feed():
    s = db.get_settings()
    try:
        limit = min(200, max(1, int(request.args.get("limit", "100"))))
    except ValueError:
        limit = 100
    rows = review.attempts(db.conn(), after_id=_after(), limit=limit, **_filters())
    return jsonify(
        attempts=[view(r, s.config.household.calendar, s.config.names()) for r in rows],
        latest=max([_after(), *(r.id for r in rows)]),
    )


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.config["NAV"].append(("live.index", "Live"))
