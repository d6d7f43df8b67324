"""Evidence: the record's check, "Export evidence" for a refund claim, and what retention will purge next."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Blueprint, Flask, Response, abort, render_template, request

from dashboard import db, language
from dashboard.auth import login_required
from guardian.evidence import export, formats, retention, verify
from guardian.words import N_

bp = Blueprint("evidence", __name__)
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "html": "text/html; charset=utf-8"}


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.config["NAV"].append(("evidence.index", N_("Evidence")))


def _local_date(at_ms: int | None, tz) -> date | None:
    return None if at_ms is None else datetime.fromtimestamp(at_ms / 1000, tz).date()


@bp.get("/evidence")
@login_required
def index():
    config = db.get_settings().config
    tz = config.household.calendar.tz
    conn = db.conn()
    report = verify.verify(conn)
    today = db.now().astimezone(tz).date()
    due = None
    if config.keep_days:
        # The next nightly purge removes what is older than keep_days: offer its export first.
        cutoff = db.now() - timedelta(days=config.keep_days)
        preview = retention.preview(conn, int(cutoff.timestamp() * 1000))
        if preview.attempts:
            due = {
                "attempts": preview.attempts,
                "first": _local_date(preview.first_at_ms, tz),
                "last": _local_date(preview.last_at_ms, tz),
            }
    return render_template(
        "evidence/index.html",
        report=report,
        children=[c.name for c in config.children],
        start=(today - timedelta(days=30)).isoformat(),
        end=today.isoformat(),
        formats=formats.FORMATS,
        due=due,
        keep_days=config.keep_days,
    )


@bp.get("/evidence/export")
@login_required
def download():
    config = db.get_settings().config
    household = config.household
    child, fmt = request.args.get("child", ""), request.args.get("format", "html")
    if child not in {c.name for c in config.children} or fmt not in formats.FORMATS:
        abort(400)
    try:
        start, end = date.fromisoformat(request.args.get("from", "")), date.fromisoformat(request.args.get("to", ""))
        pack = export.build(db.conn(), child, start, end, household.timezone, household.currency, db.now())
    except ValueError as e:
        return render_template("evidence/error.html", message=language.say(e)), 400
    body = formats.render(pack, fmt, household.language)
    if fmt == "csv":
        body = "\ufeff" + body  # lets spreadsheet programs read the CSV as UTF-8
    name = f"guardian-evidence-{start.isoformat()}-{end.isoformat()}.{fmt}"  # no child name: it is free text
    return Response(body, mimetype=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})
