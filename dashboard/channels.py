"""The parent's phone channels on the Notifications page: add, send a test, remove, and which events go where."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Flask, flash, redirect, request, url_for
from flask_babel import gettext as _

from dashboard import db, language
from dashboard.auth import login_required
from guardian import words
from guardian.household.config import ConfigError
from guardian.household.routes import EVENTS, KINDS, limits
from guardian.notify import addressbook, manage
from guardian.notify.addresses import BARK, KIND_NAMES, NTFY, WEBHOOK
from guardian.store import changes, sends
from guardian.words import N_

bp = Blueprint("channels", __name__)
WHO = changes.PARENT_DASHBOARD
EVENT_NAMES = {
    "questions": N_("Questions (ask a parent)"),
    "refusals": N_("Refused purchases"),
    "caps": N_("80%% of a cap"),
    "bursts": N_("Bursts"),
    "weekly": N_("Weekly summary"),
    "health": N_("Guardian stopped, a device went quiet"),
}
# What to paste, by kind: an example (shown as code) and what it is; what the second field is for.
HINTS = {
    "pushplus": ("", N_("the token from pushplus.plus"), ""),
    "bark": (BARK, N_("the address the Bark app shows"), ""),
    "ntfy": (NTFY, N_("the topic's address on your own ntfy server"), N_("its access token, if it has one")),
    "dingtalk": (
        "https://oapi.dingtalk.com/robot/send?access_token=…",
        N_("the group robot's webhook"),
        N_("its signing secret, if set"),
    ),
    "feishu": ("https://open.feishu.cn/open-apis/bot/v2/hook/…", N_("the group bot's webhook"), ""),
    "wecom": ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…", N_("the group robot's webhook"), ""),
    "email": (
        "smtps://you@qq.com@smtp.qq.com:465",
        N_("the mail server"),
        N_("the password (QQ Mail: the authorization code); and who receives it"),
    ),
    "webhook": (WEBHOOK, N_("Guardian posts JSON to it"), ""),
}


def panel() -> dict:
    """What the Notifications page shows about the channels."""
    s = db.get_settings()
    config, conn = s.config, db.conn()
    book_error = None
    try:
        book = addressbook.load(addressbook.path_for(config))
    except addressbook.AddressBookError as e:
        book, book_error = {}, str(e)
    calendar = config.household.calendar
    local = lambda ms: None if ms is None else calendar.local(datetime.fromtimestamp(ms / 1000, UTC))  # noqa: E731
    rows = []
    for route in config.channels:
        address = book.get(route.id)
        status = sends.status(conn, route.id)
        default = address.limits() if address is not None and address.kind == route.kind else KINDS[route.kind]
        rows.append(
            {
                "route": route,
                "shown": address.shown if address is not None and address.kind == route.kind else None,
                "status": status,
                "last_at": local(status.last.at_ms) if status.last else None,
                "sent_at": local(status.last_sent_ms),
                "limits": limits(route, default),
            }
        )
    return {
        "channels": rows,
        "kinds": KIND_NAMES,
        "hints": HINTS,
        "events": EVENT_NAMES,
        "escalate_after": config.escalate_after,
        "book_error": book_error,
    }


def _back():
    return redirect(url_for("notices.index") + "#channels")


@bp.post("/notifications/channels")
@login_required
def add():
    s = db.get_settings()
    form = request.form
    events = [e for e in form.getlist("events") if e in EVENTS]
    try:
        ident, address = manage.add(
            s.config,
            form.get("kind", ""),
            form.get("name", "")[:40],
            form.get("address", "")[:600],
            form.get("token", "")[:600],
            form.get("to", "")[:600],
            events,
            s.catalog.apps,
        )
    except (ValueError, ConfigError) as e:
        flash(f"Channel not added: {e}", "error")
        return _back()
    manage.record(
        db.conn(), f"channel {ident} added", {"kind": address.kind, "address": address.shown}, db.now_ms(), WHO
    )
    db.get_settings()
    flash(f"Added {ident} ({address.shown}). Send a test to check that it arrives.")
    return _back()


@bp.post("/notifications/channels/<ident>/test")
@login_required
def test(ident: str):
    from guardian.notify.transport import PhoneNotifier  # apprise: only in the process that sends

    s = db.get_settings()
    try:
        address = addressbook.load(addressbook.path_for(s.config)).get(ident)
    except addressbook.AddressBookError as e:
        flash(_("The channels' addresses cannot be read, so nothing is sent to them: %(error)s", error=e), "error")
        return _back()
    route = next((r for r in s.config.channels if r.id == ident), None)
    if route is None or address is None or address.kind != route.kind:
        flash(_("%(channel)s has no address stored: remove it and add it again.", channel=ident), "error")
        return _back()
    # In the household's language, like every answer the channels keep (the page marks them so).
    household = words.of(s.config.household.language)
    ok, answer = manage.test(db.conn(), ident, address, PhoneNotifier, db.now_ms(), household)
    flash(_("Test to %(channel)s: %(answer)s", channel=ident, answer=answer), "message" if ok else "error")
    return _back()


@bp.post("/notifications/channels/<ident>/remove")
@login_required
def remove(ident: str):
    s = db.get_settings()
    try:
        removed = manage.remove(s.config, ident, db.conn(), s.catalog.apps)
    except (ValueError, ConfigError) as e:
        flash(_("Channel not removed: %(reason)s", reason=language.say(e)), "error")
        return _back()
    if removed:
        manage.record(db.conn(), "channel removed", {"channel": ident}, db.now_ms(), WHO)
        db.get_settings()
        flash(_("Removed %(channel)s; its address is deleted.", channel=ident))
    else:
        flash(_("There is no channel called %(channel)s.", channel=ident), "error")
    return _back()


@bp.post("/notifications/routes")
@login_required
def routes():
    s = db.get_settings()
    wanted = {r.id: [e for e in request.form.getlist(f"events-{r.id}") if e in EVENTS] for r in s.config.channels}
    text = request.form.get("escalate_after", "").strip()
    if not (text.isascii() and text.isdigit() and int(text) <= 3600):
        flash(_("Seconds before a question turns urgent: a whole number from 0 (never) to 3600."), "error")
        return _back()
    try:
        manage.route(s.config, wanted, int(text), s.catalog.apps)
    except (ValueError, ConfigError) as e:
        flash(_("Not saved: %(reason)s", reason=language.say(e)), "error")
        return _back()
    detail = {"escalate_after": int(text), "events": {k: sorted(v) for k, v in wanted.items()}}
    manage.record(db.conn(), "notification routes", detail, db.now_ms(), WHO)
    db.get_settings()
    flash(_("Saved which notifications go where."))
    return _back()


def register(app: Flask) -> None:
    app.register_blueprint(bp)
