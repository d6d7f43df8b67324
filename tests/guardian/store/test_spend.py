"""Spending buckets: the trigger-kept totals always equal summing the attempts, in any time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guardian.household.periods import Calendar
from guardian.store import spend
from guardian.store.ledger import Ledger
from tests.support.ledgers import spending

ZONES = [
    "Asia/Shanghai",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Europe/Berlin",
    "Pacific/Chatham",
]
START = datetime(2026, 3, 1, tzinfo=UTC)


def insert(ledger: Ledger, child: str | None, at: datetime, units: int, decision: str, outcome: str) -> int:
    cur = ledger.conn.execute(
        "INSERT INTO attempts (at_ms, tz, client_ip, child, app, kind, rule, app_unit, amount_units, currency, "
        "decision, outcome)"
        " VALUES (?, 'UTC', '10.0.0.2', ?, 'bilibili', 'gift', 'r', 'gold', ?, 'CNY', ?, ?)",
        (int(at.timestamp() * 1000), child, units, decision, outcome),
    )
    return cur.lastrowid


def raw_totals(ledger: Ledger, child: str, starts: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(
        ledger.conn.execute(
            "SELECT COALESCE(SUM(amount_units), 0) FROM attempts WHERE child = ? AND decision = 'allowed'"
            " AND outcome IN ('pending', 'accepted') AND at_ms >= ?",
            (child, start),
        ).fetchone()[0]
        for start in starts
    )


attempt = st.tuples(
    st.sampled_from(["Mia", "Leo", None]),
    st.integers(0, 70 * 24 * 60),  # minutes after START
    st.integers(0, 10**7),
    st.sampled_from(["allowed", "blocked"]),
    st.sampled_from(["pending", "accepted", "failed", "never-contacted"]),
)
change = st.tuples(st.integers(0, 10**6), st.sampled_from(["outcome", "delete", "child", "decision"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    attempts=st.lists(attempt, max_size=40),
    changes=st.lists(change, max_size=10),
    zone=st.sampled_from(ZONES),
    probe=st.integers(0, 70 * 24 * 60),
)
def test_buckets_equal_the_sum_of_attempts(tmp_path_factory, attempts, changes, zone, probe):
    ledger = Ledger(tmp_path_factory.mktemp("spend") / "g.db")
    ids = [insert(ledger, c, START + timedelta(minutes=m), u, d, o) for c, m, u, d, o in attempts]
    for pick, what in changes:
        if not ids:
            break
        target = ids[pick % len(ids)]
        if what == "outcome":
            ledger.settle(target, "failed")
        elif what == "delete":
            ledger.conn.execute("DELETE FROM attempts WHERE id = ?", (target,))
        elif what == "child":
            ledger.conn.execute("UPDATE attempts SET child = 'Leo' WHERE id = ?", (target,))
        else:
            ledger.conn.execute("UPDATE attempts SET decision = 'allowed', outcome = 'pending' WHERE id = ?", (target,))
    calendar = Calendar(ZoneInfo(zone), 0)
    now = START + timedelta(minutes=probe)
    starts = tuple(
        int(f(now).timestamp() * 1000) for f in (calendar.day_start, calendar.week_start, calendar.month_start)
    )
    for child in ("Mia", "Leo"):
        assert spend.totals(ledger.conn, child, starts) == raw_totals(ledger, child, starts)
        got = spending(ledger, child, now, calendar, "CNY")
        assert tuple(m.to_units() for m in (got.day, got.week, got.month)) == raw_totals(ledger, child, starts)
    ledger.close()


def test_an_existing_ledger_is_back_filled_once(tmp_path: Path):
    path = tmp_path / "g.db"
    ledger = Ledger(path)
    for trigger in ("spend_insert", "spend_delete", "spend_update"):
        ledger.conn.execute(f"DROP TRIGGER {trigger}")
    ledger.conn.execute("DROP TABLE spend_buckets")  # a ledger written before the buckets existed
    insert(ledger, "Mia", START, 50_000, "allowed", "accepted")
    insert(ledger, "Mia", START + timedelta(minutes=20), 70_000, "allowed", "pending")
    insert(ledger, "Mia", START + timedelta(minutes=21), 90_000, "allowed", "failed")
    insert(ledger, "Mia", START + timedelta(minutes=22), 0, "blocked", "never-contacted")
    ledger.close()
    reopened = Ledger(path)
    start = int(START.timestamp() * 1000)
    assert spend.totals(reopened.conn, "Mia", (start, start + spend.BUCKET_MS)) == (120_000, 70_000)
    Ledger(path).close()  # opening again does not add the rows twice
    assert spend.totals(reopened.conn, "Mia", (start,)) == (120_000,)
    reopened.close()


def test_a_start_off_the_quarter_hour_falls_back_to_the_attempts(tmp_path: Path):
    ledger = Ledger(tmp_path / "g.db")
    insert(ledger, "Mia", START, 50_000, "allowed", "accepted")
    assert spend.totals(ledger.conn, "Mia", (int(START.timestamp() * 1000) + 1,)) is None
    ledger.close()


@pytest.mark.parametrize("zone", ZONES)
def test_every_zone_midnight_is_on_a_bucket_boundary(zone):
    calendar = Calendar(ZoneInfo(zone), 0)
    for day in range(0, 400, 3):
        now = datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(days=day)
        for start in (calendar.day_start(now), calendar.week_start(now), calendar.month_start(now)):
            assert int(start.timestamp() * 1000) % spend.BUCKET_MS == 0
