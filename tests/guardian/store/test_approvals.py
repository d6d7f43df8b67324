"""Ask a parent in the core: the approvals table and the judgement of purchases that wait, on a real SQLite file."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from guardian.catalog.index import Catalog
from guardian.catalog.request import Request
from guardian.enforce.guard import Guard
from guardian.household.configfile import parse
from guardian.store import approvals, journal, outbox
from guardian.store.approvals import ApprovalError
from guardian.store.ledger import Ledger
from tests.support.ledgers import spending

NOW = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)  # 14:00 on a Saturday in Shanghai
GIFT_HOST, GIFT_PATH = "api.live.bilibili.com", "/xlive/revenue/v2/gift/sendGoldMultiUser"


def config_text(extra: str = "") -> str:
    return f"""
[[child]]
name = "Mia"
devices = ["10.0.0.2"]
[child.ask]
over = "20"
valid = 30
{extra}
"""


def make_guard(path: Path, catalog: Catalog, extra: str = "") -> Guard:
    config = parse(config_text(extra), path / "guardian.toml", catalog.apps)
    return Guard(config, catalog, Ledger(path / "guardian.db"))


def gift(yuan: str, streamer: str = "7", navigation: bool = False) -> Request:
    price = str(int(float(yuan) * 1000))
    query = (("price", price), ("gift_num", "1"), ("ruid", streamer))
    return Request("10.0.0.2", None, "POST", GIFT_HOST, GIFT_PATH, query, navigation=navigation)


def buy(guard: Guard, yuan: str, at: datetime = NOW, **kw):
    request = gift(yuan, **kw)
    purchase = guard.detect(request)
    assert purchase is not None and purchase.money is not None
    return guard.judge(request, purchase, at)


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


@pytest.fixture
def guard(tmp_path, catalog):
    g = make_guard(tmp_path, catalog)
    yield g
    g.ledger.close()


def answer(guard: Guard, approval_id: int, yes: bool, at: datetime = NOW, over_cap: bool = False):
    return approvals.decide(guard.ledger.conn, approval_id, yes, "mum", "test", ms(at), over_cap)


def test_a_purchase_above_the_threshold_asks_a_parent_once(guard):
    first = buy(guard, "25")
    assert (first.decision.allowed, first.decision.reason) == (False, "waiting-for-parent")
    assert first.wait == 25 and first.approval is not None
    assert first.answer is not None and first.answer.headers["Guardian-Reason"] == "waiting-for-parent"
    again = buy(guard, "25", NOW + timedelta(seconds=30))  # the child taps again: the same question
    assert again.approval == first.approval
    [asked] = approvals.pending(guard.ledger.conn)
    assert (asked.child, asked.app, asked.kind, asked.recipient, asked.amount, asked.currency) == (
        "Mia",
        "bilibili",
        "gift",
        "7",
        "25",
        "CNY",
    )
    assert (asked.device, asked.attempt_id, asked.at_ms) == ("10.0.0.2", first.attempt_id, ms(NOW))
    [note] = outbox.pending(guard.ledger.conn)
    assert (note.kind, note.child, note.link) == ("approval", "Mia", "/approvals")
    assert "25 CNY" in note.title and "“待您确认”" in note.body and "approve" not in note.body
    assert "approve" not in note.body and "`" not in note.body  # no command that answers: the child may read it
    assert buy(guard, "20").decision.allowed  # not above the threshold: no question


def test_a_yes_is_used_exactly_once_then_the_next_try_asks_again(guard):
    asked = buy(guard, "25")
    answer(guard, asked.approval, True, NOW + timedelta(minutes=1))
    allowed = buy(guard, "25", NOW + timedelta(minutes=2))
    assert allowed.decision.allowed and allowed.answer is None
    used = approvals.get(guard.ledger.conn, asked.approval)
    assert (used.state, used.used_attempt, used.decided_by, used.decided_via) == (
        "used",
        allowed.attempt_id,
        "mum",
        "test",
    )
    third = buy(guard, "25", NOW + timedelta(minutes=3))
    assert third.decision.reason == "waiting-for-parent" and third.approval != asked.approval
    kinds = [k for (k,) in guard.ledger.conn.execute("SELECT kind FROM journal ORDER BY seq")]
    assert kinds == [
        "attempt",
        "approval-asked",
        "approval-decided",
        "attempt",
        "approval-used",
        "attempt",
        "approval-asked",
    ]
    assert journal.verify_chain(guard.ledger.conn) is None


@pytest.mark.parametrize(
    ("yuan", "streamer", "identical"),
    [("25", "7", True), ("25.001", "7", False), ("25", "8", False)],
)
def test_only_an_identical_purchase_uses_a_yes(guard, yuan, streamer, identical):
    answer(guard, buy(guard, "25").approval, True)
    assert buy(guard, yuan, NOW + timedelta(minutes=1), streamer=streamer).decision.allowed is identical


def test_a_late_yes_is_usable_for_valid_minutes_after_it_was_given(guard):
    asked = buy(guard, "25")
    answer(guard, asked.approval, True, NOW + timedelta(hours=2))  # answered late: valid from the answer
    late = buy(guard, "25", NOW + timedelta(hours=2, minutes=31))
    assert late.decision.reason == "waiting-for-parent" and late.approval != asked.approval
    assert approvals.get(guard.ledger.conn, asked.approval).state == "approved"  # expired, never used


def test_a_no_stands_for_valid_minutes(guard):
    asked = buy(guard, "25")
    answer(guard, asked.approval, False, NOW + timedelta(minutes=1))
    assert buy(guard, "25", NOW + timedelta(minutes=30)).decision.reason == "parent-denied"
    assert len(approvals.pending(guard.ledger.conn)) == 0
    assert buy(guard, "25", NOW + timedelta(minutes=32)).decision.reason == "waiting-for-parent"


def test_caps_and_windows_refuse_without_asking(tmp_path, catalog):
    guard = make_guard(tmp_path, catalog, '[child.caps]\nday = "50"\nper_purchase = "40"\n')
    assert buy(guard, "41").decision.reason == "per-purchase"
    assert buy(guard, "20").decision.allowed and buy(guard, "20").decision.allowed
    assert buy(guard, "25").decision.reason == "day-cap"
    assert approvals.pending(guard.ledger.conn) == []
    kinds = [e.kind for e in outbox.pending(guard.ledger.conn)]
    assert "approval" not in kinds and kinds.count("refused") == 2  # told as refusals, not asked


def test_a_yes_does_not_break_a_cap_unless_given_over_the_cap(tmp_path, catalog):
    guard = make_guard(tmp_path, catalog, '[child.caps]\nday = "50"\nper_minute = 3\n')
    asked = buy(guard, "25")
    assert buy(guard, "20").decision.allowed and buy(guard, "10").decision.allowed  # 30 spent
    answer(guard, asked.approval, True)
    later = NOW + timedelta(minutes=5)
    assert buy(guard, "25", later).decision.reason == "day-cap"
    assert approvals.get(guard.ledger.conn, asked.approval).state == "approved"  # kept for an over-the-cap yes
    answer(guard, asked.approval, True, later, over_cap=True)
    assert buy(guard, "25", later).decision.allowed
    spent = spending(guard.ledger, "Mia", later, guard.calendar, "CNY").day
    assert str(spent) == "55.00 CNY"


def test_over_the_cap_still_keeps_the_per_minute_limit(tmp_path, catalog):
    guard = make_guard(tmp_path, catalog, '[child.caps]\nday = "30"\nper_minute = 1\n')
    asked = buy(guard, "25", NOW - timedelta(minutes=5))
    answer(guard, asked.approval, True, over_cap=True)
    assert buy(guard, "10").decision.allowed  # 10 + 25 > 30: only the over-the-cap yes lets the 25 through
    assert buy(guard, "25", NOW + timedelta(seconds=10)).decision.reason == "velocity"
    assert buy(guard, "25", NOW + timedelta(seconds=70)).decision.allowed


def test_a_page_load_gets_a_waiting_page_and_its_reloads_add_no_rows(guard):
    first = buy(guard, "25", navigation=True)
    assert first.answer.status == 202 and first.wait == 0
    assert b'http-equiv="refresh"' in first.answer.body and "等待家长确认".encode() in first.answer.body
    reload = buy(guard, "25", NOW + timedelta(seconds=5), navigation=True)
    assert reload.answer.status == 202 and reload.approval == first.approval
    assert len(guard.ledger.rows()) == 1
    answer(guard, first.approval, True)
    assert buy(guard, "25", NOW + timedelta(seconds=10), navigation=True).decision.allowed


def test_decisions_are_journaled_and_may_change_until_used(guard):
    asked = buy(guard, "25")
    assert answer(guard, asked.approval, False).state == "denied"
    changed = answer(guard, asked.approval, True, NOW + timedelta(minutes=1), over_cap=True)
    assert (changed.state, changed.over_cap, changed.decided_ms) == ("approved", True, ms(NOW + timedelta(minutes=1)))
    bodies = [
        b for (b,) in guard.ledger.conn.execute("SELECT body FROM journal WHERE kind = 'approval-decided' ORDER BY seq")
    ]
    assert bodies == [
        '{"by":"mum","over_cap":false,"state":"denied","via":"test","was":"pending"}',
        '{"by":"mum","over_cap":true,"state":"approved","via":"test","was":"denied"}',
    ]
    buy(guard, "25", NOW + timedelta(minutes=2))
    with pytest.raises(
        ApprovalError, match=rf"^approval #{asked.approval} was already used by a purchase; it cannot be changed$"
    ):
        answer(guard, asked.approval, False)
    with pytest.raises(ApprovalError, match=r"^there is no approval #999$"):
        answer(guard, 999, True)


def test_racing_identical_purchases_on_separate_connections_use_a_yes_once(tmp_path, catalog):
    guards = [make_guard(tmp_path, catalog) for _ in range(8)]  # one connection each, as separate processes
    answer(guards[0], buy(guards[0], "25").approval, True)
    barrier = threading.Barrier(len(guards))
    results: list[bool] = []

    def race(g: Guard) -> None:
        barrier.wait()
        results.append(buy(g, "25", NOW + timedelta(minutes=1)).decision.allowed)

    threads = [threading.Thread(target=race, args=(g,)) for g in guards]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [False] * 7 + [True]
    for g in guards:
        g.ledger.close()


def test_a_parents_no_racing_the_use_of_a_yes_leaves_one_consistent_story(tmp_path, catalog):
    guard, parent = make_guard(tmp_path, catalog), Ledger(tmp_path / "guardian.db")
    asked = buy(guard, "25")
    answer(guard, asked.approval, True)
    outcome: dict[str, object] = {}

    def deny() -> None:
        try:
            outcome["deny"] = approvals.decide(parent.conn, asked.approval, False, "dad", "test", ms(NOW)).state
        except ApprovalError as e:
            outcome["deny"] = str(e)

    t = threading.Thread(target=deny)
    t.start()
    allowed = buy(guard, "25", NOW + timedelta(seconds=1)).decision.allowed
    t.join(30)
    final = approvals.get(guard.ledger.conn, asked.approval).state
    # Either the purchase used the yes first (the no is rejected), or the no came first (the purchase is refused).
    assert (allowed, final) in {(True, "used"), (False, "denied")}
    assert (outcome["deny"] == "denied") is (not allowed)
    parent.close()


def test_wait_zero_asks_without_holding(tmp_path, catalog):
    guard = make_guard(tmp_path, catalog, "wait = 0\n")
    verdict = buy(guard, "25")
    assert (verdict.wait, verdict.decision.reason) == (0, "waiting-for-parent")
    assert verdict.approval is not None and len(approvals.pending(guard.ledger.conn)) == 1
    guard.ledger.close()


def checkout(streamer: str = "UCabc") -> Request:
    """A YouTube Super Chat checkout: the request carries no amount."""
    body = b'{"context": {}, "params": "opaque", "channelId": "' + streamer.encode() + b'"}'
    return Request(
        "10.0.0.2", None, "POST", "www.youtube.com", "/youtubei/v1/ypc/get_cart", (), "application/json", body
    )


def asking_guard(path: Path, catalog: Catalog, extra: str = "") -> Guard:
    text = config_text(extra).replace('devices = ["10.0.0.2"]\n', 'devices = ["10.0.0.2"]\nunknown_amount = "ask"\n')
    return Guard(parse(text, path / "guardian.toml", catalog.apps), catalog, Ledger(path / "guardian.db"))


def test_a_purchase_of_unknown_amount_asks_when_the_child_is_set_to_ask(tmp_path, catalog):
    guard = asking_guard(tmp_path, catalog)
    purchase = guard.detect(checkout())
    assert purchase is not None and purchase.unknown and purchase.money is None
    first = guard.judge(checkout(), purchase, NOW)
    assert (first.decision.allowed, first.decision.reason) == (False, "waiting-for-parent")
    [asked] = approvals.pending(guard.ledger.conn)
    assert (asked.app, asked.amount, asked.currency) == ("youtube", "unknown", "")
    [note] = outbox.pending(guard.ledger.conn)
    assert note.title == "Mia 请求消费（金额未知）"  # never "unreadable": the app does not say, by design
    answer(guard, asked.id, True, NOW + timedelta(minutes=1))
    later = NOW + timedelta(minutes=2)
    assert guard.judge(checkout(), purchase, later).decision.allowed  # the yes is used once
    third = guard.judge(checkout(), purchase, later + timedelta(seconds=5))
    assert third.decision.reason == "waiting-for-parent"  # and then a new question
    guard.ledger.close()


def test_a_purchase_of_unknown_amount_is_refused_without_asking_outside_the_purchase_window(tmp_path, catalog):
    guard = asking_guard(tmp_path, catalog, "[child.windows]\npurchases = []\n")
    purchase = guard.detect(checkout())
    verdict = guard.judge(checkout(), purchase, NOW)
    assert verdict.decision.reason == "purchase-window"
    assert approvals.pending(guard.ledger.conn) == []
    guard.ledger.close()


def test_refuse_stays_the_default_for_unknown_amounts(guard):
    purchase = guard.detect(checkout())
    verdict = guard.judge(checkout(), purchase, NOW)
    assert verdict.decision.reason == "unknown-amount"
    assert approvals.pending(guard.ledger.conn) == []
