"""Retention: a purge checkpoints what it removes, so the record still verifies and tampering still shows."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from guardian.enforce.policy import ALLOW
from guardian.evidence import retention, verify
from guardian.store.db import connect
from guardian.store.ledger import Attempt, Ledger
from tests.support.ledgers import SHANGHAI, START, Buy, every_table, fill, five, judged, purchase, record, sql

MIN = 60_000
T0 = int(START.timestamp() * 1000)  # five(): attempts at T0, +10, +20, +30, +40 minutes, outcomes 1 s later
NOW = T0 + 90 * 24 * 3600_000


def check(db: Path) -> verify.Report:
    conn = sqlite3.connect(db)
    try:
        return verify.verify(conn)
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "guardian.db"
    five(path)
    return path


def test_purge_checkpoints_what_it_removes_and_verify_still_passes(db):
    conn = connect(db)
    before = {r[0]: r[1] for r in conn.execute("SELECT seq, hash FROM journal")}
    preview = retention.preview(conn, T0 + 25 * MIN)
    cp = retention.purge(conn, T0 + 25 * MIN, now_ms=NOW)
    conn.close()
    assert preview == retention.Preview(
        entries=6, attempts=3, first_at_ms=T0, last_at_ms=T0 + 20 * MIN + 1000, last_seq=6
    )
    assert (cp.first_seq, cp.last_seq, cp.last_hash, cp.entries, cp.attempts) == (1, 6, before[6], 6, 3)
    assert cp.purged_digest == hashlib.sha256("\n".join(before[s] for s in range(1, 7)).encode()).hexdigest()
    # Attempts 1-3: 12 and 30 accepted, 8 failed at the server.
    assert json.loads(cp.totals) == {"Mia": {"attempts": 3, "allowed": 3, "currency": "CNY", "spent": "42.00"}}
    report = check(db)
    assert report.intact, report.problems
    assert (report.entries, report.attempts, report.checkpoints, report.head_seq) == (4, 2, 1, 10)
    conn = sqlite3.connect(db)
    assert [r[0] for r in conn.execute("SELECT id FROM attempts ORDER BY id")] == [4, 5]
    assert conn.execute("SELECT kind, ref FROM journal WHERE seq = 10").fetchone() == ("checkpoint", 1)
    conn.close()


def test_new_attempts_after_a_purge_of_everything_still_verify(db):
    conn = connect(db)
    retention.purge(conn, NOW, now_ms=NOW)
    conn.close()
    assert check(db).intact and check(db).attempts == 0
    fill(db, [Buy("3"), Buy("4", allowed=False)], start=START + timedelta(days=91))
    report = check(db)
    assert report.intact, report.problems
    assert (report.attempts, report.entries) == (2, 4)  # checkpoint, attempt, outcome, attempt


def test_a_second_purge_removes_the_first_checkpoints_entry_and_still_verifies(db):
    conn = connect(db)
    retention.purge(conn, T0 + 5 * MIN, now_ms=T0 + 50 * MIN)
    ledger = Ledger(db)
    record(ledger, Buy("2"), START + timedelta(hours=2))
    ledger.close()
    second = retention.purge(conn, T0 + 60 * MIN, now_ms=T0 + 3 * 60 * MIN)
    conn.close()
    assert second.first_seq == 3 and second.last_seq == 10  # the first checkpoint's entry (seq 10) went too
    report = check(db)
    assert report.intact, report.problems
    assert report.checkpoints == 2 and report.attempts == 1


def test_a_purge_never_splits_an_attempt_from_its_outcome(db):
    ledger = Ledger(db)  # attempt 6 at T0 + 1 h, answered at T0 + 3 h
    attempt_id, _ = judged(
        ledger,
        Attempt(START + timedelta(hours=1), "192.168.1.23", None, "Mia", purchase(Buy("9"))),
        SHANGHAI,
        "CNY",
        lambda s: ALLOW,
    )
    ledger.settle(attempt_id, "accepted", START + timedelta(hours=3))
    ledger.close()
    conn = connect(db)
    cp = retention.purge(conn, T0 + 2 * 60 * MIN, now_ms=NOW)  # attempt 6 is older than the cutoff, its outcome is not
    conn.close()
    assert cp.last_seq == 9 and cp.attempts == 5
    report = check(db)
    assert report.intact and report.attempts == 1


def test_nothing_to_purge_writes_nothing(db):
    conn = connect(db)
    assert retention.preview(conn, T0) == retention.Preview(0, 0, None, None, None)
    assert retention.purge(conn, T0, now_ms=NOW) is None
    assert conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0] == 0
    assert not conn.in_transaction
    conn.close()


def test_a_record_that_does_not_verify_is_never_purged(db):
    sql(db, "UPDATE attempts SET amount = '1' WHERE id = 2")
    conn = connect(db)
    with pytest.raises(retention.PurgeRefused, match="nothing was purged: attempts id 2: edited"):
        retention.purge(conn, NOW, now_ms=NOW)
    assert conn.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 5
    assert conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 9
    assert not conn.in_transaction
    conn.close()


@pytest.fixture
def purged(db: Path) -> Path:
    conn = connect(db)
    retention.purge(conn, T0 + 25 * MIN, now_ms=NOW)
    conn.close()
    return db


@pytest.mark.parametrize(
    "statements, first",
    [
        (["UPDATE attempts SET amount = '5' WHERE id = 4"], "attempts id 4: edited (amount"),
        (["DELETE FROM attempts WHERE id = 5"], "attempts id 5: deleted"),
        (["DELETE FROM journal WHERE seq = 7"], "journal seq 7: deleted"),
        (["DELETE FROM checkpoints"], "checkpoints id 1: deleted (the journal records it at seq 10)"),
        (["UPDATE checkpoints SET totals = '{}'"], "checkpoints id 1: edited (totals"),
        (["UPDATE checkpoints SET last_seq = 7"], "checkpoints id 1: edited (last_seq"),
        (
            ["UPDATE journal SET body = replace(body, '\"attempts\":3', '\"attempts\":0') WHERE seq = 10"],
            "checkpoints id 1: edited (attempts",
        ),
        (
            [
                "INSERT INTO attempts (id, at_ms, tz, client_ip, app, kind, rule, app_unit, currency, decision, "
                "outcome)"
                " VALUES (2, 1, 'UTC', '1.2.3.4', 'bilibili', 'gift', 'x', 'gold', 'CNY', 'allowed', 'accepted')"
            ],
            "attempts id 2: inserted",
        ),
    ],
    ids=[
        "edit",
        "delete-attempt",
        "delete-entry",
        "delete-checkpoint",
        "edit-checkpoint-totals",
        "move-checkpoint",
        "edit-checkpoint-entry",
        "reinsert-purged-id",
    ],
)
def test_tampering_after_a_purge_is_still_detected(purged, statements, first):
    sql(purged, *statements)
    report = check(purged)
    assert not report.intact
    assert str(report.problems[0]).startswith(first), [str(p) for p in report.problems]


@pytest.fixture
def household(tmp_path: Path) -> Path:
    """Attempts plus a row of every other journaled table, all older than NOW."""
    path = tmp_path / "guardian.db"
    every_table(path)
    return path


def test_a_purge_restates_the_rows_it_keeps_so_they_are_still_checked(household):
    conn = connect(household)
    cp = retention.purge(conn, NOW, now_ms=NOW)
    conn.close()
    assert cp.attempts == 5
    report = check(household)
    assert report.intact, report.problems
    assert report.rows == {"approvals": 1, "overrides": 2, "changes": 2, "gift_prices": 2, "devices": 2}
    conn = sqlite3.connect(household)
    kinds = [k for (k,) in conn.execute("SELECT kind FROM journal ORDER BY seq")]
    conn.close()
    assert kinds == ["checkpoint"] + ["row-state"] * 9
    # Restated rows are checked like any other; a second purge restates them again.
    sql(household, "UPDATE approvals SET decided_by = 'mum'")
    assert str(check(household).problems[0]).startswith("approvals id 1: edited (decided_by")
    sql(household, "UPDATE approvals SET decided_by = 'parent (dashboard)'")
    conn = connect(household)
    retention.purge(conn, NOW + 1, now_ms=NOW + 1)
    conn.close()
    report = check(household)
    assert report.intact and report.rows["changes"] == 2, report.problems
