import dataclasses
import re
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from guardian.catalog.detect import Purchase
from guardian.enforce.policy import (
    ALLOW,
    EXPLAIN,
    LABEL,
    Decision,
    Reason,
    app_open,
    decide,
    explain,
    label,
    refused_whatever_amount,
)
from guardian.household.config import Caps, Child
from guardian.household.money import Money
from guardian.household.periods import Calendar
from guardian.household.windows import Schedule
from guardian.store.overrides import Overrides
from guardian.store.spend import Spending

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = Calendar(SHANGHAI, 0)
SATURDAY_NOON = datetime(2024, 6, 8, 12, 0, tzinfo=SHANGHAI)


CJK = re.compile(r"[\u4e00-\u9fff]")


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def purchase(amount: str | None = "10", app: str = "bilibili") -> Purchase:
    money = None if amount is None else cny(amount)
    return Purchase(
        app,
        "gift",
        f"{app}.gift",
        None if amount is None else Decimal(amount),
        "CNY",
        money,
        problem=None if amount is not None else "the field 'gift_num' is missing",
    )


def spent(day: str = "0", week: str = "0", month: str = "0", last_minute: int = 0) -> Spending:
    return Spending(cny(day), cny(week), cny(month), last_minute)


def child(**caps: object) -> Child:
    return Child("Mia", caps=Caps(**{k: cny(v) if isinstance(v, str) else v for k, v in caps.items()}))


def test_no_limits_allows() -> None:
    d = decide(purchase("1000"), child(), spent("9999", "9999", "9999", 999), SATURDAY_NOON, CAL)
    assert d == ALLOW == Decision(True, None)
    assert d.label == "allowed"


def test_within_every_limit_allows() -> None:
    mia = child(per_purchase="30", day="50", week="200", month="500", per_minute=3)
    assert decide(purchase("10"), mia, spent("20", "100", "300", 1), SATURDAY_NOON, CAL).allowed


@pytest.mark.parametrize(
    ("caps", "spending", "amount", "reason"),
    [
        ({"per_purchase": "30"}, spent(), "30.01", Reason.PER_PURCHASE),
        ({"per_minute": 3}, spent(last_minute=3), "1", Reason.VELOCITY),
        ({"per_minute": 0}, spent(), "0.01", Reason.VELOCITY),
        ({"day": "50"}, spent("40", "40", "40"), "10.01", Reason.DAY_CAP),
        ({"week": "200"}, spent("0", "190", "190"), "10.01", Reason.WEEK_CAP),
        ({"month": "500"}, spent("0", "0", "490"), "10.01", Reason.MONTH_CAP),
        ({"day": "0"}, spent(), "0.001", Reason.DAY_CAP),
    ],
)
def test_each_cap_refuses(caps: dict, spending: Spending, amount: str, reason: Reason) -> None:
    d = decide(purchase(amount), child(**caps), spending, SATURDAY_NOON, CAL)
    assert d == Decision(False, reason)
    assert d.label == "blocked"


@pytest.mark.parametrize(
    ("caps", "spending", "exact", "over"),
    [
        ({"per_purchase": "30"}, spent(), "30", "30.01"),
        ({"day": "50"}, spent("49.99", "49.99", "49.99"), "0.01", "0.02"),
        ({"day": "50"}, spent(), "50", "50.01"),
        ({"week": "200"}, spent("0", "150", "150"), "50", "50.01"),
        ({"month": "500"}, spent("0", "0", "499.50"), "0.50", "0.51"),
    ],
)
def test_reaching_a_cap_exactly_is_allowed_one_fen_over_is_not(
    caps: dict, spending: Spending, exact: str, over: str
) -> None:
    mia = child(**caps)
    assert decide(purchase(exact), mia, spending, SATURDAY_NOON, CAL) == ALLOW
    assert not decide(purchase(over), mia, spending, SATURDAY_NOON, CAL).allowed


def test_velocity_allows_up_to_the_limit() -> None:
    mia = child(per_minute=3)
    assert decide(purchase(), mia, spent(last_minute=2), SATURDAY_NOON, CAL) == ALLOW
    assert decide(purchase(), mia, spent(last_minute=3), SATURDAY_NOON, CAL) == Decision(False, Reason.VELOCITY)


