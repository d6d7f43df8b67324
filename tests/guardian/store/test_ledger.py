import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from guardian.catalog.detect import Purchase
from guardian.enforce.policy import ALLOW, Decision, Reason, decide
from guardian.household.config import Caps, Child
from guardian.household.money import Money
from guardian.household.periods import Calendar
from guardian.store.ledger import ACCEPTED, FAILED, NEVER, PENDING, Attempt, Ledger
from guardian.store.spend import Spending
from tests.support.ledgers import judged, spending

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = Calendar(SHANGHAI, 0)


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def gift(amount: str | None = "10", recipient: str | None = "672328094") -> Purchase:
    if amount is None:
        return Purchase(
            "bilibili", "gift", "bilibili.gift.sendGold", None, "gold", None, None, "the field 'gift_num' is missing"
        )
    money = cny(amount)
    return Purchase("bilibili", "gift", "bilibili.gift.sendGold", money.amount * 1000, "gold", money, recipient)


def attempt(
    at: datetime, purchase: Purchase | None = None, child: str | None = "Mia", client: str = "10.0.0.2"
) -> Attempt:
    return Attempt(at, client, None, child, purchase or gift())


def allow(_: Spending) -> Decision:
    return ALLOW


def refuse(_: Spending) -> Decision:
    return Decision(False, Reason.DAY_CAP)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "guardian.db"


@pytest.fixture
def ledger(path: Path) -> Iterator[Ledger]:
    ledger = Ledger(path)
    yield ledger
    ledger.close()


