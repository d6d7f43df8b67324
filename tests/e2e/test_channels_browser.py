"""The Notifications page in headless Chromium against the real dashboard process: add a phone channel, send a
test and read its answer, see a refusal in plain words, remove it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.conftest import household_config
from tests.e2e.test_dashboard import PASSWORD
from tests.support.channels import Endpoint
from tests.support.dashboard import CHROMIUM, CHROMIUM_ARGS, Dashboard, free_port

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (bin/test installs Debian's chromium)"
    ),
]
TOKEN = "tk_mumsPhoneToken98765"


@pytest.fixture
def dashboard(tmp_path: Path):
    port = free_port()
    config = tmp_path / "guardian.toml"
    config.write_text(household_config() + f'\n[dashboard]\nlisten = "127.0.0.1:{port}"\n', encoding="utf-8")
    ntfy = Endpoint("ntfy", secret=TOKEN).start()
    d = Dashboard(config, port).start()
    yield d, ntfy, config
    d.stop()
    ntfy.stop()


def test_a_parent_adds_tests_and_removes_a_channel_in_the_browser(dashboard):
    from playwright.sync_api import expect, sync_playwright

    d, ntfy, config = dashboard
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone's screen
            d.choose_password(page, PASSWORD)
            page.goto(d.url + "/notifications")
            expect(page.locator("#channels")).to_contain_text("No channel yet")

            form = page.locator("#add-channel")
            form.locator("select[name=kind]").select_option("ntfy")
            form.locator("input[name=name]").fill("Mum's phone")
            form.locator("input[name=address]").fill(f"{ntfy.base}/kids-4f9a2c")
            form.locator("input[name=token]").fill(TOKEN)
            form.locator("input[value=weekly]").uncheck()
            form.locator("button[type=submit]").click()
            expect(page.locator(".flash").first).to_contain_text("Added mum-s-phone")
            row = page.locator("tr[data-channel=mum-s-phone]")
            expect(row).to_contain_text("+token")
            assert TOKEN not in page.content() and "kids-4f9a2c" not in page.content()
            assert tomllib.loads(config.read_text())["notifications"]["channel"][0]["events"] == [
                "questions",
                "refusals",
                "caps",
                "bursts",
                "health",
            ]

            page.locator("button[data-test=mum-s-phone]").click()
            # The page in the browser's English; the channel's answer in the household's Chinese, as it is kept.
            expect(page.locator(".flash").first).to_contain_text("Test to mum-s-phone: ntfy 已接收测试消息")
            assert [r.title for r in ntfy.received] == ["Guardian 测试"]
            expect(page.locator("tr[data-channel=mum-s-phone] td.answer")).to_contain_text("ok")

            ntfy.secret = "tk_revokedByMum"  # the token no longer works on the server
            page.locator("button[data-test=mum-s-phone]").click()
            expect(page.locator(".flash.error").first).to_contain_text("ntfy 返回 401：请检查主题的访问令牌")

            page.locator("button[data-remove=mum-s-phone]").click()
            expect(page.locator(".flash").first).to_contain_text("Removed mum-s-phone")
            expect(page.locator("tr[data-channel=mum-s-phone]")).to_have_count(0)
            assert TOKEN not in (config.parent / "channels.secret").read_text()
        finally:
            browser.close()
    assert TOKEN not in d.log()
