"""Login, first-run setup, slowed-down failures, logout, session cookie, CSRF refusals."""

from __future__ import annotations

import pytest

from guardian import words
from guardian.setup import logins
from guardian.store import outbox
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


def setup_code(config_file) -> str:
    return (config_file.parent / logins.SETUP_FILE).read_text(encoding="utf-8").strip()


def test_first_run_setup_needs_the_one_time_code(client, ledger, config_file, caplog):
    page = client.get("/setup")
    assert page.status_code == 200 and "Welcome" in page.text and 'name="code"' in page.text
    code = setup_code(config_file)
    assert (config_file.parent / logins.SETUP_FILE).stat().st_mode & 0o777 == 0o600
    form = {"password": PASSWORD, "confirm": PASSWORD, "csrf_token": token(page.text)}
    r = client.post("/setup", data=form)
    assert r.status_code == 401 and "Enter the setup code" in r.text
    r = client.post("/setup", data={**form, "code": "AAAA-BBBB-CCCC"})
    assert r.status_code == 401 and "That is not the setup code" in r.text
    assert not logins.is_set(ledger.conn)
    r = client.post("/setup", data={**form, "code": code, "password": "short", "confirm": "short"})
    assert r.status_code == 400 and "at least 8 characters" in r.text
    r = client.post("/setup", data={**form, "code": code, "confirm": PASSWORD + "x"})
    assert r.status_code == 400 and "differ" in r.text
    r = client.post("/setup", data={**form, "code": code.lower().replace("-", " ")})  # as a person types it
    assert r.status_code == 302 and r.location == "/"
    assert client.get("/").status_code == 200
    stored = ledger.conn.execute("SELECT hash FROM parent_login").fetchone()[0]
    assert stored.startswith("scrypt:") and PASSWORD not in stored
    # Spent: the file is gone, and setup cannot be used to replace the password.
    assert not (config_file.parent / logins.SETUP_FILE).exists()
    assert client.get("/setup").location == "/login"
    assert logins.wait_ms(ledger.conn, logins.ANYONE, 10**15) == 0  # the wrong codes before did not stick


def test_the_code_is_printed_in_the_log_and_stays_the_same_until_used(config_file, caplog):
    from dashboard import create_app

    caplog.set_level("WARNING", logger="dashboard.auth")
    create_app({"GUARDIAN_CONFIG": str(config_file)})
    create_app({"GUARDIAN_CONFIG": str(config_file)})  # a restart
    code = setup_code(config_file)
    lines = [r.getMessage() for r in caplog.records if "setup code" in r.getMessage()]
    assert len(lines) == 2 and all(code in line for line in lines)
    assert str(config_file.parent / logins.SETUP_FILE) in lines[0]


def test_a_password_set_by_an_administrator_spends_the_code(config_file, ledger):
    from dashboard import create_app

    create_app({"GUARDIAN_CONFIG": str(config_file)})
    assert (config_file.parent / logins.SETUP_FILE).exists()
    logins.set_password(ledger.conn, PASSWORD, 0)  # `guardian set-password`
    create_app({"GUARDIAN_CONFIG": str(config_file)})
    assert not (config_file.parent / logins.SETUP_FILE).exists()


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
    # Now every try in this lane waits, the right password too: the delay is checked before the password.
    r = client.post("/login", data={"password": PASSWORD, "csrf_token": csrf})
    assert r.status_code == 429 and "Try again in 1 s" in r.text and r.headers["Retry-After"] == "1"
    assert client.get("/").status_code == 302
    # The count is in the database, so a new process (a new app) keeps it.
    assert ledger.conn.execute("SELECT client, failures FROM login_failures").fetchall() == [("anyone", logins.FREE)]


def test_the_delay_doubles_up_to_a_few_seconds_and_success_clears_it(ledger):
    conn, lane = ledger.conn, logins.ANYONE
    for _ in range(logins.FREE):
        assert logins.take_turn(conn, lane, 1000) == 0
    assert logins.take_turn(conn, lane, 1000) == 1000  # refused: not counted
    assert logins.take_turn(conn, lane, 2000) == 0
    assert logins.wait_ms(conn, lane, 2000) == 2000
    assert logins.wait_ms(conn, "browser:other", 2000) == 0  # another lane is not slowed
    for i in range(40):
        assert logins.take_turn(conn, lane, 10**9 + i * 10_000) == 0
    assert logins.wait_ms(conn, lane, 10**9 + 390_000) == logins.MAX_WAIT_MS == 5000
    logins.succeeded(conn, lane)
    assert logins.wait_ms(conn, lane, 10**9 + 390_000) == 0


def test_repeated_failures_tell_the_parent_at_ten_then_a_hundred(ledger):
    conn, told = ledger.conn, []
    for i in range(1, 101):
        logins.take_turn(conn, logins.ANYONE, i * 10_000)
        if logins.failed(conn, logins.ANYONE, i * 10_000, words.of("en")):
            told.append(i)
    assert told == [10, 100]
    events = [e for e in outbox.pending(conn) if e.kind == outbox.LOGINS]
    assert [e.title for e in events] == ["10 wrong parent passwords", "100 wrong parent passwords"]
    assert events[0].body.startswith("Someone is guessing the dashboard password from a browser you have not used.")


