"""Outbox delivery through plyer's Linux backend and a recording notify-send:
once each, nothing lost, bursts summarised."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from guardian.notify import delivery
from guardian.notify.desktop import NotifyError, PlyerNotifier, clean
from guardian.store import outbox
from guardian.store.db import ms
from guardian.store.ledger import Ledger
from tests.support import demo
from tests.support.notifysend import FakeNotifySend

T0 = 1_780_000_000_000


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeNotifySend:
    fake = FakeNotifySend(tmp_path / "bin")
    monkeypatch.setenv("PATH", fake.path_env())
    return fake


@pytest.fixture
def conn(tmp_path: Path):
    ledger = Ledger(tmp_path / "guardian.db")
    yield ledger.conn
    ledger.close()


def states(conn) -> list[tuple[str, str, int]]:
    return conn.execute("SELECT kind, state, tries FROM outbox ORDER BY id").fetchall()


def test_each_event_is_delivered_once_and_none_is_lost_when_the_first_try_fails(conn, fake):
    outbox.post(conn, outbox.CAP_NEAR, "Mia", "Mia has spent 80 % of the day cap", "40 of 50", T0)
    outbox.post(conn, outbox.REFUSED, "Mia", "Refused for Mia: bilibili gift 60.00 CNY", "day-cap", T0)
    fake.fail_next(1)
    first = delivery.deliver(conn, PlyerNotifier(), T0 + 1000)
    assert (first.delivered, first.failed) == (1, 1)  # the first notify-send call failed, the second worked
    [(kind, state, tries, error)] = conn.execute(
        "SELECT kind, state, tries, last_error FROM outbox WHERE state = 'pending'"
    ).fetchall()
    assert (kind, tries) == ("cap-80", 1) and "exited with 1" in error and "D-Bus" in error
    assert delivery.failing(conn) == (1, error)
    delivery.deliver(conn, PlyerNotifier(), T0 + 4000)
    delivery.deliver(conn, PlyerNotifier(), T0 + 8000)  # nothing left: no repeats
    assert sorted(fake.sent()) == [
        ("Mia has spent 80 % of the day cap", "40 of 50"),
        ("Refused for Mia: bilibili gift 60.00 CNY", "day-cap"),
    ]
    assert [s for _, s, _ in states(conn)] == ["delivered", "delivered"]
    assert delivery.failing(conn) == (0, None)


def test_while_no_backend_works_events_stay_pending_with_the_reason(conn, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    outbox.post(conn, outbox.WEEKLY, None, "Guardian week", "summary", T0)
    for _ in range(3):
        assert delivery.deliver(conn, PlyerNotifier(), T0).failed == 1
    assert states(conn) == [("weekly-summary", "pending", 3)]
    assert "no desktop notifier" in delivery.failing(conn)[1]


def test_a_burst_of_refusals_is_one_notification(conn, fake):
    for i in range(5):
        outbox.post(conn, outbox.REFUSED, "Mia", f"Refused for Mia: bilibili gift {i}.00 CNY", "velocity", T0 + i * 100)
    outbox.post(conn, outbox.REFUSED, "Leo", "Refused for Leo: douyin recharge 9.00 CNY", "day-cap", T0)
    report = delivery.deliver(conn, PlyerNotifier(), T0 + 1000, "en")
    assert (report.delivered, report.summarised) == (2, 5)
    sent = fake.sent()
    assert len(sent) == 2
    assert (
        "5 purchases refused for Mia within a minute",
        "bilibili gift 0.00 CNY; bilibili gift 1.00 CNY; bilibili gift 2.00 CNY; bilibili gift 3.00 CNY; bilibili "
        "gift 4.00 CNY",
    ) in sent
    assert ("Refused for Leo: douyin recharge 9.00 CNY", "day-cap") in sent
    assert [s for k, s, _ in states(conn) if k == "refused"] == ["summarised"] * 5 + ["delivered"]
    assert [k for k, s, _ in states(conn) if s == "delivered"] == ["refused", "refusals-summary"]


def test_refusals_after_a_notification_wait_for_the_minute_then_come_as_one(conn, fake):
    outbox.post(conn, outbox.REFUSED, "Mia", "Refused for Mia: gift 1", "day-cap", T0)
    delivery.deliver(conn, PlyerNotifier(), T0 + 1000)
    for i in range(3):
        outbox.post(conn, outbox.REFUSED, "Mia", f"Refused for Mia: gift {i + 2}", "day-cap", T0 + 2000 + i)
    assert delivery.deliver(conn, PlyerNotifier(), T0 + 30_000).held == 3
    assert len(fake.sent()) == 1
    assert delivery.deliver(conn, PlyerNotifier(), T0 + 61_001, "en").summarised == 3
    assert fake.sent()[1][0] == "3 purchases refused for Mia within a minute"


def test_notification_text_is_cleaned_and_bounded(conn, fake):
    outbox.post(conn, outbox.REFUSED, "Mia", "Refused: \u202e<b>x</b>\x07" + "y" * 400, "z" * 400, T0)
    delivery.deliver(conn, PlyerNotifier(), T0)
    [(title, body)] = fake.sent()
    assert "\u202e" not in title and "\x07" not in title
    assert len(title) <= 120 and len(body) <= 300 and title.endswith("…")
    assert clean("\x00\x01", 10) == "-"


def test_notify_error_is_raised_not_swallowed(fake):
    fake.fail_next(1)
    with pytest.raises(NotifyError, match="exited with 1"):
        PlyerNotifier().notify("t", "b")
    PlyerNotifier().notify("t", "b")
    assert fake.sent() == [("t", "b")]


def test_markup_in_the_body_is_escaped_for_the_notification_server(fake):
    PlyerNotifier().notify("<b>title stays plain</b>", "to <img src=x onerror=alert(1)> & co")
    assert fake.sent() == [("<b>title stays plain</b>", "to &lt;img src=x onerror=alert(1)&gt; &amp; co")]


def test_refusals_that_waited_for_hours_are_not_called_a_burst_within_a_minute(conn, fake):
    outbox.post(conn, outbox.REFUSED, "Mia", "Refused for Mia: gift 1", "day-cap", T0)
    outbox.post(conn, outbox.REFUSED, "Mia", "Refused for Mia: gift 2", "day-cap", T0 + 3_600_000)
    delivery.deliver(conn, PlyerNotifier(), T0 + 7_200_000, "en")
    assert fake.sent() == [("2 purchases refused for Mia", "gift 1; gift 2")]


def test_a_burst_summary_carries_the_records_head_like_every_note(conn, fake):
    from guardian.store import db, journal

    with db.transaction(conn):
        journal.append(conn, "limit-change", 1, {"what": "x"}, T0)
    head = journal.head(conn)
    for i in range(3):
        outbox.post(conn, outbox.REFUSED, "Mia", f"已为 Mia 拦截：gift {i}", "velocity", T0 + i)
    delivery.deliver(conn, PlyerNotifier(), T0 + 1000)
    [(title, body)] = fake.sent()
    assert title == "一分钟内已为 Mia 拦截 3 笔消费"
    assert body == f"gift 0；gift 1；gift 2 · #1 {head[:16]}"
    [stored] = [e for e in outbox.recent(conn) if e.kind == outbox.REFUSALS_SUMMARY]
    assert stored.body == body


def test_a_burst_is_summarised_in_the_households_language(conn, fake):
    # Chinese by default; each refusal's own title was written in Chinese by the proxy.
    for i in range(7):
        outbox.post(conn, outbox.REFUSED, None, f"已为 未登记的设备 拦截：抖音礼物，{i}.00 CNY", "…", T0 + i)
    delivery.deliver(conn, PlyerNotifier(), T0 + 1000)
    [(title, body)] = fake.sent()
    assert title == "一分钟内已为 未登记的设备 拦截 7 笔消费"
    assert body.startswith("抖音礼物，0.00 CNY；抖音礼物，1.00 CNY；") and body.endswith("；另有 2 笔")


class Recorder:
    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def notify(self, title: str, body: str) -> None:
        self.sent.append((title, body))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_kind_of_notification_speaks_the_households_language(tmp_path, language):
    now = datetime.now(UTC)
    path = demo.make(tmp_path, now, language)
    ledger = Ledger(tmp_path / "guardian.db")
    try:
        recorder = Recorder()
        for later in (1_000, 62_000, 124_000):  # the refusals held back come as a burst after the minute
            delivery.deliver(ledger.conn, recorder, ms(now) + later, language)
        events = outbox.recent(ledger.conn)
    finally:
        ledger.close()
    assert path.exists() and {e.kind for e in events} == set(outbox.KINDS)
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for e in events:
        text = e.title + e.body
        assert bool(cjk.search(text)) == (language == "zh"), (e.kind, text)
    assert recorder.sent and all(bool(cjk.search(t + b)) == (language == "zh") for t, b in recorder.sent)
    unknown = next(e for e in events if e.kind == outbox.REFUSED and "YouTube" in e.title)
    assert unknown.title.endswith({"zh": "YouTube支付，金额未知", "en": "YouTube checkout, amount unknown"}[language])
