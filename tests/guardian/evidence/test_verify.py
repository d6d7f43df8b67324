"""`guardian verify` on a real ledger file edited afterwards with plain sqlite3."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from guardian.cli import main
from guardian.evidence import verify
from guardian.store import chainkey, journal
from guardian.store.anchor import read as read_anchor
from tests.conftest import household_config
from tests.support.ledgers import START, Buy, chain_key, fill, five, rehash, sql


@pytest.fixture
def ledger(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "guardian.toml"
    config.write_text(household_config(), encoding="utf-8")
    db = tmp_path / "guardian.db"
    five(db)  # attempts 1-5; journal: 1 attempt 1, 2 outcome 1, 3 attempt 2, 4 outcome 2, 5 attempt 3,
    # 6 outcome 3, 7 attempt 4, 8 attempt 5, 9 outcome 5
    return config, db


def run_verify(config: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["verify", "--config", str(config)])
    return result.exit_code, result.output


def test_an_untouched_ledger_verifies_and_prints_its_head(ledger):
    config, db = ledger
    code, out = run_verify(config)
    conn = sqlite3.connect(db)
    head = journal.head(conn)
    conn.close()
    assert code == 0, out
    assert "Intact: 9 journal entries, 5 attempts, 0 checkpoints." in out
    assert f"Head digest: {head} (seq 9)" in out


def test_verify_as_a_real_command(ledger):
    config, db = ledger
    ok = subprocess.run(
        [str(Path(sys.executable).parent / "guardian"), "verify", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    sql(db, "UPDATE attempts SET amount = '300' WHERE id = 2")
    bad = subprocess.run(
        [str(Path(sys.executable).parent / "guardian"), "verify", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0 and "Intact" in ok.stdout
    assert bad.returncode == 1 and "attempts id 2: edited" in bad.stdout


TAMPERING = [
    pytest.param(
        ["UPDATE attempts SET amount = '3' WHERE id = 2"],
        "attempts id 2: edited (amount: the journal says '30', the table says '3')",
        id="attempts-amount-changed",
    ),
    pytest.param(
        ["UPDATE attempts SET outcome = 'failed' WHERE id = 1"],
        "attempts id 1: edited (outcome",
        id="attempts-outcome-changed",
    ),
    pytest.param(
        ["UPDATE attempts SET at_ms = at_ms + 3600000 WHERE id = 5"],
        "attempts id 5: edited (at_ms",
        id="attempts-time-changed",
    ),
    pytest.param(
        ['UPDATE journal SET body = replace(body, \'"recipient":"5521"\', \'"recipient":"1"\') WHERE seq = 3'],
        "journal seq 3: edited",
        id="journal-body-changed",
    ),
    pytest.param(
        ["UPDATE journal SET at_ms = at_ms - 1 WHERE seq = 7"], "journal seq 7: edited", id="journal-time-changed"
    ),
    pytest.param(
        ["DELETE FROM attempts WHERE id = 3"],
        "attempts id 3: deleted (the journal records it at seq 5)",
        id="attempts-row-deleted",
    ),
    pytest.param(["DELETE FROM journal WHERE seq = 5"], "journal seq 5: deleted", id="journal-row-deleted"),
    pytest.param(
        ["DELETE FROM journal WHERE seq = 5", "UPDATE journal SET seq = seq - 1 WHERE seq > 5"],
        "journal seq 5: deleted (an entry before it was deleted and the rest renumbered)",
        id="journal-row-deleted-and-renumbered",
    ),
    pytest.param(
        [
            "INSERT INTO attempts (at_ms, tz, client_ip, child, app, kind, rule, app_unit, amount, currency, "
            "decision, outcome)"
            " VALUES (1772884800000, 'Asia/Shanghai', '192.168.1.40', 'Mia', 'douyin', 'recharge', 'x', 'fen', '648', "
            "'CNY', 'allowed', 'accepted')"
        ],
        "attempts id 6: inserted",
        id="attempts-row-inserted",
    ),
    pytest.param(
        [
            "UPDATE journal SET seq = seq + 100 WHERE seq >= 4",
            "UPDATE journal SET seq = seq - 99 WHERE seq >= 100",
            "INSERT INTO journal VALUES (4, 1772885400000, 'outcome', 2, '{\"outcome\":\"failed\"}', (SELECT hash "
            "FROM journal WHERE seq = 3), 'f00d')",
        ],
        "journal seq 4: inserted",
        id="journal-row-inserted",
    ),
    pytest.param(
        [
            "UPDATE attempts SET id = -1 WHERE id = 2",
            "UPDATE attempts SET id = 2 WHERE id = 5",
            "UPDATE attempts SET id = 5 WHERE id = -1",
        ],
        "attempts id 2: reordered (it holds the record of id 5)",
        id="attempts-rows-swapped",
    ),
    pytest.param(
        [
            "UPDATE journal SET seq = -1 WHERE seq = 7",
            "UPDATE journal SET seq = 7 WHERE seq = 8",
            "UPDATE journal SET seq = 8 WHERE seq = -1",
        ],
        "journal seq 7: reordered (it belongs after the entry now at seq 8)",
        id="journal-rows-swapped",
    ),
]


@pytest.mark.parametrize("statements, first", TAMPERING)
def test_verify_fails_and_names_the_first_row_that_does_not_fit(ledger, statements, first):
    config, db = ledger
    sql(db, *statements)
    code, out = run_verify(config)
    assert code == 1
    assert out.startswith(f"NOT intact: {first}"), out


def test_an_entry_rewritten_with_the_key_is_caught_by_the_next_entry(ledger):
    """Someone holding the chain key (an administrator) recomputes one entry's hash: the next entry still points at
    the old one."""
    config, db = ledger
    conn = sqlite3.connect(db)
    seq, at_ms, kind, ref, body, prev = conn.execute(
        "SELECT seq, at_ms, kind, ref, body, prev FROM journal WHERE seq = 3"
    ).fetchone()
    conn.close()
    forged = body.replace('"30"', '"3"')
    h = journal.digest(prev, seq, at_ms, kind, ref, forged, chain_key(db))
    sql(db, f"UPDATE journal SET body = '{forged}', hash = '{h}' WHERE seq = 3")
    code, out = run_verify(config)
    assert code == 1 and out.startswith("NOT intact: journal seq 3: edited (its hash was recomputed"), out


@pytest.mark.parametrize(
    "key, why",
    [
        (None, "its hash was computed without the chain key: forged or rebuilt"),
        (b"k" * 32, "its content does not match its hash"),
    ],
    ids=["no-key", "wrong-key"],
)
def test_an_entry_forged_without_the_chain_key_fails(ledger, key, why):
    """The child can edit the file but cannot read the key: whatever she writes does not verify."""
    config, db = ledger
    rehash(db, lambda body: body.replace('"amount":"30"', '"amount":"3"'), key=key, start=9)  # the newest entry
    code, out = run_verify(config)
    assert code == 1 and out.startswith(f"NOT intact: journal seq 9: edited ({why}"), out


def test_a_chain_rebuilt_without_the_key_is_broken(ledger):
    """Every hash recomputed from the genesis, with an edit, the anchor file deleted too: the chain itself fails."""
    config, db = ledger
    (db.parent / "chain-head").unlink()
    sql(db, "UPDATE attempts SET amount = '3' WHERE id = 2")
    rehash(db, lambda body: body.replace('"amount":"30"', '"amount":"3"'))
    code, out = run_verify(config)
    assert code == 1
    assert out.startswith("NOT intact: journal seq 1: edited (its hash was computed without the chain key"), out


def test_a_chain_rebuilt_with_the_key_is_caught_by_the_anchor(ledger):
    """With the key (an administrator) the chain links up again; the head file outside the database still differs."""
    config, db = ledger
    sql(db, "UPDATE attempts SET amount = '3' WHERE id = 2")
    rehash(db, lambda body: body.replace('"amount":"30"', '"amount":"3"'), key=chain_key(db))
    code, out = run_verify(config)
    assert code == 1
    assert out.startswith("NOT intact: journal seq 9: rebuilt (its hash is not the one the head file anchored"), out


def test_deleting_the_newest_attempts_and_their_entries_is_caught_by_the_anchor(ledger):
    """What the chain alone cannot see: the end cut off, rows and entries alike, with plain sqlite3."""
    config, db = ledger
    sql(
        db,
        "DELETE FROM attempts WHERE id >= 4",
        "DELETE FROM journal WHERE seq >= 7",
        "DELETE FROM spend_buckets",
    )
    code, out = run_verify(config)
    assert code == 1
    assert out.startswith(
        "NOT intact: journal seq 9: truncated (the head file anchors seq 9 (written 2026-03-07T12:40:01+00:00) "
        "but the record ends at seq 6: the newest entries were deleted)"
    ), out


def test_purchases_after_a_truncation_do_not_move_the_anchor_past_it(ledger):
    """The proxy keeps recording after the child's deletion; the anchor stays, so the proof stays."""
    config, db = ledger
    sql(db, "DELETE FROM attempts WHERE id >= 4", "DELETE FROM journal WHERE seq >= 7")
    fill(db, [Buy("1"), Buy("2"), Buy("3")], start=START + timedelta(hours=1))  # seqs 7-12 again, then more
    code, out = run_verify(config)
    assert code == 1
    assert out.startswith("NOT intact: journal seq 9: rebuilt (its hash is not the one the head file anchored"), out
    assert read_anchor(db).seq == 9


