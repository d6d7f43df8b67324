"""One payment, several requests: a later step (`continues`) of a payment already allowed is recorded, not counted.

Kuaishou's H5 top-up: the cashier (fen), then the order on kuaishoupay.com (pay_amount), then Alipay's gateway
(total_amount). Douyin's: the top-up, then the cashdesk. Each allowed step covers one later step of each rule,
and only a step of the same amount.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

from guardian.catalog.index import Catalog
from guardian.catalog.request import Request
from guardian.enforce.guard import Guard
from guardian.enforce.policy import Reason
from guardian.evidence.verify import verify
from guardian.household import configfile
from guardian.household.money import Money
from guardian.store.ledger import FAILED, Ledger
from tests.support import ledgers

NOON = datetime(2024, 6, 8, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
CONFIG = """\
[household]
unknown_devices = "allow"

[[child]]
name = "Mia"
devices = ["10.0.0.2"]

[child.caps]
day = "100"

[[child]]
name = "Leo"
devices = ["10.0.0.3"]

[child.caps]
per_minute = 2
"""

MakeRequest = Callable[..., Request]


@pytest.fixture
def guard(tmp_path: Path, catalog: Catalog) -> Iterator[Guard]:
    c = configfile.parse(CONFIG, tmp_path / "guardian.toml", catalog.apps)
    ledger = Ledger(c.storage)
    yield Guard(c, catalog, ledger)
    ledger.close()


def cashier(make: MakeRequest, fen: int, client: str = "10.0.0.2") -> Request:
    body = json.dumps({"ksCoin": fen // 10, "fen": fen, "kpf": "PC_WEB"}).encode()
    path = "/payAPI/k/pay/kscoin/deposit/nlogin/kspay/cashier"
    return make("pay.ssl.kuaishou.com", path, body=body, content_type="application/json", client=client)


def order(make: MakeRequest, fen: int, client: str = "10.0.0.2") -> Request:
    body = urlencode({"provider": "ALIPAY", "merchant_id": "M", "out_order_no": "O", "pay_amount": str(fen)}).encode()
    path = "/pay/order/h5/trade/create_pay_order"
    return make("www.kuaishoupay.com", path, body=body, content_type="application/x-www-form-urlencoded", client=client)


def alipay(make: MakeRequest, yuan: str, client: str = "10.0.0.2") -> Request:
    query = {"method": "alipay.trade.wap.pay", "app_id": "K", "biz_content": json.dumps({"total_amount": yuan})}
    return make("openapi.alipay.com", "/gateway.do", query, method="GET", navigation=True, client=client)


def spending(guard: Guard, child: str, now: datetime):
    return ledgers.spending(guard.ledger, child, now, guard.calendar, "CNY")


def judge(guard: Guard, request: Request, at: datetime = NOON):
    return guard.judge(request, guard.detect(request), at)


def test_a_three_step_top_up_counts_once(guard: Guard, make_request: MakeRequest) -> None:
    first = judge(guard, cashier(make_request, 3000))
    second = judge(guard, order(make_request, 3000), NOON + timedelta(seconds=2))
    third = judge(guard, alipay(make_request, "30.00"), NOON + timedelta(seconds=5))
    assert [v.decision.allowed for v in (first, second, third)] == [True, True, True]
    assert second.answer is None and third.answer is None
    rows = guard.ledger.rows()[::-1]
    assert [(r.rule, r.amount, r.continues) for r in rows] == [
        ("kuaishou.recharge.payapi_cashier", "30", None),
        ("kuaishou.order.create_pay_order", "30", first.attempt_id),
        ("alipay.trade.page.pay", "30.00", first.attempt_id),
    ]
    assert spending(guard, "Mia", NOON).day == Money(Decimal(30), "CNY")
    assert verify(guard.ledger.conn).intact  # the continuation is in the journal like any attempt


def test_a_step_of_another_amount_or_too_late_is_a_purchase_of_its_own(guard: Guard, make_request) -> None:
    judge(guard, cashier(make_request, 3000))
    other = judge(guard, alipay(make_request, "25"), NOON + timedelta(seconds=5))  # not the 30 just allowed
    late = judge(guard, order(make_request, 3000), NOON + timedelta(minutes=16))
    assert other.decision.allowed and late.decision.allowed
    assert [r.continues for r in guard.ledger.rows()] == [None, None, None]
    assert spending(guard, "Mia", NOON + timedelta(minutes=16)).day == Money(Decimal(85), "CNY")


def test_each_allowed_step_covers_one_later_step_per_rule(guard: Guard, make_request: MakeRequest) -> None:
    first = judge(guard, cashier(make_request, 2000))
    again = [judge(guard, alipay(make_request, "20"), NOON + timedelta(seconds=s)) for s in (3, 4)]
    assert [r.continues for r in guard.ledger.rows()[::-1]] == [None, first.attempt_id, None]
    assert spending(guard, "Mia", NOON).day == Money(Decimal(40), "CNY")  # the second page is a second payment
    assert again[1].decision.allowed


def test_a_step_after_a_refused_or_failed_one_is_judged(guard: Guard, make_request: MakeRequest) -> None:
    refused = judge(guard, cashier(make_request, 20000))  # 200 CNY: over the day cap of 100
    assert refused.decision.reason == Reason.DAY_CAP
    page = judge(guard, alipay(make_request, "200"), NOON + timedelta(seconds=3))
    assert page.decision.reason == Reason.DAY_CAP and page.answer is not None  # not waved through
    failed = judge(guard, cashier(make_request, 1000), NOON + timedelta(seconds=5))
    guard.ledger.settle(failed.attempt_id, FAILED)
    counted = judge(guard, order(make_request, 1000), NOON + timedelta(seconds=6))
    assert guard.ledger.rows()[0].continues is None and counted.decision.allowed
    assert spending(guard, "Mia", NOON).day == Money(Decimal(10), "CNY")


def test_a_step_continues_only_the_same_childs_payment(guard: Guard, make_request: MakeRequest) -> None:
    judge(guard, cashier(make_request, 3000, client="10.0.0.3"))  # Leo pays
    mia = judge(guard, alipay(make_request, "30"), NOON + timedelta(seconds=2))  # Mia's page is hers
    assert mia.decision.allowed and guard.ledger.rows()[0].continues is None
    assert spending(guard, "Mia", NOON).day == Money(Decimal(30), "CNY")


def test_a_continuation_does_not_count_towards_the_per_minute_cap(tmp_path: Path, catalog, make_request) -> None:
    c = configfile.parse(CONFIG, tmp_path / "guardian.toml", catalog.apps)
    ledger = Ledger(c.storage)
    try:
        guard = Guard(c, catalog, ledger)
        leo = [cashier(make_request, 1000, "10.0.0.3"), order(make_request, 1000, "10.0.0.3"),
               alipay(make_request, "10", "10.0.0.3"), cashier(make_request, 500, "10.0.0.3")]  # fmt: skip
        decisions = [judge(guard, r, NOON + timedelta(seconds=n)).decision for n, r in enumerate(leo)]
        assert [d.allowed for d in decisions] == [True, True, True, True]  # two purchases, two continuations
        fifth = judge(guard, cashier(make_request, 600, "10.0.0.3"), NOON + timedelta(seconds=5))
        assert fifth.decision.reason == Reason.VELOCITY
    finally:
        ledger.close()


def test_an_evidence_export_counts_the_payment_once_and_shows_the_link(guard: Guard, make_request) -> None:
    from guardian.evidence import export

    first = judge(guard, cashier(make_request, 3000))
    judge(guard, alipay(make_request, "30.00"), NOON + timedelta(seconds=5))
    day = NOON.date()
    pack = export.build(guard.ledger.conn, "Mia", day, day, "Asia/Shanghai", "CNY", NOON + timedelta(hours=1))
    assert (pack.total.attempts, pack.total.allowed, pack.total.spent) == (2, 2, Decimal(30))
    assert [a["continues"] for a in pack.attempts] == [None, str(first.attempt_id)]
    assert pack.max_hour_amount == Decimal(30)
