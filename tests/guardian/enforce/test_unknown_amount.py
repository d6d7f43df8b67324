"""Purchases whose amount the request does not carry: the child's setting, windows and caps."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from guardian.catalog.detect import Purchase
from guardian.enforce.policy import Reason, decide
from guardian.household.config import ConfigError
from guardian.household.configfile import parse
from guardian.household.money import Money
from guardian.store.spend import Spending

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # a Wednesday, 12:00 in Shanghai
UNKNOWN = Purchase("youtube", "checkout", "youtube.ypc.get_cart", None, "USD", None, None, "no amount", unknown=True)
UNREADABLE = Purchase(
    "bilibili", "gift", "bilibili.gift.sendGold", None, "gold", None, None, "the field 'price' is missing"
)


def child(lines: str = ""):
    config = parse(f'[household]\ntimezone = "Asia/Shanghai"\n[[child]]\nname = "Mia"\n{lines}', Path("g.toml"))
    return config.children[0], config.household.calendar


def spent(day: str = "0", last_minute: int = 0) -> Spending:
    zero = Money(Decimal(0), "CNY")
    return Spending(Money(Decimal(day), "CNY"), zero, zero, last_minute)


@pytest.mark.parametrize(
    ("setting", "allowed"),
    [
        ("", False),
        ('unknown_amount = "refuse"\n', False),
        ('unknown_amount = "ask"\n', False),
        ('unknown_amount = "allow"\n', True),
    ],
)
def test_the_setting_decides(setting, allowed):
    c, cal = child(setting)
    decision = decide(UNKNOWN, c, spent(), NOW, cal)
    assert decision.allowed is allowed
    assert decision.reason == (None if allowed else Reason.UNKNOWN_AMOUNT)


def test_unreadable_is_refused_whatever_the_setting():
    c, cal = child('unknown_amount = "allow"\n')
    assert decide(UNREADABLE, c, spent(), NOW, cal).reason == Reason.UNREADABLE


def test_windows_always_apply_and_a_spent_cap_or_velocity_stops_allowed_unknowns():
    c, cal = child('unknown_amount = "allow"\n[child.windows]\npurchases = ["daily 20:00-21:00"]\n')
    assert decide(UNKNOWN, c, spent(), NOW, cal).reason == Reason.PURCHASE_WINDOW
    c, cal = child('unknown_amount = "allow"\n[child.windows.apps]\nyoutube = ["daily 20:00-21:00"]\n')
    assert decide(UNKNOWN, c, spent(), NOW, cal).reason == Reason.APP_WINDOW
    c, cal = child('unknown_amount = "allow"\n[child.caps]\nday = "50"\nper_minute = 2\n')
    assert decide(UNKNOWN, c, spent("49.99"), NOW, cal).allowed
    assert decide(UNKNOWN, c, spent("50"), NOW, cal).reason == Reason.DAY_CAP
    assert decide(UNKNOWN, c, spent("0", last_minute=2), NOW, cal).reason == Reason.VELOCITY


def test_a_bad_setting_names_the_key():
    with pytest.raises(
        ConfigError, match="Mia's setting for unknown amounts: expected one of 'refuse', 'ask', 'allow', got 'maybe'"
    ):
        child('unknown_amount = "maybe"\n')


@pytest.mark.parametrize(
    ("setting", "label", "reason"), [("allow", "allowed", None), ("ask", "blocked", "waiting-for-parent")]
)
def test_an_app_the_parent_is_asked_about_still_follows_the_unknown_amount_setting(tmp_path, setting, label, reason):
    from guardian.catalog.index import Catalog
    from guardian.catalog.request import Request
    from guardian.enforce.guard import Guard
    from guardian.store.ledger import Ledger

    catalog = Catalog.load()
    text = (
        f'[[child]]\nname = "Mia"\ndevices = ["10.0.0.2"]\nunknown_amount = "{setting}"\n'
        '[child.ask]\napps = ["youtube"]\n'
    )
    guard = Guard(parse(text, tmp_path / "g.toml", catalog.apps), catalog, Ledger(tmp_path / "g.db"))
    try:
        verdict = guard.judge(
            Request("10.0.0.2", None, "POST", "www.youtube.com", "/youtubei/v1/ypc/get_cart"), UNKNOWN, NOW
        )
        [row] = guard.ledger.rows()
    finally:
        guard.ledger.close()
    assert (verdict.decision.label, verdict.decision.reason) == (label, reason)
    assert (row.decision, row.amount, row.problem) == (label, None, "no amount")
