"""Login, first-run setup, slowed-down failures, logout, session cookie, CSRF refusals."""

from __future__ import annotations

import pytest

from guardian.setup import logins
from tests.dashboard.conftest import PASSWORD, token

PAGES = ["/", "/live.json", "/week", "/limits", "/notifications"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_needs_the_password_first_run_goes_to_setup(client, page):
    r = client.get(page)
    assert r.status_code == 302 and r.location == "/setup"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_needs_login_once_a_password_exists(client, ledger, page):
    logins.set_password(ledger.conn, PASSWORD, 0)
    r = client.get(page)
    assert r.status_code == 302 and r.location.startswith("/login")


def test_first_run_setup_sets_a_hashed_password_and_logs_in(client, ledger):
    page = client.get("/setup")
    assert page.status_code == 200 and "Welcome" in page.text
    r = client.post("/setup", data={"password": "short", "confirm": "short", "csrf_token": token(page.text)})
    assert r.status_code == 400 and "at least 8 characters" in r.text
    r = client.post("/setup", data={"password": PASSWORD, "confirm": PASSWORD + "x", "csrf_token": token(page.text)})
    assert r.status_code == 400 and "differ" in r.text
    r = client.post("/setup", data={"password": PASSWORD, "confirm": PASSWORD, "csrf_token": token(page.text)})
    assert r.status_code == 302 and r.location == "/"
    assert client.get("/").status_code == 200
    stored = ledger.conn.execute("SELECT hash FROM parent_login").fetchone()[0]
    assert stored.startswith("scrypt:") and PASSWORD not in stored
    # Once set, setup cannot be used to replace it.
    assert client.get("/setup").location == "/login"


def test_session_cookie_is_httponly_and_samesite(client, ledger):
    logins.set_password(ledger.conn, PASSWORD, 0)
    page = client.get("/login")
    r = client.post("/login", data={"password": PASSWORD, "csrf_token": token(page.text)})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_wrong_password_is_refused_and_repeated_failures_are_slowed(client, ledger):
    logins.set_password(ledger.conn, PASSWORD, 0)
    csrf = token(client.get("/login").text)
    for _ in range(logins.FREE):
        r = client.post("/login", data={"password": "wrong", "csrf_token": csrf})
        assert r.status_code == 401 and "Wrong password" in r.text
    # Now even the right password must wait: the delay is checked before the password.
    r = client.post("/login", data={"password": PASSWORD, "csrf_token": csrf})
    assert r.status_code == 429 and "Try again in" in r.text and int(r.headers["Retry-After"]) >= 1
    assert client.get("/").status_code == 302
    # The count is in the database, so a new process (a new app) keeps it.
    assert ledger.conn.execute("SELECT failures FROM login_failures").fetchone()[0] == logins.FREE


def test_delay_doubles_and_success_clears_it(ledger):
    for _ in range(logins.FREE):
        logins.failed(ledger.conn, "10.0.0.1", 1000)
    assert logins.wait_ms(ledger.conn, "10.0.0.1", 1000) == 1000
    logins.failed(ledger.conn, "10.0.0.1", 5000)
    assert logins.wait_ms(ledger.conn, "10.0.0.1", 5000) == 2000
    assert logins.wait_ms(ledger.conn, "10.0.0.2", 5000) == 0
    for _ in range(40):
        logins.failed(ledger.conn, "10.0.0.1", 5000)
    assert logins.wait_ms(ledger.conn, "10.0.0.1", 5000) == logins.MAX_WAIT_MS
    logins.succeeded(ledger.conn, "10.0.0.1")
    assert logins.wait_ms(ledger.conn, "10.0.0.1", 5000) == 0


def test_login_redirects_only_to_local_pages(client, ledger):
    logins.set_password(ledger.conn, PASSWORD, 0)
    csrf = token(client.get("/login").text)
    r = client.post("/login", data={"password": PASSWORD, "csrf_token": csrf, "next": "//evil.example/"})
    assert r.location == "/"


def test_logout_needs_csrf_and_ends_the_session(parent):
    assert parent.post("/logout").status_code == 400
    assert parent.get("/").status_code == 200
    r = parent.post("/logout", data={"csrf_token": parent.csrf})
    assert r.status_code == 302
    assert parent.get("/").status_code == 302


@pytest.mark.parametrize(
    "url, data",
    [
        ("/limits/lock", {}),
        ("/limits/unlock", {}),
        ("/limits/extra", {"child": "Mia", "amount": "10"}),
        ("/limits/child/0", {"day": "1"}),
        ("/logout", {}),
        ("/login", {"password": PASSWORD}),
    ],
)
@pytest.mark.parametrize("sent", [None, "wrong-token"])
def test_state_changes_without_a_valid_csrf_token_are_refused(parent, ledger, config_file, url, data, sent):
    before = config_file.read_text()
    form = dict(data) if sent is None else {**data, "csrf_token": sent}
    r = parent.post(url, data=form)
    assert r.status_code == 400 and "security token" in r.text
    assert config_file.read_text() == before
    assert ledger.conn.execute("SELECT COUNT(*) FROM overrides").fetchone()[0] == 0
    assert ledger.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 0


def test_security_headers(parent):
    r = parent.get("/")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["Cache-Control"] == "no-store"


def test_assets_are_local(parent):
    page = parent.get("/").text
    assert "http://" not in page and "https://" not in page
    for asset in ("/static/live.js", "/static/guardian.css"):
        with parent.get(asset) as r:
            assert r.status_code == 200 and r.data


def test_set_password_command(config_file, ledger):
    from click.testing import CliRunner

    from guardian.cli import main

    r = CliRunner().invoke(main, ["set-password", "--config", str(config_file)], input="short\nshort\n")
    assert r.exit_code != 0 and "at least 8" in r.output
    r = CliRunner().invoke(main, ["set-password", "--config", str(config_file)], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert r.exit_code == 0, r.output
    assert logins.verify(ledger.conn, PASSWORD) and not logins.verify(ledger.conn, "nope")
