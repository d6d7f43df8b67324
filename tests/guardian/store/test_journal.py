"""The keyed journal: HMAC entries with a key kept in a file, the switch of a ledger from before the key, and the
anchor following each commit."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from guardian.evidence import verify
from guardian.store import anchor, chainkey, db, journal
from tests.support.ledgers import START, Buy, fill, five, rehash, sql


def check(path: Path) -> verify.Report:
    conn = sqlite3.connect(path)
    try:
        return verify.verify(conn)
    finally:
        conn.close()


def test_digest_is_an_hmac_with_the_key_and_plain_sha256_without():
    text = "\n".join((journal.GENESIS, "1", "5", "attempt", "7", "{}")).encode()
    assert journal.digest(journal.GENESIS, 1, 5, "attempt", 7, "{}") == hashlib.sha256(text).hexdigest()
    keyed = journal.digest(journal.GENESIS, 1, 5, "attempt", 7, "{}", b"k" * 32)
    assert keyed == hmac.new(b"k" * 32, text, hashlib.sha256).hexdigest()


def test_the_key_is_a_private_file_made_once_and_never_in_the_database(tmp_path):
    path = tmp_path / "guardian.db"
    five(path)
    key_file = tmp_path / "chain-key"
    key = key_file.read_bytes()
    assert len(key) == 32 and key_file.stat().st_mode & 0o777 == 0o600
    fill(path, [Buy("1")], start=START + timedelta(hours=1))
    assert key_file.read_bytes() == key  # not replaced by a later write
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("guardian.db*"))
    assert key not in stored and key.hex().encode() not in stored
    conn = sqlite3.connect(path)
    seq, at_ms, kind, ref, body, prev, h = conn.execute("SELECT * FROM journal WHERE seq = 1").fetchone()
    conn.close()
    assert (
        h == journal.digest(prev, seq, at_ms, kind, ref, body, key) != journal.digest(prev, seq, at_ms, kind, ref, body)
    )


def unkeyed(tmp_path: Path) -> Path:
    """A ledger as the version before the chain key left it: plain SHA-256 entries, and gift prices and an
    override that were never journaled."""
    made = tmp_path / "made" / "guardian.db"
    five(made)
    rehash(made)  # every hash recomputed as plain SHA-256
    old = tmp_path / "old" / "guardian.db"
    old.parent.mkdir()
    src, dst = sqlite3.connect(made), sqlite3.connect(old)
    src.backup(dst)
    src.close()
    dst.close()
    sql(
        old,
        "INSERT INTO gift_prices VALUES ('douyin', '463', '1', 5)",
        "INSERT INTO overrides (kind, child, day, amount, amount_units, created_ms) "
        "VALUES ('extra', 'Mia', '2026-03-07', '10', 100000, 5)",
    )
    return old


def test_a_ledger_from_before_the_key_verifies_and_switches_on_its_first_write(tmp_path):
    old = unkeyed(tmp_path)
    before = check(old)
    assert before.intact and not before.keyed, before.problems
    assert "Not keyed yet" in before.summary()
    assert not (old.parent / "chain-key").exists()  # verify creates nothing

    fill(old, [Buy("2")], start=START + timedelta(hours=1))
    conn = sqlite3.connect(old)
    kinds = conn.execute("SELECT seq, kind, body FROM journal WHERE seq >= 10 ORDER BY seq").fetchall()
    conn.close()
    assert [k for _, k, _ in kinds] == ["chain-keyed", "row-state", "row-state", "attempt", "outcome"]
    switch = json.loads(kinds[0][2])
    key = (old.parent / "chain-key").read_bytes()
    assert switch == {"scheme": "hmac-sha256", "key_id": chainkey.key_id(key), "unkeyed_through": 9}
    after = check(old)
    assert after.intact and after.keyed, after.problems
    assert (after.entries, after.rows["gift_prices"], after.rows["overrides"]) == (14, 1, 1)
    assert anchor.read(old).seq == 14


def test_the_old_entries_stay_plain_and_the_new_ones_need_the_key(tmp_path):
    old = unkeyed(tmp_path)
    fill(old, [Buy("2")], start=START + timedelta(hours=1))
    # The child deletes the switch to pass the keyed entries off as plain ones: every entry must then be keyed.
    sql(old, "DELETE FROM journal WHERE kind = 'chain-keyed'")
    assert str(check(old).problems[0]).startswith("journal seq 1: edited (its hash was computed without the chain key")


def test_a_plain_rebuild_after_the_switch_is_caught(tmp_path):
    old = unkeyed(tmp_path)
    fill(old, [Buy("2")], start=START + timedelta(hours=1))
    (old.parent / "chain-head").unlink()
    rehash(old, start=10)  # the switch and everything after it, recomputed without the key
    first = str(check(old).problems[0])
    assert first.startswith("journal seq 10: edited (its hash was computed without the chain key"), first


def test_a_rolled_back_write_leaves_the_anchor_where_it_was(tmp_path):
    path = tmp_path / "guardian.db"
    five(path)
    before = anchor.read(path)
    conn = db.connect(path)
    with pytest.raises(RuntimeError), db.transaction(conn):
        journal.append(conn, "limit-change", 99, {"what": "never"}, 1)
        raise RuntimeError
    with db.transaction(conn):
        conn.execute("INSERT INTO outbox (at_ms, kind, title, body) VALUES (1, 'x', 't', 'b')")  # journals nothing
    conn.close()
    assert anchor.read(path) == before and check(path).intact


def test_an_in_memory_database_cannot_journal():
    conn = sqlite3.connect(":memory:")
    conn.executescript(db.SCHEMA)
    with pytest.raises(ValueError, match="needs a ledger file"):
        journal.append(conn, "limit-change", 1, {}, 1)


def test_a_service_starting_on_an_older_ledger_switches_it_and_owns_the_key(tmp_path):
    old = unkeyed(tmp_path)
    conn = db.connect(old)
    db.own_the_journal(conn)
    conn.close()
    assert (old.parent / "chain-key").exists()
    report = check(old)
    assert report.intact and report.keyed and report.entries == 12, report.problems  # switch + 2 restated rows


def test_a_service_starting_on_a_new_ledger_makes_the_key_and_journals_nothing(tmp_path):
    path = tmp_path / "guardian.db"
    conn = db.connect(path)
    db.own_the_journal(conn)
    assert conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0] == 0
    conn.close()
    assert (tmp_path / "chain-key").stat().st_mode & 0o777 == 0o600
    five(path)
    assert check(path).intact
