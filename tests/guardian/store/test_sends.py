"""Notifications on their way to each phone channel, and every request made to it (what the limits count)."""

from pathlib import Path

import pytest

from guardian.store import outbox, sends
from guardian.store.ledger import Ledger

T0 = 1_780_000_000_000


@pytest.fixture
def conn(tmp_path: Path):
    ledger = Ledger(tmp_path / "guardian.db")
    yield ledger.conn
    ledger.close()


def events(conn, n: int) -> list[int]:
    return [outbox.post(conn, outbox.REFUSED, "Mia", f"refused {i}", "x", T0 + i) for i in range(n)]


def test_fan_out_queues_each_event_once_per_channel_and_moves_the_cursor(conn):
    a, b, c = events(conn, 3)
    assert sends.cursor(conn) is None
    sends.fan_out(conn, [(a, "mum", False), (b, "mum", False), (c, "mum", True), (a, "dad", False)], c)
    sends.fan_out(conn, [(a, "mum", False)], c)  # again: nothing doubled
    assert sends.cursor(conn) == c
    assert [(p.event, p.urgent) for p in sends.pending(conn, "mum")] == [(c, True), (a, False), (b, False)]
    assert [p.event for p in sends.pending(conn, "dad")] == [a]


def test_record_marks_what_a_message_carried_or_keeps_it_pending_with_the_reason(conn):
    a, b = events(conn, 2)
    sends.fan_out(conn, [(a, "mum", False), (b, "mum", False)], b)
    sends.record(conn, "mum", T0, [a, b], error="ntfy answered 500 Internal Server Error", permanent=False)
    assert [(p.tries, p.last_error) for p in sends.pending(conn, "mum")] == [
        (1, "ntfy answered 500 Internal Server Error")
    ] * 2
    sends.record(conn, "mum", T0 + 5_000, [a])
    assert [p.event for p in sends.pending(conn, "mum")] == [b]
    status = sends.status(conn, "mum")
    assert (status.pending, status.last_sent_ms, status.last.error) == (1, T0 + 5_000, None)
    assert sends.of_events(conn, [a, b]) == {
        a: [("mum", "sent", None)],
        b: [("mum", "pending", "ntfy answered 500 Internal Server Error")],
    }


def test_the_window_counts_every_request_in_the_last_minute_and_day(conn):
    for at in (T0 - 86_400_000, T0 - 3_600_000, T0 - 61_000, T0 - 59_000, T0 - 1):
        sends.record(conn, "mum", at, [], test=True)
    sends.record(conn, "dad", T0, [])
    assert sends.window(conn, "mum", T0) == (2, 4, T0 - 1)
    assert sends.window(conn, "nobody", T0) == (0, 0, None)


def test_failures_counts_the_latest_failed_requests_in_a_row(conn):
    assert sends.failures(conn, "mum") == (0, None)
    sends.record(conn, "mum", T0, [], error="x", permanent=True)
    sends.record(conn, "mum", T0 + 1, [])
    sends.record(conn, "mum", T0 + 2, [], error="y")
    sends.record(conn, "mum", T0 + 3, [], error="z", permanent=True)
    count, last = sends.failures(conn, "mum")
    assert count == 2 and (last.at_ms, last.error, last.permanent) == (T0 + 3, "z", True)
    sends.record(conn, "mum", T0 + 4, [], test=True)  # the parent fixed the address and a test went through
    assert sends.failures(conn, "mum")[0] == 0


def test_a_removed_channel_leaves_its_rows_behind(conn):
    (a,) = events(conn, 1)
    sends.fan_out(conn, [(a, "mum", False), (a, "dad", False)], a)
    assert sends.forget(conn, "mum") == 1
    assert sends.pending(conn, "mum") == [] and len(sends.pending(conn, "dad")) == 1
