"""This week: caps at a glance, SVG charts, top recipients, refusals, earlier weeks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from guardian.enforce.policy import Reason
from tests.dashboard.conftest import add


def test_this_week_shows_caps_charts_recipients_and_refusals(parent, ledger):
    now = datetime.now(UTC)
    add(ledger, amount="20", recipient="streamer-a", at=now)
    add(ledger, amount="15", recipient="streamer-b", app="douyin", at=now)
    add(ledger, amount="45", recipient="streamer-c", reason=Reason.DAY_CAP, at=now)
    page = parent.get("/week").text
    assert "35.00 of 50.00 CNY" in page  # day: 20 + 15 of the 50 cap; the refused 45 does not count
    assert "35.00 of 200.00 CNY" in page and "35.00 of 500.00 CNY" in page
    mia = page.split("<h2>Leo")[0]
    assert mia.count("<svg") == 2  # per day and per app
    assert ">Bilibili</text>" in mia and ">20.00</text>" in mia and ">Douyin</text>" in mia and ">15.00</text>" in mia
    assert ">35.00</text>" in mia  # today's bar in the per-day chart
    assert "spending per day" in page and "spending per app" in page
    assert page.index("streamer-a") < page.index("streamer-b")  # ranked by amount
    assert "Refused (1)" in page and "streamer-c" in page and "day cap reached" in page


def test_earlier_weeks_are_one_click_away(parent, ledger):
    now = datetime.now(UTC)
    add(ledger, amount="9", recipient="last-week", at=now - timedelta(days=7))
    page = parent.get("/week").text
    assert "last-week" not in page and "earlier week" in page
    start = datetime.fromisoformat(page.split('href="/week?week=')[1].split('"')[0])
    earlier = parent.get(f"/week?week={start.date().isoformat()}").text
    assert "last-week" in earlier and "later week" in earlier
    assert parent.get("/week?week=not-a-date").status_code == 200
