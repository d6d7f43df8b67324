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
from guardian.store import journal
from tests.conftest import household_config
from tests.support.ledgers import five, sql


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


def test_a_journal_entry_rewritten_with_a_correct_hash_is_caught_by_the_next_entry(ledger):
    config, db = ledger
    conn = sqlite3.connect(db)
    seq, at_ms, kind, ref, body, prev = conn.execute(
        "SELECT seq, at_ms, kind, ref, body, prev FROM journal WHERE seq = 3"
    ).fetchone()
    conn.close()
    forged = body.replace('"30"', '"3"')
    sql(
        db,
        f"UPDATE journal SET body = '{forged}', hash = '{journal.digest(prev, seq, at_ms, kind, ref, forged)}' WHERE "
        "seq = 3",
    )
    code, out = run_verify(config)
    assert code == 1 and out.startswith("NOT intact: journal seq 3: edited (its hash was recomputed"), out


def test_a_whole_rewrite_is_caught_by_the_head_digest_copied_outside(ledger, tmp_path):
    """Rewriting every hash after an edit passes the chain; the new head then differs from an earlier export's."""
    _, db = ledger
    conn = sqlite3.connect(db)
    published = journal.head(conn)
    rows = conn.execute("SELECT seq, at_ms, kind, ref, body FROM journal ORDER BY seq").fetchall()
    conn.execute("UPDATE attempts SET amount = '3' WHERE id = 2")
    prev = journal.GENESIS
    for seq, at_ms, kind, ref, body in rows:
        body = body.replace('"amount":"30"', '"amount":"3"')
        h = journal.digest(prev, seq, at_ms, kind, ref, body)
        conn.execute("UPDATE journal SET body = ?, prev = ?, hash = ? WHERE seq = ?", (body, prev, h, seq))
        prev = h
    conn.commit()
    report = verify.verify(conn)
    conn.close()
    assert report.intact  # the limit of any self-contained chain
    assert report.head != published


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
    conn = sqlite3.connect(db)  # rewrite seq 3 onwards with correct hashes: the chain passes, the copy does not
    rows = conn.execute("SELECT seq, at_ms, kind, ref, body, prev FROM journal WHERE seq >= 3 ORDER BY seq").fetchall()
    prev = rows[0][5]
    for seq, at_ms, kind, ref, body, _ in rows:
        body = body.replace('"recipient":"5521"', '"recipient":"1"')
        h = journal.digest(prev, seq, at_ms, kind, ref, body)
        conn.execute("UPDATE journal SET body = ?, prev = ?, hash = ? WHERE seq = ?", (body, prev, h, seq))
        prev = h
    conn.execute("UPDATE attempts SET recipient = '1' WHERE recipient = '5521'")
    conn.commit()
    conn.close()
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
