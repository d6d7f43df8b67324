"""A live-room page calling the app's API host in real Chromium, through a real mitmdump: the page's fetch()
reads Guardian's refusal (CORS, and a preflight answered when the request will be refused) as it reads the
app's server, and gets nothing the server would not give it.

The page (https://live.bilibili.com/room-test) and its fetch() calls to https://api.live.bilibili.com go
through the proxy to the local fake app server, which answers CORS the way the apps' servers do (their own
sites' pages only). Another site's page is served on a host of another app (douyin), which is a foreign
origin to bilibili's API. (Playwright's request routing is not used: with it Chromium sends no preflight.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import household_config
from tests.support.dashboard import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is missing (bin/test installs it)"),
]
sync_api = pytest.importorskip("playwright.sync_api")

ROOM = "https://live.bilibili.com/room-test"
ELSEWHERE = "https://live.douyin.com/room-test"
SEND = "/xlive/revenue/v1/gift/sendGold"
# What the live room does: send a gift, show the app's answer (its "message", or the error fetch() raised).
PAGE = (
    """<!doctype html><meta charset="utf-8"><title>room</title><p id="shown"></p>
<script>
async function send(yuan, preflighted) {
  const init = {
    method: "POST",
    credentials: "include",
    body: new URLSearchParams({price: String(yuan * 1000), gift_num: "1", ruid: "5", coin_type: "gold"}),
  };
  if (preflighted) init.headers = {"X-Room-Token": "1"};  // not a simple request: the browser asks first
  const shown = document.getElementById("shown");
  try {
    const answer = await fetch("https://api.live.bilibili.com"""
    + SEND
    + """", init);
    const doc = await answer.json();
    shown.textContent = doc.code === 0 ? "sent" : doc.message;
    return {code: doc.code, reason: answer.headers.get("Guardian-Reason")};
  } catch (e) {
    shown.textContent = "error: " + e;
    return {error: String(e)};
  }
}
</script>"""
)


def test_a_live_room_reads_the_refusal_and_nothing_the_server_would_not_allow(start_proxy, fake_apps):
    proxy = start_proxy(household_config('[child.caps]\nday = "10"\n'))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, proxy={"server": proxy.url})
        try:
            context = browser.new_context(ignore_https_errors=True)  # as a device that installed Guardian's CA
            fake_apps.pages["/room-test"] = PAGE
            room = context.new_page()
            room.goto(ROOM)

            # Under the cap, the app's server answers the preflight and the gift, as without Guardian.
            assert room.evaluate("send(4, true)") == {"code": 0, "reason": None}
            assert [s.method for s in fake_apps.received(SEND)] == ["OPTIONS", "POST"]

            # Over the cap: refused in the app's shape, and the page can read it.
            refused = room.evaluate("send(100, false)")
            assert refused == {"code": 200013, "reason": "day-cap"}
            assert room.locator("#shown").inner_text() == (
                "家长控制：已达到今日消费上限 / Parental control: Today's spending limit is reached"
            )

            # The cap reached exactly (4 + 6 of 10): no purchase fits any more, so Guardian answers the
            # preflight itself, the gift comes, and is refused where the page can read it.
            assert room.evaluate("send(6, false)") == {"code": 0, "reason": None}
            before = len(fake_apps.received(SEND))
            assert room.evaluate("send(1, true)") == {"code": 200013, "reason": "day-cap"}
            assert "家长控制：已达到今日消费上限" in room.locator("#shown").inner_text()
            assert len(fake_apps.received(SEND)) == before  # neither the preflight nor the gift reached the server

            # Another site's page: the server would not let it read an answer, and neither does Guardian.
            other = context.new_page()
            other.goto(ELSEWHERE)
            assert "error" in other.evaluate("send(100, false)")
            assert "error" in other.evaluate("send(1, true)")
        finally:
            browser.close()
    # The other site's preflight went to the server, as it always would, which said no: its gift never came.
    assert [s.method for s in fake_apps.received(SEND)] == ["OPTIONS", "POST", "POST", "OPTIONS"]
