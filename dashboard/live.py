"""Live: every recognised attempt, newest first; new ones arrive by polling a JSON endpoint."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, Flask, jsonify, render_template, request
from flask_babel import gettext

from dashboard import db, language
from dashboard.auth import login_required
from guardian.catalog.model import KIND_NAMES
from guardian.enforce.policy import Reason, explain, label
from guardian.evidence import review
from guardian.household.money import format_amount
from guardian.store.ledger import Row
from guardian.words import N_

bp = Blueprint("live", __name__)
MAX_FIELD = 80


def _bounded(text: str | None) -> str:
    return "" if text is None else text[:MAX_FIELD]


def _reason(reason: str | None) -> tuple[str, str]:
    """A refusal's reason in a few words and in a sentence, in the page's language."""
    if reason is None:
        return "", ""
    try:
        known = Reason(reason)
    except ValueError:  # a reason a newer version recorded
        return reason, reason
    return label(known, language.current()), explain(known, language.current())


def amount(row: Row) -> str:
    """The amount as the page shows it. No amount is "unknown" unless the request was refused as unreadable:
    an app that does not say what a purchase costs (YouTube, Stripe) is not broken."""
    if row.amount is not None:
        return f"{format_amount(Decimal(row.amount))} {row.currency}"
    return gettext("amount unreadable") if row.reason == Reason.UNREADABLE else gettext("amount unknown")


def view(row: Row, calendar) -> dict:
    """One attempt as the page shows it, in the page's language: plain strings only (rendered as text)."""
    short, sentence = _reason(row.reason)
    device = row.client_ip + (f" ({row.proxy_user})" if row.proxy_user else "")
    return {
        "id": row.id,
        "time": calendar.local(row.at).strftime("%Y-%m-%d %H:%M:%S"),
        "child": _bounded(row.child) or gettext("(unlisted)"),
        "device": _bounded(device),
        "app": _bounded(language.app_name(row.app)),
        "kind": _bounded(gettext(KIND_NAMES[row.kind]) if row.kind in KIND_NAMES else row.kind),
        "recipient": _bounded(row.recipient),
        "amount": amount(row),
        "decision": row.decision,
        "decision_text": gettext("allowed") if row.decision == "allowed" else gettext("refused"),
        "reason": short,
        "explain": sentence,
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
    children, apps = review.choices(db.conn())
    children = sorted({*children, *(c.name for c in s.config.children)})
    return render_template(
        "live/index.html",
        rows=[view(r, s.config.household.calendar) for r in rows],
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
        attempts=[view(r, s.config.household.calendar) for r in rows],
        latest=max([_after(), *(r.id for r in rows)]),
    )


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.config["NAV"].append(("live.index", N_("Live")))