def test_a_browser_the_parent_logged_in_with_is_not_slowed_by_someone_elses_guesses(parent, app, ledger):
    """The child (everything is 127.0.0.1) guesses from a client without the parent's browser cookie."""
    assert parent.get_cookie("guardian_browser", domain="127.0.0.1") is not None
    parent.post("/logout", data={"csrf_token": parent.csrf})
    child = app.test_client()
    csrf = token(child.get("/login").text)
    for _ in range(12):
        child.post("/login", data={"password": "guess", "csrf_token": csrf})
    r = child.post("/login", data={"password": PASSWORD, "csrf_token": csrf})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) <= 5
    r = parent.post("/login", data={"password": PASSWORD, "csrf_token": token(parent.get("/login").text)})
    assert r.status_code == 302 and r.location == "/"
    assert parent.get("/").status_code == 200
    # A forged browser cookie is just another stranger.
    child.set_cookie("guardian_browser", "made-up.value", domain="127.0.0.1")
    assert child.post("/login", data={"password": PASSWORD, "csrf_token": csrf}).status_code == 429


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example",
        " //evil.example",
        "\x00//evil.example",
        "https://evil.example/",
        "http:evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/\x7f/evil.example",
    ],
)
def test_next_is_read_as_the_browser_reads_it_and_must_stay_local(target):
    from dashboard.auth import safe_next

    assert safe_next(target) == "/"


@pytest.mark.parametrize(
    "target, becomes",
    [("/limits", "/limits"), ("/week?week=2026-03-02", "/week?week=2026-03-02"), ("/li\tmits", "/limits")],
)
def test_a_local_next_is_kept_as_the_browser_will_read_it(target, becomes):
    from dashboard.auth import safe_next

    assert safe_next(target.replace("\\t", "\t")) == becomes


def test_login_redirects_only_to_local_pages(client, ledger):
    logins.set_password(ledger.conn, PASSWORD, 0)
    csrf = token(client.get("/login").text)
    r = client.post("/login", data={"password": PASSWORD, "csrf_token": csrf, "next": "/\t/evil.example"})
    assert r.location == "/"


def test_a_copied_session_stops_working_after_logout_and_after_a_password_change(parent, app, ledger):
    copy = app.test_client()
    copy.set_cookie(
        "guardian_session", parent.get_cookie("guardian_session", domain="127.0.0.1").value, domain="127.0.0.1"
    )
    assert copy.get("/limits").status_code == 200
    parent.post("/logout", data={"csrf_token": parent.csrf})
    assert copy.get("/limits").status_code == 302
    r = parent.post("/login", data={"password": PASSWORD, "csrf_token": token(parent.get("/login").text)})
    assert r.status_code == 302 and parent.get("/limits").status_code == 200
    copy.set_cookie(
        "guardian_session", parent.get_cookie("guardian_session", domain="127.0.0.1").value, domain="127.0.0.1"
    )
    assert copy.get("/limits").status_code == 200
    logins.set_password(ledger.conn, PASSWORD + "2", 1)  # `guardian set-password`
    assert copy.get("/limits").location.startswith("/login")
    assert parent.get("/limits").location.startswith("/login")


@pytest.mark.parametrize(
    "host, answered",
    [
        ("127.0.0.1:8765", True),
        ("localhost:8765", True),
        ("LOCALHOST:8765", True),
        ("[::1]:8765", True),
        ("127.0.0.1", False),
        ("127.0.0.1:80", False),
        ("evil.example:8765", False),
        ("localhost.evil.example:8765", False),
        ("192.168.1.5:8765", False),
        ("", False),
    ],
)
def test_only_the_dashboards_own_host_names_are_answered(client, host, answered):
    r = client.get("/login", headers={"Host": host})
    assert (r.status_code != 400) == answered, (host, r.status_code)
    if not answered:
        assert "only answers at its own address" in r.text


@pytest.mark.parametrize(
    "listen, host, answered",
    [
        ("192.168.1.5", "192.168.1.5:8765", True),
        ("192.168.1.5", "192.168.1.6:8765", False),
        ("0.0.0.0", "192.168.1.6:8765", True),
        ("0.0.0.0", "[fe80::1]:8765", True),
        ("0.0.0.0", "guardian.lan:8765", False),
        ("0.0.0.0", "192.168.1.6:9999", False),
        ("::", "10.0.0.1:8765", True),
        ("fe80::1", "[fe80::1]:8765", True),
    ],
)
def test_the_listen_address_is_answered_and_a_wildcard_accepts_addresses_not_names(listen, host, answered):
    from dashboard.auth import host_allowed

    assert host_allowed(host, listen, 8765) == answered


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
