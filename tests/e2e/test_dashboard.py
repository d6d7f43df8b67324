"""The parent's dashboard end to end: the real proxy, the real dashboard process (waitress + jobs),
headless Chromium, and desktop notifications through plyer with a recording notify-send."""

from __future__ import annotations

import getpass
import time
from pathlib import Path

import pytest

from guardian.household.text import quoted
from tests.conftest import household_config
from tests.e2e.test_enforcement import gift
from tests.support.dashboard import CHROMIUM, CHROMIUM_ARGS, Dashboard, free_port
from tests.support.notifysend import FakeNotifySend

DESKTOP = f'[notifications]\ndesktop_user = "{getpass.getuser()}"\n'  # this session is the parent's

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (bin/test installs Debian's chromium)"
    ),
]

PASSWORD = "correct horse battery"
XSS = "<img src=x onerror=alert(1)>"
CAPS = """
[child.caps]
per_purchase = "30"
day = "50"
"""


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def household(start_proxy, tmp_path):
    """The proxy and the dashboard on one config file and ledger; notify-send records and fails once."""
    port = free_port()
    proxy = start_proxy(household_config(CAPS) + f'\n[dashboard]\nlisten = "127.0.0.1:{port}"\n' + DESKTOP)
    fake = FakeNotifySend(tmp_path / "bin")
    fake.fail_next(1)
    dashboard = Dashboard(proxy.config, port, env={"PATH": fake.path_env()}).start()
    yield proxy, dashboard, fake
    dashboard.stop()


def wait_for(check, timeout: float = 15, what: str = ""):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_parent_sees_a_refusal_live_lowers_a_cap_and_the_proxy_obeys(household, browser):
    from playwright.sync_api import expect

    proxy, dashboard, fake = household
    page = browser.new_page()
    alerts: list[str] = []
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))

    # First run: the browser is sent to set the password, then lands on Live.
    page.goto(dashboard.url + "/")
    assert page.url == dashboard.url + "/setup"
    dashboard.choose_password(page, PASSWORD)
    expect(page.locator("#empty")).to_be_visible()

    # A refused purchase through the real proxy appears without reloading; the recipient is text.
    with proxy.client() as c:
        refused = gift(c, 31, streamer=XSS)
    assert refused.headers["Guardian-Reason"] == "per-purchase"
    row = page.locator("#attempts tbody tr").first
    expect(row).to_contain_text("per-purchase", timeout=10_000)
    expect(row).to_contain_text("31.00 CNY")
    assert row.locator("td.recipient").text_content() == XSS
    assert page.locator("#attempts img").count() == 0 and alerts == []

    # Its desktop notification arrives once, though the first notify-send call failed; in the household's
    # language (Chinese unless the config says otherwise), the app by its Chinese name, the recipient quoted and
    # inert (a chat app would make a link of it).
    first = f"已为 Mia 拦截：哔哩哔哩礼物，31.00 CNY，给 {quoted(XSS)}"
    wait_for(lambda: first in [t for t, _ in fake.sent()], what="the refusal's desktop notification")
    assert (fake.folder / "fail-next").read_text() == "0"  # the first try did fail

    # Lower the day cap in the form.
    page.click("nav >> text=Limits")
    form = page.locator("form.limits[data-child=Mia]")
    form.locator("input[name=day]").fill("5")
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash").first).to_contain_text("Saved Mia")
    assert 'day = "5"' in proxy.config.read_text()

    # The running proxy picks the file up and the next purchases obey the new cap.
    assert proxy.wait_for_log("config reloaded"), proxy.log()
    with proxy.client() as c:
        over = gift(c, 6)
        exactly = gift(c, 5)
    assert over.headers["Guardian-Reason"] == "day-cap"
    assert exactly.headers["Guardian-Decision"] == "allowed"

    page.click("nav >> text=Live")
    expect(page.locator("#attempts tbody tr").nth(1)).to_contain_text("day cap reached", timeout=10_000)
    expect(page.locator("#attempts tbody tr").first).to_contain_text("allowed")

    near = "Mia 已用掉每日上限的 80%"
    wait_for(lambda: near in [t for t, _ in fake.sent()], what="the cap-80 notification")
    time.sleep(3.5)  # one more delivery round: nothing is sent twice
    titles = [t for t, _ in fake.sent()]
    assert titles.count(first) == 1 and titles.count(near) == 1, titles
    page.click("nav >> text=Notifications")
    expect(page.locator("table.notices")).to_contain_text("delivered")
    assert alerts == []


def test_lock_now_is_obeyed_by_the_proxy_at_once(household, browser):
    from playwright.sync_api import expect

    proxy, dashboard, _ = household
    page = browser.new_page()
    dashboard.choose_password(page, PASSWORD)
    page.goto(dashboard.url + "/limits")
    page.click("text=Lock all purchases now")
    expect(page.locator(".flash").first).to_contain_text("All purchases are locked until you unlock them")
    with proxy.client() as c:
        assert gift(c, 1).headers["Guardian-Reason"] == "locked"
        page.click("text=Unlock purchases")
        expect(page.locator(".flash").first).to_contain_text("Purchases are unlocked")
        assert gift(c, 1).headers["Guardian-Decision"] == "allowed"
    # Log out, and the pages ask for the password again.
    page.click("text=Log out")
    page.goto(dashboard.url + "/limits")
    assert "/login" in page.url
