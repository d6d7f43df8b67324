"""Review queries: attempts with filters, one week's spending (DST included), caps at a glance."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from guardian.catalog.detect import Purchase
from guardian.enforce.policy import Decision, Reason
from guardian.evidence import review
from guardian.household import configfile
from guardian.household.money import Money
from guardian.household.periods import Calendar
from guardian.store.ledger import FAILED, Attempt, Ledger
from guardian.store.overrides import Overrides
from tests.support.ledgers import judged

BERLIN = Calendar(ZoneInfo("Europe/Berlin"), 0)


@pytest.fixture
def ledger(tmp_path):
    ledger = Ledger(tmp_path / "g.db")
    yield ledger
    ledger.close()


def add(ledger, at, yuan="10", child="Mia", app="bilibili", recipient="r", refused=False) -> int:
    p = Purchase(app, "gift", "g", Decimal(yuan), "gold", Money(Decimal(yuan), "EUR"), recipient)
    d = Decision(False, Reason.DAY_CAP) if refused else Decision(True)
    return judged(ledger, Attempt(at, "10.0.0.2", None, child, p), BERLIN, "EUR", lambda s: d)[0]


def test_week_buckets_by_local_day_across_the_dst_change(ledger):
    # 2026-03-29 (Sunday) is 23 hours long in Berlin; 21:30 UTC is 23:30 local, still Sunday.
    add(ledger, datetime(2026, 3, 29, 21, 30, tzinfo=UTC), "5", recipient="late")
    add(ledger, datetime(2026, 3, 29, 22, 30, tzinfo=UTC), "7", recipient="next-week")  # Monday 00:30
    add(ledger, datetime(2026, 3, 23, 8, 0, tzinfo=UTC), "3", app="douyin", recipient="late")
    add(ledger, datetime(2026, 3, 24, 8, 0, tzinfo=UTC), "50", refused=True)
    failed = add(ledger, datetime(2026, 3, 25, 8, 0, tzinfo=UTC), "40")
    ledger.settle(failed, FAILED)  # a purchase the app's server refused does not count
    [mia] = review.week(ledger.conn, BERLIN, date(2026, 3, 23), ["Mia"])
    assert dict(mia.days) == {
        date(2026, 3, d): Decimal(x) for d, x in [(23, 3), (24, 0), (25, 0), (26, 0), (27, 0), (28, 0), (29, 5)]
    }
    assert mia.total == 8 and mia.apps == [("bilibili", Decimal(5)), ("douyin", Decimal(3))]
    assert [(r.app, r.name, r.amount, r.count) for r in mia.recipients] == [
        ("bilibili", "late", 5, 1),
        ("douyin", "late", 3, 1),
    ]
    assert [r.amount for r in mia.refused] == ["50"]
    [nxt] = review.week(ledger.conn, BERLIN, date(2026, 3, 30), ["Mia"])
    assert nxt.total == 7


def test_week_lists_configured_children_first_and_unknown_ones_after(ledger):
    add(ledger, datetime(2026, 3, 24, 8, 0, tzinfo=UTC), child="Zed")
    names = [c.child for c in review.week(ledger.conn, BERLIN, date(2026, 3, 23), ["Mia", "Leo"])]
    assert names == ["Mia", "Leo", "Zed"]


def test_caps_status_with_extra_allowance(ledger, tmp_path):
    config = configfile.parse('[[child]]\nname = "Mia"\n[child.caps]\nday = "20"\nmonth = "100"\n', tmp_path / "g.toml")
    add(ledger, datetime(2026, 3, 24, 8, 0, tzinfo=UTC), "15")
    add(ledger, datetime(2026, 3, 2, 8, 0, tzinfo=UTC), "30")
    day, week, month = review.caps_status(
        ledger.conn,
        config.child("Mia"),
        datetime(2026, 3, 24, 12, 0, tzinfo=UTC),
        BERLIN,
        Overrides(extra_day=Decimal(10)),
    )
    assert (day.spent, day.cap, round(day.fraction, 2)) == (15, 30, 0.5)
    assert (week.spent, week.cap, week.fraction) == (15, None, 0.0)
    assert (month.spent, month.cap) == (45, 100)


def test_attempts_filters_and_after(ledger):
    a = add(ledger, datetime(2026, 3, 24, 8, 0, tzinfo=UTC))
    b = add(ledger, datetime(2026, 3, 24, 9, 0, tzinfo=UTC), child="Leo", app="douyin", refused=True)
    assert [r.id for r in review.attempts(ledger.conn)] == [b, a]
    assert [r.id for r in review.attempts(ledger.conn, after_id=a)] == [b]
    assert [r.id for r in review.attempts(ledger.conn, decision="allowed")] == [a]
    assert [r.id for r in review.attempts(ledger.conn, child="Leo", app="douyin")] == [b]
    assert review.choices(ledger.conn) == (["Leo", "Mia"], ["bilibili", "douyin"])
