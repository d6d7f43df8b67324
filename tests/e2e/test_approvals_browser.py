"""End to end in a real browser: headless Chromium through the proxy gets the waiting page,
which reloads itself until a parent says yes."""

from __future__ import annotations

import pytest

from tests.e2e.test_approvals import ask, decide, rows, wait_pending

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
sync_api = pytest.importorskip("playwright.sync_api")

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RECHARGE = (
    "https://www.douyin.com/webcast/wallet_api/diamond_buy_external_safe/?diamond_id=1&customized_price=2500&aid=1128"
)


def test_the_waiting_page_reloads_itself_and_goes_through_after_a_yes(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(ask(wait=20))
    db = tmp_path / "guardian.db"
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, proxy={"server": proxy.url})
        try:
            page = browser.new_page(ignore_https_errors=True)  # as a device that installed Guardian's CA
            page.goto(RECHARGE)
            assert "Waiting for a parent" in page.content() and "正在等待家长确认" in page.content()
            [pending] = wait_pending(db)
            page.wait_for_event("load", timeout=15_000)  # it reloads by itself, still waiting
            assert "Waiting for a parent" in page.content()
            decide(db, pending["id"], approve=True)
            page.wait_for_function("document.body && document.body.innerText.includes('status_code')", timeout=15_000)
        finally:
            browser.close()
    assert len(fake_apps.received("diamond_buy_external_safe")) == 1
    assert [(r["decision"], r["reason"]) for r in rows(db)] == [("blocked", "waiting-for-parent"), ("allowed", None)]
