"""Apps: what Guardian recognises for each app and its coverage (rules, their confidence, hosts controlled by host
only or left alone; `guardian rules coverage` has the sources and what is known to be missed), and payment-looking
requests no rule matched yet."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Flask, render_template
from flask_babel import gettext as _

from dashboard import db, language
from dashboard.auth import login_required
from guardian.catalog.coverage import coverage
from guardian.catalog.model import KIND_NAMES
from guardian.store import gift_prices, unrecognised
from guardian.words import N_

bp = Blueprint("catalog", __name__)


@bp.route("/apps")
@login_required
def index():
    s = db.get_settings()
    conn = db.conn()
    calendar = s.config.household.calendar
    local = lambda ms: calendar.local(datetime.fromtimestamp(ms / 1000, UTC))  # noqa: E731
    learned = gift_prices.counts(conn)
    apps = [
        (
            s.catalog.apps[c.id],
            _(c.seen),  # guardian.catalog.coverage marks these words for translation
            sorted({_(KIND_NAMES.get(r.kind, r.kind)) for r in c.rules}),
            learned.get(c.id, 0),
            bool(c.not_decrypted),
            c,
        )
        for c in sorted(coverage(s.catalog), key=lambda c: s.catalog.apps[c.id].name_in(language.current()).lower())
    ]
    rates = s.config.household.rates
    missing = sorted(c for c in s.catalog.currencies() if c != s.config.household.currency and c not in rates)
    requests = [(local(u.first_ms), local(u.last_ms), u) for u in unrecognised.recent(conn, 200)]
    return render_template("catalog/index.html", apps=apps, unrecognised=requests, missing=missing)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.config["NAV"].append(("catalog.index", N_("Apps")))
