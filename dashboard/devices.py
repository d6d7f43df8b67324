"""Devices: each child's devices with when they were last seen; phones and tablets over WireGuard."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from dashboard import db, language
from dashboard.auth import login_required
from guardian import words
from guardian.household.config import ConfigError
from guardian.setup import devices_seen, phones, wireguard
from guardian.words import N_

bp = Blueprint("devices", __name__)
_HOST = re.compile(r"^[A-Za-z0-9.:-]{1,253}$")


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.config["NAV"].append(("devices.index", N_("Devices")))


def _config_path() -> Path:
    return db.get_settings().config.path


@bp.get("/devices")
@login_required
def index():
    s = db.get_settings()
    config, now = s.config, db.now()
    seen = devices_seen.last_seen(db.conn())
    household = config.household
    say = words.of(language.current())
    children = []
    for child in config.children:
        usual = child.usual_hours or household.usual_hours
        rows = []
        for device in child.devices:
            st = devices_seen.status(device, seen, now, usual, household.calendar.tz, household.quiet_warning)
            rows.append({"status": st, "ago": devices_seen.ago(st.last, now, say), "tunnel": device.tunnel})
        children.append({"name": child.name, "devices": rows, "usual": ", ".join(usual.texts() or [_("any time")])})
    listed = [d for c in config.children for d in c.devices]
    others = [(key, devices_seen.ago(at, now, say)) for key, at in devices_seen.unlisted(listed, seen)[:50]]
    quiet = household.quiet_warning
    return render_template(
        "devices/index.html",
        children=children,
        others=others,
        quiet=None if quiet is None else _duration(quiet),
        config_error=db.config_error(),
    )


def _duration(quiet) -> str:
    minutes = int(quiet.total_seconds() // 60)
    if minutes % 60:
        return _("%(hours)d h %(minutes)d min", hours=minutes // 60, minutes=minutes % 60)
    return _("%(hours)d h", hours=minutes // 60)


@bp.post("/devices/phone")
@login_required
def add_phone():
    s = db.get_settings()
    child = request.form.get("child", "")[:100]
    name = request.form.get("name", "").strip().lower()[:40]
    try:
        phones.add(_config_path(), child, name, s.catalog.apps)
    except (ValueError, ConfigError) as e:
        flash(_("Not added: %(reason)s", reason=language.say(e)), "error")
        return redirect(url_for("devices.index"))
    phones.record(db.conn(), "added", child, name, db.now_ms())
    flash(
        _(
            "Added %(name)s for %(child)s. Scan the code below with the WireGuard app on that phone.",
            name=name,
            child=child,
        )
    )
    return redirect(url_for("devices.phone", name=name))


@bp.get("/devices/phone/<name>")
@login_required
def phone(name: str):
    try:
        tunnel = wireguard.read(wireguard.folder(_config_path()) / f"{wireguard.check_name(name)}.conf")
    except ValueError:
        abort(404)
    host = request.args.get("host", "").strip() or wireguard.lan_address()
    if not _HOST.match(host):
        flash(_("That is not a computer address; using this computer's own."), "error")
        host = wireguard.lan_address()
    text = tunnel.client_config(host)
    # segno draws the SVG from our own text: safe to embed.
    return render_template(
        "devices/phone.html", name=name, host=host, port=tunnel.port, text=text, qr=Markup(wireguard.qr_svg(text))
    )


@bp.post("/devices/phone/<name>/remove")
@login_required
def remove_phone(name: str):
    s = db.get_settings()
    try:
        child, revoked = phones.remove(_config_path(), name, s.catalog.apps)
    except (ValueError, ConfigError) as e:
        flash(_("Not removed: %(reason)s", reason=language.say(e)), "error")
        return redirect(url_for("devices.index"))
    if child is None and not revoked:
        flash(_("There was no device called %(name)s.", name=name))
    else:
        phones.record(db.conn(), "removed", child, name, db.now_ms())
        flash(_("Removed %(name)s: its tunnel no longer works.", name=name))
    return redirect(url_for("devices.index"))
