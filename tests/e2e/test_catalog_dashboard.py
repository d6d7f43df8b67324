"""The parent sees, in the dashboard (real process, headless Chromium), what the real proxy could not recognise."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_dashboard import PASSWORD, browser, household  # noqa: F401  (fixtures)
from tests.support.dashboard import CHROMIUM

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (bin/test installs Debian's chromium)"
    ),
]


def test_unrecognised_payment_requests_reach_the_apps_page(household, browser):  # noqa: F811
    from playwright.sync_api import expect

    proxy, dashboard, _ = household
    with proxy.client() as c:
        r = c.post("https://www.douyu.com/japi/prop/newgift/order/55512345", data={"n": "1"})
    assert r.status_code == 200 and "Guardian-Decision" not in r.headers  # recorded, not refused
    assert proxy.wait_for_log("Guardian saw an unrecognised"), proxy.log()

    page = browser.new_page()
    page.goto(dashboard.url + "/")
    dashboard.choose_password(page, PASSWORD)
    page.click("nav >> text=Apps")
    expect(page.locator("table.unrecognised")).to_contain_text("POST www.douyu.com/japi/prop/newgift/order/{id}")
    expect(page.locator("table.apps")).to_contain_text("Apple App Store")
    expect(page.locator("table.apps tr", has_text="YouTube")).to_contain_text("amount unknown")