def test_app_window() -> None:
    mia = dataclasses.replace(child(), apps={"bilibili": Schedule.parse(["mon-fri 18:00-20:00"])})
    assert decide(purchase(app="bilibili"), mia, spent(), SATURDAY_NOON, CAL) == Decision(False, Reason.APP_WINDOW)
    assert decide(purchase(app="douyin"), mia, spent(), SATURDAY_NOON, CAL) == ALLOW
    friday_evening = datetime(2024, 6, 7, 19, 0, tzinfo=SHANGHAI)
    assert decide(purchase(app="bilibili"), mia, spent(), friday_evening, CAL) == ALLOW


def test_purchase_window() -> None:
    mia = dataclasses.replace(child(), purchases=Schedule.parse(["sat-sun 10:00-20:00"]))
    assert decide(purchase(), mia, spent(), SATURDAY_NOON, CAL) == ALLOW
    assert decide(purchase(), mia, spent(), datetime(2024, 6, 8, 20, 0, tzinfo=SHANGHAI), CAL) == Decision(
        False, Reason.PURCHASE_WINDOW
    )
    assert decide(purchase(), mia, spent(), datetime(2024, 6, 7, 12, 0, tzinfo=SHANGHAI), CAL) == Decision(
        False, Reason.PURCHASE_WINDOW
    )


def test_never_purchase_window() -> None:
    mia = dataclasses.replace(child(), purchases=Schedule.parse([]))
    assert decide(purchase("0.001"), mia, spent(), SATURDAY_NOON, CAL) == Decision(False, Reason.PURCHASE_WINDOW)


def test_unreadable() -> None:
    assert decide(purchase(None), child(), spent(), SATURDAY_NOON, CAL) == Decision(False, Reason.UNREADABLE)


