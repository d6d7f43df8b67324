"""The dashboard's language in a real browser: Chromium's Accept-Language picks it, the 中文 | English switch
changes it and the choice is remembered from page to page (the real dashboard process, the demo household)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import demo
from tests.support.dashboard import CHROMIUM, CHROMIUM_ARGS, Dashboard, free_port

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (bin/test installs Debian's chromium)"
    ),
]


@pytest.fixture
def board(tmp_path):
    path = demo.make(tmp_path)
    port = free_port()
    path.write_text(path.read_text(encoding="utf-8") + f'\n[dashboard]\nlisten = "127.0.0.1:{port}"\n', "utf-8")
    dashboard = Dashboard(path, port).start()
    yield dashboard
    dashboard.stop()


@pytest.fixture
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_the_browser_language_picks_chinese_and_the_switch_changes_it(board, chromium):
    page = chromium.new_context(locale="zh-CN").new_page()
    page.goto(f"{board.url}/login")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "登录"
    page.fill("input[name=password]", demo.PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{board.url}/")
    assert page.locator("h1").inner_text().startswith("实时")
    live = page.locator("#attempts").inner_text()
    assert "金额未知" in live and "哔哩哔哩" in live and "unreadable" not in live

    page.click("form.language button[value=en]")  # the switch, on this page
    page.wait_for_url(f"{board.url}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Live")
    assert "amount unknown" in page.locator("#attempts").inner_text()
    page.click("nav a[href='/week']")  # remembered on the next page, though the browser asks for Chinese
    assert page.locator("h1").inner_text().startswith("Week of")
    assert page.locator("form.language button[value=en]").get_attribute("aria-pressed") == "true"

    page.click("form.language button[value=zh]")
    page.wait_for_url(f"{board.url}/week")
    assert "这一周" in page.locator("h1").inner_text()


def test_an_english_browser_gets_english(board, chromium):
    page = chromium.new_context(locale="en-US").new_page()
    page.goto(f"{board.url}/login")
    assert page.locator("h1").inner_text() == "Log in"
    assert page.locator("form.language button[value=zh]").inner_text() == "中文"
