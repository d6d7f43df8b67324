"""Locks and extra allowances: stored in the database, obeyed by the policy and the guard, with outbox events."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from guardian.catalog.detect import Purchase
from guardian.catalog.index import Catalog
from guardian.catalog.request import Request
from guardian.enforce.guard import Guard
from guardian.enforce.policy import Reason, decide
from guardian.household import configfile
from guardian.household.money import Money
from guardian.store import db, outbox, overrides
from guardian.store.ledger import Ledger
from guardian.store.spend import Spending

NOW = datetime(2026, 3, 4, 4, 0, tzinfo=UTC)  # Wednesday 12:00 in Shanghai
CONFIG = """
[household]
timezone = "Asia/Shanghai"
[[child]]
name = "Mia"
devices = ["10.0.0.2"]
[child.caps]
day = "50"
week = "200"
"""


def gift(yuan: str, recipient: str = "7734") -> Purchase:
    return Purchase(
        "bilibili", "gift", "bilibili-gift", Decimal(yuan) * 1000, "gold", Money(Decimal(yuan), "CNY"), recipient
    )


@pytest.fixture
def guard(tmp_path: Path, catalog: Catalog):
    config = configfile.parse(CONFIG, tmp_path / "guardian.toml", catalog.apps)
    ledger = Ledger(config.storage)
    yield Guard(config, catalog, ledger)
    ledger.close()


def judge(guard: Guard, yuan: str, at: datetime = NOW, recipient: str = "7734"):
    request = Request("10.0.0.2", None, "POST", "api.live.bilibili.com", "/gift")
    return guard.judge(request, gift(yuan, recipient), at).decision


def test_decide_lock_beats_everything_and_extra_raises_the_day_cap(tmp_path, shanghai):
    config = configfile.parse(CONFIG, tmp_path / "g.toml")
    mia = config.child("Mia")
    spent = Spending(Money(Decimal(45), "CNY"), Money(Decimal(45), "CNY"), Money(Decimal(45), "CNY"), 0)
    assert decide(gift("10"), mia, spent, NOW, shanghai).reason == Reason.DAY_CAP
    assert decide(gift("10"), mia, spent, NOW, shanghai, overrides.Overrides(extra_day=Decimal(5))).allowed
    assert (
        decide(gift("10.01"), mia, spent, NOW, shanghai, overrides.Overrides(extra_day=Decimal(5))).reason
        == Reason.DAY_CAP
    )
    assert (
        decide(gift("1"), mia, Spending.zero("CNY"), NOW, shanghai, overrides.Overrides(locked=True)).reason
        == Reason.LOCKED
    )
    # An unlisted device the household allows is never limited.
    assert decide(gift("1"), None, Spending.zero("CNY"), NOW, shanghai, overrides.Overrides(locked=True)).allowed


def test_active_lock_until_a_time_and_unlock(guard, shanghai):
    conn = guard.ledger.conn
    overrides.lock(conn, NOW, NOW + timedelta(hours=1))
    assert overrides.active(conn, "Mia", NOW + timedelta(minutes=59), shanghai).locked
    assert not overrides.active(conn, "Mia", NOW + timedelta(hours=1), shanghai).locked
    overrides.lock(conn, NOW)
    assert overrides.active(conn, "Mia", NOW + timedelta(days=3), shanghai).locked_until_ms is None
    assert overrides.unlock(conn, NOW + timedelta(minutes=1)) == 2
    assert not overrides.active(conn, "Mia", NOW + timedelta(minutes=2), shanghai).locked
    with pytest.raises(ValueError, match="must be in the future"):
        overrides.lock(conn, NOW, NOW)


def test_extra_applies_to_one_local_day_only(guard, shanghai):
    conn = guard.ledger.conn
    overrides.extra(conn, "Mia", Money(Decimal("10"), "CNY"), date(2026, 3, 4), NOW)
    overrides.extra(conn, "Mia", Money(Decimal("2.5"), "CNY"), date(2026, 3, 4), NOW)
    assert overrides.active(conn, "Mia", NOW, shanghai).extra_day == Decimal("12.5")
    assert overrides.active(conn, "Leo", NOW, shanghai).extra_day == 0
    # 16:00 UTC is midnight in Shanghai: the next local day has no extra.
    assert overrides.active(conn, "Mia", datetime(2026, 3, 4, 16, 0, tzinfo=UTC), shanghai).extra_day == 0
    with pytest.raises(ValueError, match="above zero"):
        overrides.extra(conn, "Mia", Money(Decimal(0), "CNY"), date(2026, 3, 4), NOW)


def test_the_guard_obeys_a_lock_and_an_extra_allowance(guard):
    conn = guard.ledger.conn
    assert judge(guard, "40").allowed
    assert judge(guard, "20").reason == Reason.DAY_CAP
    with db.transaction(conn):
        overrides.extra(conn, "Mia", Money(Decimal("10"), "CNY"), date(2026, 3, 4), NOW)
    assert judge(guard, "10").allowed
    with db.transaction(conn):
        overrides.lock(conn, NOW)
    assert judge(guard, "0.01").reason == Reason.LOCKED


def said(body: str) -> str:
    """A notification's text without the record's head that ends every one (outbox.witness)."""
    text, found = WITNESS.subn("", body)
    assert found == 1, body
    return text


WITNESS = re.compile(r" · #\d+ [0-9a-f]{16}$")


def test_a_refusal_posts_one_refused_event_with_clean_bounded_text(guard):
    judge(guard, "60", recipient="<b>\u202estreamer\x00</b>" + "x" * 100)
    [event] = outbox.pending(guard.ledger.conn)
    assert event.kind == "refused" and event.child == "Mia"
    # In the household's language (Chinese by default), the app by its own name, the reason in a sentence.
    # The recipient quoted and inert (no markup, nothing a chat app makes a link of), bounded.
    assert event.title.startswith("已为 Mia 拦截：哔哩哔哩礼物，60.00 CNY，给 “‹b›streamer‹／b›xxx")
    assert said(event.body) == "已达到今日消费上限。"
    assert "\u202e" not in event.title and "\x00" not in event.title and len(event.title) <= outbox.MAX_TEXT


def test_cap_80_is_posted_once_per_period_when_crossed(guard):
    conn = guard.ledger.conn
    assert judge(guard, "39").allowed  # 39 of 50: below 80 %
    assert outbox.pending(conn) == []
    assert judge(guard, "1").allowed  # 40 of 50: the day cap reaches 80 %
    [event] = outbox.pending(conn)
    assert event.kind == "cap-80" and event.title == "Mia 已用掉每日上限的 80%"
    assert said(event.body) == "今日已消费 40.00 CNY（上限 50.00 CNY），最近一笔：哔哩哔哩礼物，1.00 CNY，给 “7734”。"
    assert judge(guard, "5").allowed  # still above: no second event
    assert len(outbox.pending(conn)) == 1
    # The next local day starts afresh; its 80 % is a new event. The week (200) is at 85 after this one.
    tomorrow = NOW + timedelta(days=1)
    assert judge(guard, "40", at=tomorrow).allowed
    titles = [e.title for e in outbox.pending(conn)]
    assert titles == ["Mia 已用掉每日上限的 80%", "Mia 已用掉每日上限的 80%"]
    assert judge(guard, "40", at=tomorrow + timedelta(days=1)).allowed  # week: 125 of 200
    assert judge(guard, "40", at=tomorrow + timedelta(days=2)).allowed  # week: 165 of 200
    assert [e.title for e in outbox.pending(conn)][-2:] == [
        "Mia 已用掉每日上限的 80%",
        "Mia 已用掉每周上限的 80%",
    ]


def test_notifications_speak_english_when_the_household_does(tmp_path, catalog):
    config = configfile.parse(CONFIG.replace("[household]", '[household]\nlanguage = "en"'), tmp_path / "g.toml")
    guard = Guard(config, catalog, Ledger(config.storage))
    try:
        judge(guard, "40")
        judge(guard, "60")
        near, refused = outbox.pending(guard.ledger.conn)
        assert (near.title, said(near.body)) == (
            "Mia has spent 80% of the day cap",
            "40.00 CNY of 50.00 CNY today, after Bilibili gift, 40.00 CNY, to “7734”.",
        )
        assert (refused.title, said(refused.body)) == (
            "Refused for Mia: Bilibili gift, 60.00 CNY, to “7734”",
            "Today's spending limit is reached.",
        )
    finally:
        guard.ledger.close()
