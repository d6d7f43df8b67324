"""The dashboard's front door in headless Chromium against the real dashboard process: a foreign Host name, the
one-time setup code, a third party's guesses, copied session cookies and open redirects."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from guardian.setup import logins
from guardian.store.ledger import Ledger
from tests.conftest import household_config
from tests.support.dashboard import CHROMIUM, CHROMIUM_ARGS, Dashboard, free_port

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (bin/test installs Debian's chromium)"
    ),
]

PASSWORD = "correct horse battery"
# A name that resolves to this computer, as a DNS-rebinding page's name does once it has been rebound.
EVIL = "evil.example"


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {EVIL} 127.0.0.1"]
        )
        yield browser
        browser.close()


@pytest.fixture
def dashboard(tmp_path):
    port = free_port()
    config = tmp_path / "guardian.toml"
    config.write_text(household_config() + f'\n[dashboard]\nlisten = "127.0.0.1:{port}"\n', encoding="utf-8")
    board = Dashboard(config, port).start()
    yield board
    board.stop()


def log_in(page, board: Dashboard, password: str = PASSWORD, next_: str = "") -> None:
    page.goto(board.url + "/login" + (f"?next={next_}" if next_ else ""))
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action$='/login'] button[type=submit]")


def test_a_foreign_host_name_gets_400_and_never_the_setup_page(dashboard, browser):
    page = browser.new_page()
    for path in ("/", "/setup", "/login"):
        response = page.goto(f"http://{EVIL}:{dashboard.port}{path}")
        assert response.status == 400 and "only answers at its own address" in page.content()
    response = page.goto(f"http://localhost:{dashboard.port}/setup")  # its own names are answered
    assert response.status == 200 and page.locator("input[name=code]").count() == 1


def test_without_the_setup_code_the_first_password_cannot_be_chosen(dashboard, browser, tmp_path):
    page = browser.new_page()
    page.goto(dashboard.url + "/")
    assert page.url == dashboard.url + "/setup"
    page.fill("input[name=code]", "AAAA-BBBB-CCCC")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    page.click("button[type=submit]")
    assert "That is not the setup code" in page.locator(".flash.error").text_content()
    # The form's `required` is the browser's courtesy, not the lock: without it, no code is no password.
    page.eval_on_selector("input[name=code]", "e => e.removeAttribute('required')")
    page.fill("input[name=code]", "")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    page.click("button[type=submit]")
    assert "Enter the setup code" in page.locator(".flash.error").text_content()
    ledger = Ledger(tmp_path / "guardian.db")
    assert not logins.is_set(ledger.conn)
    ledger.close()
    code_file = tmp_path / logins.SETUP_FILE
    assert code_file.read_text(encoding="utf-8").strip() == dashboard.setup_code()  # in the log and the file
    dashboard.choose_password(page, PASSWORD)
    assert not code_file.exists()  # spent
    page.goto(dashboard.url + "/setup")
    assert page.url.startswith(dashboard.url + "/login")


class Guesser(threading.Thread):
    """A third party on the same computer (the same 127.0.0.1) guessing the password as fast as it is answered."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.statuses, self.stop = url, [], threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=10) as c:
            page = c.get(self.url + "/login").text
            csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            while not self.stop.is_set():
                r = c.post(self.url + "/login", data={"password": "guess", "csrf_token": csrf})
                self.statuses.append(r.status_code)
                time.sleep(0.02)


def test_a_third_party_guessing_cannot_lock_the_parent_out(dashboard, browser):
    parents = browser.new_context()
    page = parents.new_page()
    dashboard.choose_password(page, PASSWORD)
    page.click("text=Log out")
    guesser = Guesser(dashboard.url)
    guesser.start()
    try:
        end = time.monotonic() + 15
        while 429 not in guesser.statuses:  # slowed down: it has used up its free tries
            assert time.monotonic() < end, guesser.statuses
            time.sleep(0.05)
        # The parent, at the browser they use, gets in at the first try while the guessing goes on.
        log_in(page, dashboard)
        assert page.url == dashboard.url + "/" and page.locator(".flash.error").count() == 0
        # A browser the parent never used waits its turn behind the guesser, but never long.
        stranger = browser.new_page()
        log_in(stranger, dashboard)
        message = stranger.locator(".flash.error").text_content()
        assert message.startswith("Too many wrong passwords. Try again in ")
        assert 1 <= int(message.rsplit(" ", 2)[1]) <= logins.MAX_WAIT_MS // 1000
    finally:
        guesser.stop.set()
        guesser.join(15)
    assert guesser.statuses.count(401) >= logins.FREE and set(guesser.statuses) <= {401, 429}


def test_a_copied_session_cookie_stops_working_after_logout_and_after_a_password_change(dashboard, browser, tmp_path):
    parents = browser.new_context()
    page = parents.new_page()
    dashboard.choose_password(page, PASSWORD)

    def copied():
        """Another browser holding a copy of the parent's session cookie (as one read off the disk would)."""
        other = browser.new_context()
        other.add_cookies([c for c in parents.cookies() if c["name"] == "guardian_session"])
        return other.new_page()

    thief = copied()
    thief.goto(dashboard.url + "/limits")
    assert thief.url == dashboard.url + "/limits"
    page.click("text=Log out")
    thief.goto(dashboard.url + "/limits")
    assert thief.url.startswith(dashboard.url + "/login")

    log_in(page, dashboard)
    thief = copied()
    thief.goto(dashboard.url + "/limits")
    assert thief.url == dashboard.url + "/limits"
    ledger = Ledger(tmp_path / "guardian.db")
    logins.set_password(ledger.conn, PASSWORD + " again", 1)  # what `guardian set-password` does
    ledger.close()
    for p in (thief, page):
        p.goto(dashboard.url + "/limits")
        assert p.url.startswith(dashboard.url + "/login")


# Sent in the query string, as a link would carry them; each becomes "//evil.example" or another site once the
# browser has read it (tabs and newlines dropped, "\\" read as "/").
OFFSITE = [
    "/%09/evil.example",
    "/%0A/evil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%5C/evil.example",
    "%5C%5Cevil.example",
    "%20//evil.example",
    "http://evil.example/",
    "javascript:alert(1)",
]


def test_next_never_leads_off_the_dashboard(dashboard, browser):
    page = browser.new_page()
    dashboard.choose_password(page, PASSWORD)
    for sent in OFFSITE:
        log_in(page, dashboard, next_=sent)
        assert page.url == dashboard.url + "/", (sent, page.url)
    log_in(page, dashboard, next_="/limits")  # a local page is where it leads
    assert page.url == dashboard.url + "/limits"