def test_windows_use_the_household_clock() -> None:
    mia = dataclasses.replace(child(), purchases=Schedule.parse(["sat 10:00-12:00"]))
    instant = datetime(2024, 6, 8, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai, 05:00 in Berlin
    assert decide(purchase(), mia, spent(), instant, CAL) == ALLOW
    berlin = Calendar(ZoneInfo("Europe/Berlin"), 0)
    assert decide(purchase(), mia, spent(), instant, berlin) == Decision(False, Reason.PURCHASE_WINDOW)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(purchase(), child(), spent(), datetime(2024, 6, 8, 12), CAL)


def test_unlisted_device_is_always_allowed() -> None:
    assert decide(purchase(None), None, spent("9999", "9999", "9999", 99), SATURDAY_NOON, CAL) == ALLOW
    assert decide(purchase("99999"), None, spent(), SATURDAY_NOON, CAL) == ALLOW
    assert app_open(None, "bilibili", SATURDAY_NOON, CAL)
    # The same purchase by a listed child with a closed window is refused.
    mia = dataclasses.replace(child(), purchases=Schedule.parse([]))
    assert not decide(purchase("99999"), mia, spent(), SATURDAY_NOON, CAL).allowed


# Precedence: a purchase that breaks everything is refused for the first limit, in this order.
PRECEDENCE = [
    Reason.APP_WINDOW,
    Reason.PURCHASE_WINDOW,
    Reason.UNREADABLE,
    Reason.PER_PURCHASE,
    Reason.VELOCITY,
    Reason.DAY_CAP,
    Reason.WEEK_CAP,
    Reason.MONTH_CAP,
]


def _breaking(broken: set[Reason]) -> tuple[Purchase, Child, Spending]:
    closed = Schedule.parse([])
    caps = Caps(
        per_purchase=cny("1") if Reason.PER_PURCHASE in broken else None,
        per_minute=0 if Reason.VELOCITY in broken else None,
        day=cny("1") if Reason.DAY_CAP in broken else None,
        week=cny("1") if Reason.WEEK_CAP in broken else None,
        month=cny("1") if Reason.MONTH_CAP in broken else None,
    )
    mia = Child(
        "Mia",
        caps=caps,
        purchases=closed if Reason.PURCHASE_WINDOW in broken else Schedule.parse(None),
        apps={"bilibili": closed} if Reason.APP_WINDOW in broken else {},
    )
    return purchase(None if Reason.UNREADABLE in broken else "5"), mia, spent()


@pytest.mark.parametrize("first", range(len(PRECEDENCE)))
def test_precedence(first: int) -> None:
    p, mia, s = _breaking(set(PRECEDENCE[first:]))
    assert decide(p, mia, s, SATURDAY_NOON, CAL) == Decision(False, PRECEDENCE[first])


def test_caps_are_checked_day_week_month() -> None:
    mia = child(day="100", week="100", month="100")
    assert decide(purchase("10"), mia, spent("95", "95", "95"), SATURDAY_NOON, CAL).reason == Reason.DAY_CAP
    assert decide(purchase("10"), mia, spent("0", "95", "95"), SATURDAY_NOON, CAL).reason == Reason.WEEK_CAP
    assert decide(purchase("10"), mia, spent("0", "0", "95"), SATURDAY_NOON, CAL).reason == Reason.MONTH_CAP


def test_app_open() -> None:
    mia = dataclasses.replace(child(), apps={"kuaishou": Schedule.parse(["mon-fri 18:00-20:00"])})
    assert not app_open(mia, "kuaishou", SATURDAY_NOON, CAL)
    assert app_open(mia, "kuaishou", datetime(2024, 6, 7, 11, 0, tzinfo=UTC), CAL)  # Friday 19:00 in Shanghai
    assert app_open(mia, "bilibili", SATURDAY_NOON, CAL)


def test_spending_zero() -> None:
    assert Spending.zero("USD") == Spending(*(Money(Decimal(0), "USD"),) * 3, 0)


def test_every_reason_is_explained_in_both_languages() -> None:
    assert set(EXPLAIN) == set(LABEL) == set(Reason)
    for reason in Reason:
        for say in (explain, label):
            zh, en = say(reason, "zh"), say(reason, "en")
            assert en and zh != en and CJK.search(zh) and not CJK.search(en), reason
    assert explain(Reason.DAY_CAP, "zh") == "已达到今日消费上限"
    # An unknown amount is never called unreadable, in either language.
    assert label(Reason.UNKNOWN_AMOUNT, "en") == "amount unknown" and "unreadable" not in explain(
        Reason.UNKNOWN_AMOUNT, "en"
    )
    assert label(Reason.UNKNOWN_AMOUNT, "zh") == "金额未知"
    assert [str(r) for r in PRECEDENCE] == [
        "app-window",
        "purchase-window",
        "unreadable",
        "per-purchase",
        "velocity",
        "day-cap",
        "week-cap",
        "month-cap",
    ]


@pytest.mark.parametrize(
    ("mia", "spending", "overrides", "reason"),
    [
        (child(), spent(), Overrides(), None),
        (child(day="50"), spent(day="49.99"), Overrides(), None),  # one fen still fits
        (child(day="50"), spent(day="50"), Overrides(), Reason.DAY_CAP),  # reached: no purchase fits any more
        (child(day="50"), spent(day="50"), Overrides(extra_day=Decimal("5")), None),
        (child(week="100"), spent(week="100"), Overrides(), Reason.WEEK_CAP),
        (child(month="300"), spent(month="301"), Overrides(), Reason.MONTH_CAP),
        (child(per_minute=3), spent(last_minute=3), Overrides(), Reason.VELOCITY),
        (child(per_purchase="1"), spent(day="1000"), Overrides(), None),  # a small purchase could still pass
        (child(), spent(), Overrides(locked=True), Reason.LOCKED),
        (dataclasses.replace(child(), purchases=Schedule.parse([])), spent(), Overrides(), Reason.PURCHASE_WINDOW),
        (
            dataclasses.replace(child(), apps={"bilibili": Schedule.parse(["mon-fri 18:00-20:00"])}),
            spent(),
            Overrides(),
            Reason.APP_WINDOW,
        ),
        (None, spent(), Overrides(locked=True), None),  # an unlisted device the household allows
    ],
)
def test_refused_whatever_amount(mia, spending: Spending, overrides: Overrides, reason: Reason | None) -> None:
    assert refused_whatever_amount(mia, "bilibili", spending, SATURDAY_NOON, CAL, overrides) is reason
    if reason is not None and mia is not None:  # then decide refuses every amount, for the same reason
        for amount in ("0.01", "1", "1000"):
            assert decide(purchase(amount), mia, spending, SATURDAY_NOON, CAL, overrides) == Decision(False, reason)
