"""Ask a parent through the dashboard: the real proxy holds a purchase while the parent answers in headless Chromium."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest

from tests.conftest import household_config
from tests.e2e.test_approvals import Background, table, wait_pending
from tests.e2e.test_dashboard import PASSWORD, XSS, wait_for
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


@pytest.fixture
def household(start_proxy, tmp_path):
    port = free_port()
    ask = '[child.ask]\nover = "20"\nwait = 25\n'
    proxy = start_proxy(household_config(ask) + f'\n[dashboard]\nlisten = "127.0.0.1:{port}"\n' + DESKTOP)
    fake = FakeNotifySend(tmp_path / "bin")
    dashboard = Dashboard(proxy.config, port, env={"PATH": fake.path_env()}).start()
    yield proxy, dashboard, fake
    dashboard.stop()


def test_a_held_purchase_approved_in_the_browser_reaches_the_app_and_a_denied_one_does_not(
    household, fake_apps, tmp_path
):
    from playwright.sync_api import expect, sync_playwright

    proxy, dashboard, fake = household
    db = tmp_path / "guardian.db"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            alerts: list[str] = []
            page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
            dashboard.choose_password(page, PASSWORD)

            held = Background(proxy, lambda c: gift(c, 25, streamer=XSS))
            [asked] = wait_pending(db)
            # The desktop notification for the request, with the page it links to.
            wait_for(lambda: any("25 CNY" in t for t, _ in fake.sent()), what="the approval's desktop notification")
            [link] = [r["link"] for r in table(db, "SELECT link FROM outbox WHERE kind = 'approval'")]
            page.goto(dashboard.url + link)
            row = page.locator(f"#approval-{asked['id']}")
            expect(row).to_contain_text("25 CNY")
            assert XSS in row.text_content() and page.locator("img").count() == 0
            assert not held.done and fake_apps.received("sendGoldMultiUser") == []
            row.locator("button[value=approve]").click()
            expect(page.locator(".flash").first).to_contain_text("Approved: Mia, 25 CNY")
            r = held.result()
            assert r.headers["Guardian-Decision"] == "allowed" and r.json()["code"] == 0
            assert len(fake_apps.received("sendGoldMultiUser")) == 1

            denied = Background(proxy, lambda c: gift(c, 26))
            [second] = wait_pending(db)
            page.click("nav >> text=Waiting for you")
            page.locator(f"#approval-{second['id']} button[value=deny]").click()
            expect(page.locator(".flash").first).to_contain_text("Denied: Mia, 26 CNY")
            assert denied.result().headers["Guardian-Reason"] == "parent-denied"
            assert len(fake_apps.received("sendGoldMultiUser")) == 1
            expect(page.locator("table.answered")).to_contain_text("used")
            assert alerts == []
        finally:
            browser.close()
    answers = table(db, "SELECT state, decided_via FROM approvals ORDER BY id")
    assert answers == [{"state": "used", "decided_via": "dashboard"}, {"state": "denied", "decided_via": "dashboard"}]
