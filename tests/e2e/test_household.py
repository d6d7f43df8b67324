"""A family set up entirely from the dashboard, in Chinese, in headless Chromium, against the real proxy and
dashboard processes.

From the config a first run writes, the parent names two children and sets their devices, caps, hours and
ask-a-parent; then adds Leo, gives him a phone (a real WireGuard tunnel) and a day cap, and renames him.
His purchases through the real mitmdump obey the cap, and what he spent before the rename still counts.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from guardian.household import configfile
from guardian.household.home import default_config_text
from tests.conftest import closed_window
from tests.e2e.test_devices import gift as phone_gift
from tests.e2e.test_devices import udp_port_taken
from tests.e2e.test_enforcement import gift
from tests.support.dashboard import CHROMIUM, CHROMIUM_ARGS, Dashboard, free_port

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (bin/test installs Debian's chromium)"
    ),
]

PASSWORD = "correct horse battery"


def wait_for(check, timeout: float = 20, what: str = ""):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def reloads(proxy) -> int:
    return proxy.log().count("config reloaded")


NAVIGATE = {"Accept": "text/html", "Sec-Fetch-Mode": "navigate"}


def douyu_closed(client) -> bool:
    """Whether a Douyu page load is refused for its hours."""
    try:
        page = client.get("http://www.douyu.com/9999", headers=NAVIGATE, timeout=3)
    except httpx.HTTPError:  # a slow answer under load: ask again
        return False
    return page.headers.get("Guardian-Reason") == "app-window"


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def family(start_proxy):
    """The proxy and the dashboard on the config a first run writes (one example child, "Child")."""
    port = free_port()
    text = default_config_text().replace('listen = "127.0.0.1:8765"', f'listen = "127.0.0.1:{port}"')
    proxy = start_proxy(text)
    dashboard = Dashboard(proxy.config, port).start()
    yield proxy, dashboard
    dashboard.stop()


def limits_form(page, name: str):
    return page.locator(f"form.limits[data-child='{name}']")


def save_limits(page, name: str) -> None:
    from playwright.sync_api import expect

    limits_form(page, name).locator("button[type=submit]").click()
    expect(page.locator(".flash").first).to_contain_text(f"已保存 {name} 的限额")


def go(page, path: str) -> None:
    page.click(f"nav a[href='{path}']")


def open_app_hours(form) -> None:
    details = form.locator("details.app-hours-box")
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()


def household_row(page, name: str):
    return page.locator(f"table.children tr[data-child='{name}']")


def test_a_family_set_up_on_the_dashboard_is_enforced_and_a_rename_keeps_leos_spending(family, browser):
    from playwright.sync_api import expect

    proxy, dashboard = family
    page = browser.new_page(locale="zh-CN")  # the browser's language picks the dashboard's
    dashboard.choose_password(page, PASSWORD)
    assert 'lang="zh-CN"' in page.content()

    # Household: the example child becomes Mia, Sam joins; unlisted devices go unlimited; the suggested rates
    # are confirmed.
    go(page, "/household")
    expect(page.locator("#children h2")).to_contain_text("1 个孩子")
    row = household_row(page, "Child")
    row.locator("input[name=name]").fill("Mia")
    row.locator("form.rename button").click()
    expect(page.locator(".flash").first).to_contain_text("Child 已改名为 Mia")
    page.fill("form.add-child input[name=name]", "Sam")
    page.click("form.add-child button[type=submit]")
    page.wait_for_url(re.compile(r".*/limits#child-Sam$"))
    go(page, "/household")
    expect(page.locator("#children h2")).to_contain_text("2 个孩子")
    page.select_option("select[name=unknown_devices]", "allow")
    page.click("#settings button[type=submit]")
    expect(page.locator(".flash").first).to_contain_text("已保存家庭设置")
    expect(page.locator("#rates .flash.error")).to_contain_text("BITS, ROBUX, TIKTOK_COINS, USD 还没有汇率")
    page.click("#rates button[type=submit]")
    expect(page.locator(".flash").first).to_contain_text("已保存汇率")
    expect(page.locator("#rates .flash.error")).to_have_count(0)

    # Limits: devices, caps, hours and ask-a-parent for each. No grey example sits in an empty box.
    go(page, "/limits")
    assert page.locator("textarea[placeholder], input[placeholder]").count() == 0
    sam = limits_form(page, "Sam")
    sam.locator("textarea[name=devices]").fill("192.168.7.20\nuser:sam")
    sam.locator("input[name=day]").fill("10")
    open_app_hours(sam)
    sam.locator("input[name=app_douyin_mode][value=windows]").check()  # no hours listed: never
    sam.locator("input[name=ask_apps][value=kuaishou]").check()
    sam.locator("select[name=unknown_amount]").select_option("ask")
    save_limits(page, "Sam")
    mia = limits_form(page, "Mia")
    mia.locator("textarea[name=devices]").fill("127.0.0.1")
    mia.locator("input[name=per_purchase]").fill("30")
    mia.locator("input[name=day]").fill("50")
    mia.locator("input[name=per_minute]").fill("")
    mia.locator("input[name=purchases_mode][value=windows]").check()
    mia.locator("textarea[name=purchases]").fill("always")
    open_app_hours(mia)
    mia.locator("input[name=app_douyu_mode][value=windows]").check()
    mia.locator("textarea[name=app_douyu]").fill(closed_window())
    mia.locator("input[name=ask_over]").fill("20")
    mia.locator("input[name=ask_wait]").fill("0")  # refused at once as waiting for a parent
    save_limits(page, "Mia")

    config = configfile.load(proxy.config)
    by_name = {c.name: c for c in config.children}
    assert [(c.id, c.name) for c in config.children] == [("Child", "Mia"), ("Sam", "Sam")]
    assert [d.text for d in by_name["Sam"].devices] == ["192.168.7.20", "user:sam"]
    assert by_name["Sam"].app_schedule("douyin").texts() == [] and by_name["Sam"].ask.apps == ("kuaishou",)
    assert by_name["Sam"].unknown_amount == "ask" and by_name["Mia"].ask.over.amount == 20
    assert set(config.household.rates) == {"BITS", "ROBUX", "TIKTOK_COINS", "USD"}
    assert "# Guardian's config." in proxy.config.read_text()  # the first run's comments stay

    # The running proxy obeys Mia's settings (Douyu's closed hours were the last change: once they hold, all do).
    with proxy.client() as c:
        wait_for(lambda: douyu_closed(c), what="Mia's new limits")
        assert gift(c, 31).headers["Guardian-Reason"] == "per-purchase"
        assert gift(c, 25).headers["Guardian-Reason"] == "waiting-for-parent"  # over 20: a parent is asked
        assert gift(c, 10).headers["Guardian-Decision"] == "allowed"
        assert c.get("https://www.bilibili.com/").status_code == 200  # other apps keep their hours

    # Leo: added, a day cap on Limits, a phone on the Devices page.
    go(page, "/household")
    page.fill("form.add-child input[name=name]", "Leo")
    page.click("form.add-child button[type=submit]")
    limits_form(page, "Leo").locator("input[name=day]").fill("10")
    save_limits(page, "Leo")
    go(page, "/devices")
    page.select_option("select[name=child]", label="Leo")
    page.fill("input[name=name]", "leo-phone")
    page.click("form[action='/devices/phone'] button[type=submit]")
    expect(page.locator(".flash").first).to_contain_text("已为 Leo 添加 leo-phone")
    page.goto(dashboard.url + "/devices/phone/leo-phone?host=127.0.0.1")
    phone_config = page.locator("pre").text_content()
    assert 'id = "Leo"' in proxy.config.read_text()  # written when he was added

    from tests.support.wgclient import Peer, Tunnel

    peer = Peer.from_config(phone_config)
    # The phone was the last change: its listener runs once the proxy has the config with it (and the cap).
    wait_for(lambda: udp_port_taken(peer.endpoint[1]), what="the phone's WireGuard listener")
    phone = Tunnel(peer)
    try:
        assert b"guardian-decision: allowed" in phone_gift(phone, 6).lower()
    finally:
        phone.close()

    # Renamed to Leon: the 6 he spent as Leo still counts against his day cap of 10.
    go(page, "/household")
    before = reloads(proxy)  # nothing else is waiting to be reloaded now
    row = household_row(page, "Leo")
    row.locator("input[name=name]").fill("Leon")
    row.locator("form.rename button").click()
    expect(page.locator(".flash").first).to_contain_text("Leo 已改名为 Leon")
    wait_for(lambda: reloads(proxy) > before, what="the proxy's reload after the rename")
    phone = Tunnel(peer)
    try:
        over = phone_gift(phone, 6).lower()
        exactly = phone_gift(phone, 4).lower()
    finally:
        phone.close()
    assert b"guardian-reason: day-cap" in over, over
    assert b"guardian-decision: allowed" in exactly, exactly
    # Judged as Leon (the proxy's log names him), against what he spent as Leo.
    wait_for(lambda: "for Leon: blocked day-cap" in proxy.log(), what="the refusal's log line")

    # What the parent reads says Leon, with all of his spending.
    go(page, "/week")
    leon = page.locator("section.child", has=page.locator("h2", has_text="Leon"))
    expect(leon).to_contain_text("10.00 / 10.00 CNY")
    expect(leon.locator("svg text.mark")).to_have_text("每日上限 10.00")
    assert page.locator("section.child h2", has_text=re.compile(r"^Leo\b")).count() == 0
    go(page, "/")
    expect(page.locator("#attempts tbody tr").first).to_contain_text("Leon")

    # The Apps page's table is laid out as a table: each header sits above its column.
    go(page, "/apps")
    header = page.locator("table.apps thead th").nth(1).bounding_box()
    cell = page.locator("table.apps tbody tr").first.locator("td").nth(1).bounding_box()
    assert abs(header["x"] - cell["x"]) < 1 and cell["y"] > header["y"]
