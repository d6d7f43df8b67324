"""Parent login: the front door. Known Host names only, first-run setup with a one-time code, login slowed per
lane (guardian.setup.logins explains why not per address), sessions that logging out revokes, CSRF."""

from __future__ import annotations

import functools
import hmac
import ipaddress
import logging
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from dashboard import db, language
from guardian import words
from guardian.setup import logins

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)
OPEN = {"auth.login", "auth.setup", "static"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
BROWSER_COOKIE = "guardian_browser"  # marks a browser the parent logged in with: its own throttling lane
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
WILDCARD = {"0.0.0.0", "::", ""}


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


def allowed_hosts(host: str, port: int) -> set[str]:
    """The Host headers the dashboard answers: the loopback names and the listen address, with the port."""
    listen = f"[{host}]" if ":" in host else host
    names = {*LOOPBACK, listen.lower()} - {"", "[::]", "0.0.0.0"}
    found = {f"{name}:{port}" for name in names}
    return found | (names if port == 80 else set())


def host_allowed(sent: str, host: str, port: int) -> bool:
    """Whether a request's Host header names this dashboard. Anything else is a name pointed at this computer by
    someone else (DNS rebinding: a web page whose name now resolves to 127.0.0.1) and gets 400.

    Listening on every address (0.0.0.0 or ::), any IP address with the port is accepted too: a page cannot
    rebind an address, only a name.
    """
    sent = sent.strip().lower()
    if sent in allowed_hosts(host, port):
        return True
    if host not in WILDCARD:
        return False
    name, _colon, sent_port = sent.rpartition(":")
    if sent_port != str(port):
        return False
    try:
        ipaddress.ip_address(name[1:-1] if name.startswith("[") and name.endswith("]") else name)
    except ValueError:
        return False
    return True


def _check_host() -> None:
    listen = db.get_settings().config.dashboard
    if not host_allowed(request.headers.get("Host", ""), listen.host, listen.port):
        abort(400, description=_("This dashboard only answers at its own address (127.0.0.1 or localhost)."))


def _current() -> bool:
    """Whether this request's session is a parent's, from the current generation (not logged out since)."""
    if not session.get("parent"):
        return False
    gen = logins.generation(db.conn())
    return gen is not None and session.get("gen") == gen


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not _current():
            session.pop("parent", None)
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


def init_app(app: Flask, folder: Path) -> None:
    app.before_request(_check_host)  # first: a foreign Host gets nothing, not even a CSRF check
    app.before_request(_check_csrf)
    app.after_request(_security_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.config["GUARDIAN_PRIVATE"] = str(folder)
    offer_setup_code(app, folder)


def offer_setup_code(app: Flask, folder: Path) -> str | None:
    """While no password is set, make the setup code and print where the parent finds it (the service's log)."""
    with app.app_context():
        is_set = logins.is_set(db.conn())
    if is_set:
        logins.spend_setup_code(folder)
        return None
    code = logins.setup_code(folder)
    log.warning(
        "No parent password yet. Choose it at /setup with the setup code %s (also in %s, readable only by "
        "administrators), or run `guardian set-password` as an administrator.",
        code,
        folder / logins.SETUP_FILE,
    )
    return code


def register(app: Flask) -> None:
    app.register_blueprint(bp)


def _private() -> Path:
    return Path(current_app.config["GUARDIAN_PRIVATE"])


def _browsers() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="guardian-browser")


def _lane() -> str:
    """This browser's throttling lane: its own if the parent logged in with it before, else everyone's."""
    token = request.cookies.get(BROWSER_COOKIE, "")
    try:
        browser = _browsers().loads(token) if token else None
    except BadSignature:
        browser = None
    return (
        f"browser:{browser}" if isinstance(browser, str) and re.fullmatch(r"[\w-]{16,64}", browser) else logins.ANYONE
    )


def _start_session(response):
    """Log this browser in, in the current generation, and mark it as one the parent uses."""
    session.clear()
    session.permanent = True
    session["parent"] = True
    session["gen"] = logins.generation(db.conn())
    session["csrf"] = secrets.token_urlsafe(32)
    if _lane() == logins.ANYONE:
        token = _browsers().dumps(secrets.token_urlsafe(24))
        response.set_cookie(BROWSER_COOKIE, token, max_age=400 * 24 * 3600, httponly=True, samesite="Strict", path="/")
    return response


# What a browser ignores or rewrites in a URL before reading it (the WHATWG URL parser): ASCII tab and newlines
# anywhere; C0 controls and spaces at either end; and, in http(s) URLs, "\" is read as "/".
_IGNORED = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` as a local path the browser will stay on, else `default` (no open redirect).

    It is read the way the browser will read it, so "/\\tevil.example" (sent as /%09/evil.example), "/\\evil",
    "\\\\evil" and " //evil" all count as what they become: a link to another site.
    """
    if not target:
        return default
    text = _IGNORED.sub("", target).strip(_C0_AND_SPACE).replace("\\", "/")
    if not text.startswith("/") or text.startswith("//") or any(ord(c) < 0x20 or c == "\x7f" for c in text):
        return default
    parts = urlsplit(text)
    if parts.scheme or parts.netloc:
        return default
    return text


def _households_words() -> words.Words:
    """What the parent is told in (the household's language, not this page's: the page may be the guesser's)."""
    return words.of(db.get_settings().config.household.language)


def _code_error(code: str) -> str | None:
    if not code.strip():
        return _("Enter the setup code: it is in the dashboard's log, or ask an administrator of this computer.")
    if not logins.setup_code_matches(_private(), code):
        return _("That is not the setup code.")
    return None


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    conn = db.conn()
    if logins.is_set(conn):
        logins.spend_setup_code(_private())
        return redirect(url_for("auth.login"))
    error, status = None, 200
    if request.method == "POST":
        lane, now_ms = _lane(), db.now_ms()
        wait = logins.take_turn(conn, lane, now_ms)
        if wait:
            return _too_soon(wait, "auth/setup.html", minimum=logins.MIN_LENGTH)
        error = _code_error(request.form.get("code", ""))
        if error is not None:
            logins.failed(conn, lane, now_ms, _households_words())
            status = 401
        else:
            logins.succeeded(conn, lane)  # the right code: whatever else is wrong, it was no guess
            error = _choose(conn, request.form.get("password", ""), request.form.get("confirm", ""), now_ms)
            if error is None:
                logins.spend_setup_code(_private())
                return _start_session(redirect(url_for("live.index")))
            status = 400
    return render_template("auth/setup.html", error=error, minimum=logins.MIN_LENGTH), status


def _choose(conn, password: str, confirm: str, now_ms: int) -> str | None:
    """Set the first password; why not, if it was not (a password set meanwhile counts as not)."""
    if password != confirm:
        return _("The two passwords differ.")
    try:
        if not logins.set_password(conn, password, now_ms, only_if_unset=True):
            return _("A password was set meanwhile: log in with it.")
    except ValueError as e:
        return _("Password not accepted: %(reason)s.", reason=language.say(e))
    return None


def _too_soon(wait: int, template: str, **context):
    seconds = -(-wait // 1000)
    error = _("Too many wrong passwords. Try again in %(seconds)s s.", seconds=seconds)
    return render_template(template, error=error, **context), 429, {"Retry-After": str(seconds)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    conn = db.conn()
    if not logins.is_set(conn):
        return redirect(url_for("auth.setup"))
    error, status = None, 200
    target = request.values.get("next", "")
    if request.method == "POST":
        lane, now_ms = _lane(), db.now_ms()
        wait = logins.take_turn(conn, lane, now_ms)
        if wait:
            return _too_soon(wait, "auth/login.html", next=target)
        if logins.verify(conn, request.form.get("password", "")):
            logins.succeeded(conn, lane)
            return _start_session(redirect(safe_next(target, url_for("live.index"))))
        logins.failed(conn, lane, now_ms, _households_words())
        error, status = _("Wrong password."), 401
    return render_template("auth/login.html", error=error, next=target), status


@bp.route("/logout", methods=["POST"])
def logout():
    if _current():
        logins.revoke(db.conn())  # every copy of this session's cookie stops working too
    session.clear()
    flash(_("Logged out."))
    return redirect(url_for("auth.login"))