def test_the_anchor_follows_every_commit(ledger):
    _, db = ledger
    conn = sqlite3.connect(db)
    seq, h = conn.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    conn.close()
    assert (read_anchor(db).seq, read_anchor(db).hash) == (seq, h) == (9, h)
    assert (db.parent / "chain-head").stat().st_mode & 0o777 == 0o600
    fill(db, [Buy("1")], start=START + timedelta(hours=1))
    assert read_anchor(db).seq == 11


def test_a_damaged_head_file_is_reported(ledger):
    config, db = ledger
    (db.parent / "chain-head").write_text("{}", encoding="utf-8")
    code, out = run_verify(config)
    assert code == 1 and out.startswith("NOT intact: anchor seq 0: edited (") and "is not a head file" in out, out


def test_without_the_key_the_record_is_not_called_intact(ledger, monkeypatch):
    """An account that cannot read the key (not the service, not an administrator) can check the order only."""
    config, db = ledger
    monkeypatch.setattr(chainkey, "for_reading", lambda ledger: None)
    code, out = run_verify(config)
    assert code == 1
    assert out.startswith("NOT verified: 9 entries are keyed and the chain key") and "only their order" in out, out


def test_every_problem_is_listed_not_only_the_first(ledger):
    config, db = ledger
    sql(db, "UPDATE attempts SET recipient = 'x' WHERE id = 1", "DELETE FROM attempts WHERE id = 4")
    code, out = run_verify(config)
    assert code == 1
    assert out.splitlines()[0].startswith("NOT intact: attempts id 1: edited")
    assert "also: attempts id 4: deleted" in out