def local(*args: int, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(*args, tzinfo=tz)


def test_record_inserts_and_returns_the_decision(ledger: Ledger, path: Path) -> None:
    at = local(2024, 6, 8, 12, 0, 0)
    seen: list[Spending] = []

    def judge(spending: Spending) -> Decision:
        seen.append(spending)
        return ALLOW

    attempt_id, decision = judged(ledger, attempt(at, gift("1.5")), CAL, "CNY", judge)
    assert decision == ALLOW
    assert seen == [Spending.zero("CNY")]
    assert path.exists()
    (row,) = ledger.rows()
    assert row.id == attempt_id
    assert row.at == at.astimezone(UTC)
    assert (row.client_ip, row.proxy_user, row.child) == ("10.0.0.2", None, "Mia")
    assert (row.app, row.kind, row.rule) == ("bilibili", "gift", "bilibili.gift.sendGold")
    assert (row.app_amount, row.app_unit, row.amount, row.currency) == ("1500.0", "gold", "1.5", "CNY")
    assert (row.recipient, row.decision, row.reason, row.problem, row.outcome) == (
        "672328094",
        "allowed",
        None,
        None,
        PENDING,
    )


def test_record_blocked_attempt(ledger: Ledger) -> None:
    at = local(2024, 6, 8, 12, 0)
    _, decision = judged(ledger, attempt(at), CAL, "CNY", refuse)
    assert decision == Decision(False, Reason.DAY_CAP)
    (row,) = ledger.rows()
    assert (row.decision, row.reason, row.outcome, row.amount) == ("blocked", "day-cap", NEVER, "10")
    # Blocked attempts never count.
    assert spending(ledger, "Mia", at, CAL, "CNY") == Spending.zero("CNY")


def test_record_unreadable_attempt(ledger: Ledger) -> None:
    at = local(2024, 6, 8, 12, 0)
    judged(ledger, attempt(at, gift(None)), CAL, "CNY", lambda s: Decision(False, Reason.UNREADABLE))
    (row,) = ledger.rows()
    assert (row.app_amount, row.amount, row.reason, row.problem) == (
        None,
        None,
        "unreadable",
        "the field 'gift_num' is missing",
    )


def test_ids_increase(ledger: Ledger) -> None:
    at = local(2024, 6, 8, 12, 0)
    ids = [judged(ledger, attempt(at), CAL, "CNY", allow)[0] for _ in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3


def test_spending_sums_per_day_week_month_in_the_household_zone(ledger: Ledger) -> None:
    # Friday 31 May 23:59 and Saturday 1 June 00:01 in Shanghai: two days, two months, one week.
    judged(ledger, attempt(local(2024, 5, 26, 12, 0), gift("7")), CAL, "CNY", allow)  # the Sunday before: last week
    judged(ledger, attempt(local(2024, 5, 31, 23, 59), gift("3")), CAL, "CNY", allow)
    s = spending(ledger, "Mia", local(2024, 5, 31, 23, 59, 30), CAL, "CNY")
    assert (s.day, s.week, s.month, s.last_minute) == (cny("3"), cny("3"), cny("10"), 1)

    judged(ledger, attempt(local(2024, 6, 1, 0, 1), gift("5")), CAL, "CNY", allow)
    judged(ledger, attempt(local(2024, 6, 1, 0, 2), gift("100"), child="Leo"), CAL, "CNY", allow)
    judged(ledger, attempt(local(2024, 6, 1, 0, 3), gift("1000"), child=None), CAL, "CNY", allow)
    s = spending(ledger, "Mia", local(2024, 6, 1, 12, 0), CAL, "CNY")
    assert (s.day, s.week, s.month, s.last_minute) == (cny("5"), cny("8"), cny("5"), 0)
    assert spending(ledger, "Leo", local(2024, 6, 1, 12, 0), CAL, "CNY").day == cny("100")
    assert spending(ledger, "Nobody", local(2024, 6, 1, 12, 0), CAL, "CNY") == Spending.zero("CNY")


def test_the_same_attempts_fall_on_other_days_in_another_zone(ledger: Ledger) -> None:
    # 2024-06-01 00:01 in Shanghai is 2024-05-31 18:01 in Berlin: still May there.
    judged(ledger, attempt(local(2024, 5, 31, 23, 59), gift("3")), CAL, "CNY", allow)
    judged(ledger, attempt(local(2024, 6, 1, 0, 1), gift("5")), CAL, "CNY", allow)
    berlin = Calendar(ZoneInfo("Europe/Berlin"), 0)
    s = spending(ledger, "Mia", local(2024, 5, 31, 20, 0, tz=ZoneInfo("Europe/Berlin")), berlin, "CNY")
    assert (s.day, s.month) == (cny("8"), cny("8"))


def test_week_start_is_the_calendars(ledger: Ledger) -> None:
    judged(ledger, attempt(local(2024, 6, 2, 12, 0), gift("4")), CAL, "CNY", allow)  # Sunday
    now = local(2024, 6, 4, 12, 0)  # Tuesday
    assert spending(ledger, "Mia", now, Calendar(SHANGHAI, 0), "CNY").week == cny("0")
    assert spending(ledger, "Mia", now, Calendar(SHANGHAI, 6), "CNY").week == cny("4")


def test_dst_day_sums_all_25_hours(ledger: Ledger) -> None:
    berlin = Calendar(ZoneInfo("Europe/Berlin"), 0)
    first = datetime(2024, 10, 26, 22, 0, tzinfo=UTC)  # 00:00 CEST on the 25-hour day
    last = datetime(2024, 10, 27, 22, 59, tzinfo=UTC)  # 23:59 CET on the same day
    judged(ledger, attempt(first - timedelta(seconds=1), gift("100")), berlin, "CNY", allow)  # the day before
    judged(ledger, attempt(first, gift("1")), berlin, "CNY", allow)
    judged(ledger, attempt(last, gift("2")), berlin, "CNY", allow)
    assert spending(ledger, "Mia", last + timedelta(seconds=30), berlin, "CNY").day == cny("3")


@pytest.mark.parametrize(("outcome", "counts"), [(ACCEPTED, True), (PENDING, True), (FAILED, False), (NEVER, False)])
def test_settled_outcomes(ledger: Ledger, outcome: str, counts: bool) -> None:
    at = local(2024, 6, 8, 12, 0)
    attempt_id, _ = judged(ledger, attempt(at, gift("10")), CAL, "CNY", allow)
    judged(ledger, attempt(at, gift("1")), CAL, "CNY", allow)
    ledger.settle(attempt_id, outcome)
    s = spending(ledger, "Mia", at, CAL, "CNY")
    expected = cny("11") if counts else cny("1")
    assert (s.day, s.week, s.month) == (expected, expected, expected)
    assert {r.id: r.outcome for r in ledger.rows()}[attempt_id] == outcome


def test_settle_only_changes_pending_attempts(ledger: Ledger) -> None:
    at = local(2024, 6, 8, 12, 0)
    allowed, _ = judged(ledger, attempt(at), CAL, "CNY", allow)
    blocked, _ = judged(ledger, attempt(at), CAL, "CNY", refuse)
    ledger.settle(allowed, FAILED)
    ledger.settle(allowed, ACCEPTED)  # too late: the first answer stands
    ledger.settle(blocked, ACCEPTED)  # a blocked attempt never reached the server
    outcomes = {r.id: r.outcome for r in ledger.rows()}
    assert outcomes == {allowed: FAILED, blocked: NEVER}
    assert spending(ledger, "Mia", at, CAL, "CNY").day == cny("0")


def test_velocity_counts_allowed_purchases_in_the_last_60_seconds(ledger: Ledger) -> None:
    now = local(2024, 6, 8, 12, 0, 0)
    for seconds, judge in [(70, allow), (60, allow), (59, allow), (30, allow), (10, refuse), (1, allow)]:
        judged(ledger, attempt(now - timedelta(seconds=seconds), gift("1")), CAL, "CNY", judge)
    judged(ledger, attempt(now - timedelta(seconds=5), gift("1"), child="Leo"), CAL, "CNY", allow)
    assert spending(ledger, "Mia", now, CAL, "CNY").last_minute == 3
    assert spending(ledger, "Mia", now + timedelta(seconds=29), CAL, "CNY").last_minute == 2
    assert spending(ledger, "Mia", now + timedelta(seconds=58), CAL, "CNY").last_minute == 1
    assert spending(ledger, "Mia", now + timedelta(minutes=5), CAL, "CNY").last_minute == 0


def test_judge_sees_the_totals_so_far(ledger: Ledger) -> None:
    mia = Child("Mia", caps=Caps(day=cny("25"), per_minute=10))
    at = local(2024, 6, 8, 12, 0)
    decisions = []
    for _ in range(4):
        p = gift("10")
        decisions.append(judged(ledger, attempt(at, p), CAL, "CNY", lambda s, p=p: decide(p, mia, s, at, CAL))[1])
    assert decisions == [ALLOW, ALLOW, Decision(False, Reason.DAY_CAP), Decision(False, Reason.DAY_CAP)]
    assert spending(ledger, "Mia", at, CAL, "CNY").day == cny("20")


def test_unlisted_device_is_judged_against_nothing(ledger: Ledger) -> None:
    at = local(2024, 6, 8, 12, 0)
    judged(ledger, attempt(at, gift("50")), CAL, "CNY", allow)
    seen: list[Spending] = []
    judged(
        ledger, attempt(at, gift("5"), child=None, client="10.0.0.99"), CAL, "CNY", lambda s: seen.append(s) or ALLOW
    )
    assert seen == [Spending.zero("CNY")]
    assert ledger.rows(limit=1)[0].child is None


def test_a_failing_judge_records_nothing(ledger: Ledger) -> None:
    at = local(2024, 6, 8, 12, 0)

    def broken(_: Spending) -> Decision:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        judged(ledger, attempt(at), CAL, "CNY", broken)
    assert ledger.rows() == []
    # The transaction was rolled back: the ledger still works.
    judged(ledger, attempt(at), CAL, "CNY", allow)
    assert len(ledger.rows()) == 1


def test_an_error_after_the_insert_records_nothing(ledger: Ledger) -> None:
    at = local(2024, 6, 8, 12, 0)
    with pytest.raises(RuntimeError, match="boom"):
        with ledger.writing() as tx:
            assert tx.spending("Mia", at, CAL, "CNY") == Spending.zero("CNY")
            tx.insert(attempt(at, gift("10")), CAL.tz.key, "CNY", allowed=True, reason=None)
            raise RuntimeError("boom")  # e.g. the alert after the insert fails
    assert ledger.rows() == []
    assert spending(ledger, "Mia", at, CAL, "CNY") == Spending.zero("CNY")
    assert ledger.conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 0


def test_insert_stores_the_reason_as_text(ledger: Ledger) -> None:
    at = local(2024, 6, 8, 12, 0)
    with ledger.writing() as tx:
        tx.insert(attempt(at), CAL.tz.key, "CNY", allowed=False, reason=Reason.VELOCITY)
    (row,) = ledger.rows()
    assert (row.decision, row.reason, row.outcome) == ("blocked", "velocity", NEVER)
    assert type(row.reason) is str


def test_small_amounts_are_summed_exactly_and_rounded_up(ledger: Ledger) -> None:
    at = local(2024, 6, 8, 12, 0)
    for _ in range(3):
        judged(ledger, attempt(at, gift("0.001")), CAL, "CNY", allow)
    assert spending(ledger, "Mia", at, CAL, "CNY").day == cny("0.003")
    judged(ledger, attempt(at, gift("0.00001")), CAL, "CNY", allow)
    assert spending(ledger, "Mia", at, CAL, "CNY").day == cny("0.0031")


def test_rows_filters(ledger: Ledger) -> None:
    base = local(2024, 6, 8, 12, 0)
    for minutes, who in [(0, "Mia"), (1, "Leo"), (2, "Mia"), (3, "Mia")]:
        judged(ledger, attempt(base + timedelta(minutes=minutes), child=who), CAL, "CNY", allow)
    assert [r.child for r in ledger.rows()] == ["Mia", "Mia", "Leo", "Mia"]  # newest first
    assert len(ledger.rows(limit=2)) == 2
    assert [r.at for r in ledger.rows(child="Mia")] == [base + timedelta(minutes=m) for m in (3, 2, 0)]
    assert [r.at for r in ledger.rows(since=base + timedelta(minutes=2))] == [
        base + timedelta(minutes=m) for m in (3, 2)
    ]
    assert ledger.rows(child="Leo", since=base + timedelta(minutes=2)) == []


def test_data_survives_closing_and_reopening(path: Path) -> None:
    at = local(2024, 6, 8, 12, 0)
    first = Ledger(path)
    attempt_id, _ = judged(first, attempt(at, gift("12.5")), CAL, "CNY", allow)
    first.settle(attempt_id, ACCEPTED)
    first.close()
    second = Ledger(path)
    try:
        (row,) = second.rows()
        assert (row.id, row.amount, row.outcome) == (attempt_id, "12.5", ACCEPTED)
        assert spending(second, "Mia", at, CAL, "CNY").day == cny("12.5")
    finally:
        second.close()


def test_the_file_is_in_wal_mode(ledger: Ledger, path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_racing_ledgers_never_exceed_the_day_cap(path: Path) -> None:
    """20 threads, each with its own connection as a separate proxy process would have, race one day cap."""
    Ledger(path).close()  # create the file first; opening is not what is under test
    mia = Child("Mia", caps=Caps(day=cny("50")))
    at = local(2024, 6, 8, 12, 0)
    barrier = threading.Barrier(20)
    decisions: list[Decision] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        ledger = Ledger(path)
        try:
            p = gift("10")

            def judge(spending: Spending) -> Decision:
                # Widen the gap between reading the totals and writing the attempt.
                threading.Event().wait(0.002)
                return decide(p, mia, spending, at, CAL)

            barrier.wait()
            _, decision = judged(ledger, attempt(at, p), CAL, "CNY", judge)
            with lock:
                decisions.append(decision)
        except BaseException as e:  # noqa: BLE001 - reported below
            with lock:
                errors.append(e)
        finally:
            ledger.close()

    threads = [threading.Thread(target=run) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sum(d.allowed for d in decisions) == 5
    assert [d.reason for d in decisions if not d.allowed] == [Reason.DAY_CAP] * 15
    check = Ledger(path)
    try:
        assert spending(check, "Mia", at, CAL, "CNY").day == cny("50")
        assert len(check.rows(limit=100)) == 20
    finally:
        check.close()


def test_one_ledger_shared_by_threads_never_exceeds_the_day_cap(ledger: Ledger) -> None:
    mia = Child("Mia", caps=Caps(day=cny("50")))
    at = local(2024, 6, 8, 12, 0)
    barrier = threading.Barrier(10)
    decisions: list[Decision] = []

    def run() -> None:
        p = gift("20")
        barrier.wait()
        decisions.append(judged(ledger, attempt(at, p), CAL, "CNY", lambda s: decide(p, mia, s, at, CAL))[1])

    threads = [threading.Thread(target=run) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(d.allowed for d in decisions) == 2
    assert len(decisions) == 10
