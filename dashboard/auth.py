"""Parent login: first-run password setup, login with slowed-down failures, logout, CSRF."""

from __future__ import annotations

import functools
import hmac
import secrets

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from dashboard import db, language
from guardian.setup import logins

bp = Blueprint("auth", __name__)
OPEN = {"auth.login", "auth.setup", "static"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _check_csrf() -> None:
    if request.method not in UNSAFE:
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, description=_("The form's security token is missing or out of date. Reload the page and try again."))


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not session.get("parent"):
            if not logins.is_set(db.conn()):
                return redirect(url_for("auth.setup"))
            return redirect(url_for("auth.login", next=request.path))
        return view(*args, **kwargs)

    return wrapped


def _security_headers(response):
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.before_request(_check_csrf)
    app.after_request(_security_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token


def register(app: Flask) -> None:
    app.register_blueprint(bp)


def _start_session() -> None:
    session.clear()
    session.permanent = True
    session["parent"] = True
    session["csrf"] = secrets.token_urlsafe(32)


def safe_next(target: str | None) -> str:
    # Only a local path: never an absolute or scheme-relative URL (open redirect).
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("live.index")


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    conn = db.conn()
    if logins.is_set(conn):
        return redirect(url_for("auth.login"))
    error = None
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("confirm", ""):
            error = _("The two passwords differ.")
        else:
            try:
                if not logins.set_password(conn, password, db.now_ms(), only_if_unset=True):
                    return redirect(url_for("auth.login"))
            except ValueError as e:
                error = _("Password not accepted: %(reason)s.", reason=language.say(e))
            else:
                _start_session()
                return redirect(url_for("live.index"))
    return render_template("auth/setup.html", error=error, minimum=logins.MIN_LENGTH), 400 if error else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    conn = db.conn()
    if not logins.is_set(conn):
        return redirect(url_for("auth.setup"))
    error, status = None, 200
    if request.method == "POST":
        client = request.remote_addr or "unknown"
        now_ms = db.now_ms()
        wait = logins.wait_ms(conn, client, now_ms)
        if wait:
            seconds = -(-wait // 1000)
            error, status = _("Too many wrong passwords. Try again in %(seconds)s s.", seconds=seconds), 429
        elif logins.verify(conn, request.form.get("password", "")):
            logins.succeeded(conn, client)
            _start_session()
            return redirect(safe_next(request.form.get("next")))
        else:
            logins.failed(conn, client, now_ms)
            error, status = _("Wrong password."), 401
    response = render_template("auth/login.html", error=error, next=request.values.get("next", ""))
    if status == 429:
        return (
            response,
            status,
            {"Retry-After": str(-(-logins.wait_ms(conn, request.remote_addr or "unknown", db.now_ms()) // 1000))},
        )
    return response, status


@bp.route("/logout", methods=["POST"])
def logout():
    session.clear()
    flash(_("Logged out."))
    return redirect(url_for("auth.login"))