def test_verify_names_a_missing_ledger(tmp_path):
    config = tmp_path / "guardian.toml"
    config.write_text(household_config(db="nowhere.db"), encoding="utf-8")
    code, out = run_verify(config)
    assert code == 1 and f"no ledger at {tmp_path / 'nowhere.db'}" in out
    assert not (tmp_path / "nowhere.db").exists()


def test_an_earlier_head_digest_is_found_until_the_record_is_rewritten(ledger):
    config, db = ledger
    conn = sqlite3.connect(db)
    earlier = conn.execute("SELECT hash FROM journal WHERE seq = 6").fetchone()[0]
    conn.close()
    result = CliRunner().invoke(main, ["verify", "--config", str(config), "--head", earlier.upper()])
    assert result.exit_code == 0 and f"Earlier head found: {earlier} is journal seq 6" in result.output
    # An administrator holds the key and the head file: rewrite seq 3 onwards and the anchor with it. The chain
    # and the anchor pass; the digest copied outside (a notification, a summary) does not.
    rehash(db, lambda body: body.replace('"recipient":"5521"', '"recipient":"1"'), key=chain_key(db), start=3)
    sql(db, "UPDATE attempts SET recipient = '1' WHERE recipient = '5521'")
    (db.parent / "chain-head").unlink()
    result = CliRunner().invoke(main, ["verify", "--config", str(config), "--head", earlier])
    assert result.exit_code == 1
    assert result.output.startswith("Intact")
    assert f"Earlier head NOT found: {earlier} is not in the record: the record was rewritten" in result.output


def test_verify_while_the_proxy_records_purchases_sees_a_consistent_record(ledger):
    """Another connection keeps recording; every check sees each purchase wholly or not at all."""
    import threading

    from tests.support.ledgers import Buy, fill

    _, db = ledger
    done = threading.Event()

    def write() -> None:
        try:
            fill(db, [Buy("1")] * 150, step=timedelta(seconds=1))
        finally:
            done.set()

    writer = threading.Thread(target=write)
    writer.start()
    conn = sqlite3.connect(db, isolation_level=None)
    reports = []
    while not done.is_set() or not reports:
        reports.append(verify.verify(conn))
    writer.join()
    conn.close()
    assert len(reports) > 1
    assert [str(p) for r in reports for p in r.problems] == []


def test_a_ledger_from_before_the_mac_column_gains_it_and_still_verifies(tmp_path):
    from guardian.store.db import SCHEMA
    from tests.support.ledgers import Buy, fill

    db = tmp_path / "old.db"
    old_schema = SCHEMA.replace(",\n    mac TEXT", "")
    assert old_schema != SCHEMA
    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript(old_schema)
    row = {
        "at_ms": 1,
        "tz": "UTC",
        "client_ip": "10.0.0.2",
        "app": "bilibili",
        "kind": "gift",
        "rule": "r",
        "app_unit": "gold",
        "amount_units": 0,
        "currency": "CNY",
        "decision": "blocked",
        "outcome": "never-contacted",
    }
    conn.execute("BEGIN IMMEDIATE")
    cur = conn.execute(
        f"INSERT INTO attempts ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
    )
    journal.append(conn, "attempt", cur.lastrowid, row, 1)
    conn.execute("COMMIT")
    conn.close()
    fill(db, [Buy("2", mac="3c:22:fb:0a:1b:2c")])
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT id, mac FROM attempts ORDER BY id").fetchall() == [(1, None), (2, "3c:22:fb:0a:1b:2c")]
    report = verify.verify(conn)
    conn.close()
    assert report.intact, report.problems
