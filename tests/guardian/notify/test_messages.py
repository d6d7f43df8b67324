"""What a phone is sent: a question's fields, the streamer id quoted and inert, groups within a size, the head."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guardian import words
from guardian.catalog.request import Request
from guardian.enforce.guard import Guard
from guardian.household.configfile import parse
from guardian.notify import messages
from guardian.notify.messages import Context, Item
from guardian.store import approvals, journal, outbox
from guardian.store.ledger import Ledger

NOW = datetime(2026, 11, 28, 12, 31, 5, tzinfo=UTC)  # 20:31:05 in Shanghai
HOST, PATH = "api.live.bilibili.com", "/xlive/revenue/v2/gift/sendGoldMultiUser"
NAMES = {"bilibili": "哔哩哔哩"}


@pytest.fixture
def guard(tmp_path, catalog):
    text = '[[child]]\nname = "Mia"\ndevices = ["10.0.0.2"]\n[child.ask]\nover = "20"\n'
    g = Guard(parse(text, tmp_path / "guardian.toml", catalog.apps), catalog, Ledger(tmp_path / "guardian.db"))
    yield g
    g.ledger.close()


def ask(guard: Guard, yuan: int, streamer: str = "7734", at: datetime = NOW, user: str | None = None) -> int:
    query = (("price", str(yuan * 1000)), ("gift_num", "1"), ("ruid", streamer))
    request = Request("10.0.0.2", user, "POST", HOST, PATH, query)
    verdict = guard.judge(request, guard.detect(request), at)
    assert verdict.approval is not None
    return verdict.approval


def ctx(conn, language: str = "en") -> Context:
    return Context(ZoneInfo("Asia/Shanghai"), NAMES, messages.witness(conn), words.of(language))


def items(conn, urgent: bool = False, language: str = "en") -> list[Item]:
    return messages.load(conn, [(e, urgent) for e in outbox.after(conn, 0)], ctx(conn, language))


def test_a_question_carries_every_field_and_ends_with_the_records_head(guard):
    approval = ask(guard, 30)
    conn = guard.ledger.conn
    [item] = items(conn)
    message = messages.compose([item], ctx(conn), messages.MAX_BODY["ntfy"])
    assert message.title == "Mia asks to spend 30.00 CNY"
    head = journal.head(conn)
    assert message.body.splitlines() == [
        "Amount: 30.00 CNY (30000 gold)",
        "App: 哔哩哔哩 gift",
        "Streamer id: “7734”",
        "Device: 10.0.0.2",
        "Time: 11-28 20:31:05",
        f"Question #{approval}",
        "Answer it on the dashboard's “Waiting for you” page.",
        f"· #2 {head[:16]}",
    ]
    assert message.events == (item.event.id,) and message.link is None and not message.urgent


def test_a_question_speaks_the_households_language(guard):
    approval = ask(guard, 30)
    conn = guard.ledger.conn
    message = messages.compose(items(conn, language="zh"), ctx(conn, "zh"), 4000)
    assert message.title == "Mia 请求消费 30.00 CNY"
    assert message.body.splitlines()[:6] == [
        "金额：30.00 CNY（30000 gold）",
        "应用：哔哩哔哩礼物",
        "主播 ID：“7734”",
        "设备：10.0.0.2",
        "时间：11-28 20:31:05",
        f"请求 #{approval}",
    ]


def test_the_streamer_id_and_a_proxy_user_are_quoted_and_never_a_link(guard):
    ask(guard, 30, streamer="https://evil.example/ok*", user="mia@x.io")
    conn = guard.ledger.conn
    body = messages.compose(items(conn), ctx(conn), 4000).body
    assert "Streamer id: “https：／／evil．example／ok∗”" in body
    assert "Device: user “mia＠x．io”" in body
    assert not re.search(r"https?://", body)


def test_a_question_with_a_link_carries_it_to_tap(guard):
    ask(guard, 30)
    conn = guard.ledger.conn
    conn.execute("UPDATE outbox SET link = 'https://guardian.home:8765/q/1?t=abc'")  # what the answer-link flow sets
    message = messages.compose(items(conn), ctx(conn), 4000)
    assert message.link == "https://guardian.home:8765/q/1?t=abc"
    assert "Link: https://guardian.home:8765/q/1?t=abc" in message.body and "Waiting for you" not in message.body


def test_an_urgent_question_says_it_is_still_waiting(guard):
    ask(guard, 30)
    conn = guard.ledger.conn
    message = messages.compose(items(conn, urgent=True), ctx(conn), 4000)
    assert message.urgent and message.title == "Still waiting: Mia asks to spend 30.00 CNY"


def test_a_group_lists_one_line_each_questions_first_within_the_size(guard):
    conn = guard.ledger.conn
    asked = [ask(guard, 21 + i, streamer=str(100 + i), at=NOW + timedelta(seconds=i)) for i in range(40)]
    outbox.post(conn, outbox.REFUSED, "Mia", "Refused for Mia: bilibili gift 99.00 CNY", "Over the day cap.", 0)
    all_items = items(conn)
    message = messages.compose(all_items, ctx(conn), 2000)
    assert len(message.body.encode()) <= 2000
    assert 5 < len(message.events) < 40  # as many as fit; the rest wait for the next message
    lines = message.body.splitlines()
    assert (
        lines[0] == f"• #{asked[0]} Mia 21.00 CNY (21000 gold) · 哔哩哔哩 gift · streamer “100” · 10.0.0.2 · 20:31:05"
    )
    assert re.fullmatch(r"· #\d+ [0-9a-f]{16}", lines[-1])
    n = len(message.events)
    assert message.title == f"Guardian: {n} notifications, {n} questions"
    rest = [i for i in all_items if i.event.id not in message.events]
    second = messages.compose(rest, ctx(conn), 100_000)
    assert set(message.events) | set(second.events) == {i.event.id for i in all_items}  # none lost
    assert second.body.splitlines()[-2] == "• Refused for Mia: bilibili gift 99.00 CNY: Over the day cap."


def test_a_head_the_writer_already_added_is_not_repeated(guard):
    conn = guard.ledger.conn
    ask(guard, 30)
    outbox.post(conn, outbox.WEEKLY, None, "Guardian week", "Mia: spent 42 CNY", 0)
    weekly = items(conn)[-1]
    body = messages.compose([weekly], ctx(conn), 4000).body
    # The weekly note was written with the head of its time; the message carries the head of now, once.
    assert len(re.findall(r"· #\d+ [0-9a-f]{16}", body)) == 1 and body.endswith(messages.witness(conn))


def test_an_empty_record_adds_no_head(tmp_path):
    ledger = Ledger(tmp_path / "guardian.db")
    try:
        assert messages.witness(ledger.conn) == ""
        approvals_none = messages.question(ledger.conn, 1, ctx(ledger.conn))
        assert approvals_none is None and approvals.get(ledger.conn, 1) is None
    finally:
        ledger.close()
