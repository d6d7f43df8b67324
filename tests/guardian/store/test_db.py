"""The one database file: connect sets it up from schema.sql, transaction commits or rolls back, ms."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from guardian.store import db, spend


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "guardian.db"


def names(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}


def test_connect_creates_every_table_index_and_trigger_once(path: Path) -> None:
    conn = db.connect(path)
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {
        "attempts",
        "journal",
        "outbox",
        "desktop_notes",
        "desktop_agent",
        "overrides",
        "changes",
        "approvals",
        "spend_buckets",
        "devices_seen",
        "parent_login",
        "login_failures",
        "gift_prices",
        "unrecognised",
        "reports",
        "checkpoints",
        "sends",
        "channel_messages",
        "sends_cursor",
        "devices",
    }
    assert {"spend_insert", "spend_delete", "spend_update", "attempts_allowed", "journal_ref"} <= names(conn)
    assert db.NAMES <= names(conn)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not conn.in_transaction
    conn.close()
    db.connect(path).close()  # opening again changes nothing and raises nothing


def test_the_buckets_in_the_schema_are_the_spend_modules_buckets() -> None:
    assert f"at_ms / {spend.BUCKET_MS}" in db.SCHEMA


def test_an_older_file_gains_the_missing_tables_and_columns(path: Path) -> None:
    path.parent.mkdir(parents=True)
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE attempts (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, tz TEXT NOT NULL,"
        " client_ip TEXT NOT NULL, proxy_user TEXT, child TEXT, app TEXT NOT NULL, kind TEXT NOT NULL,"
        " rule TEXT NOT NULL, app_amount TEXT, app_unit TEXT NOT NULL, amount TEXT,"
        " amount_units INTEGER NOT NULL DEFAULT 0, currency TEXT NOT NULL, recipient TEXT,"
        " decision TEXT NOT NULL, reason TEXT, problem TEXT, outcome TEXT NOT NULL DEFAULT 'pending')"
    )
    old.execute(
        "INSERT INTO attempts (at_ms, tz, client_ip, child, app, kind, rule, app_unit, amount_units, currency,"
        " decision, outcome) VALUES (0, 'UTC', '10.0.0.2', 'Mia', 'bilibili', 'gift', 'r', 'gold', 50000, 'CNY',"
        " 'allowed', 'accepted')"
    )
    old.execute(
        "CREATE TABLE outbox (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, kind TEXT NOT NULL, child TEXT,"
        " title TEXT NOT NULL, body TEXT NOT NULL, link TEXT, state TEXT NOT NULL DEFAULT 'pending',"
        " tries INTEGER NOT NULL DEFAULT 0, last_error TEXT, delivered_ms INTEGER)"
    )
    old.commit()
    old.close()
    conn = db.connect(path)
    assert db.NAMES <= names(conn)
    assert "mac" in {row[1] for row in conn.execute("PRAGMA table_info(attempts)")}
    assert "ref" in {row[1] for row in conn.execute("PRAGMA table_info(outbox)")}  # the approval a question is about
    assert spend.totals(conn, "Mia", (0,)) == (50_000,)  # the existing attempt was back-filled into its bucket
    conn.close()


def test_transaction_commits(path: Path) -> None:
    conn = db.connect(path)
    with db.transaction(conn) as tx:
        assert tx is conn and conn.in_transaction
        conn.execute("INSERT INTO changes (at_ms, what, detail) VALUES (1, 'a', '{}')")
    assert not conn.in_transaction
    other = sqlite3.connect(path)
    assert other.execute("SELECT what FROM changes").fetchall() == [("a",)]
    other.close()
    conn.close()


@pytest.mark.parametrize("error", [ValueError("bad input"), KeyboardInterrupt()])
def test_transaction_rolls_back_on_any_error(path: Path, error: BaseException) -> None:
    conn = db.connect(path)
    with pytest.raises(type(error)):
        with db.transaction(conn):
            conn.execute("INSERT INTO changes (at_ms, what, detail) VALUES (1, 'lost', '{}')")
            raise error
    assert not conn.in_transaction
    assert conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 0
    with db.transaction(conn):  # the connection still works
        conn.execute("INSERT INTO changes (at_ms, what, detail) VALUES (2, 'kept', '{}')")
    assert conn.execute("SELECT what FROM changes").fetchall() == [("kept",)]
    conn.close()


def test_transactions_on_two_connections_racing_a_cap_are_serialised(path: Path) -> None:
    """Each writer reads the total, waits, then writes only if its amount still fits: like the cap check."""
    db.connect(path).close()
    cap, amount, writers = 50, 10, 12
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write() -> None:
        conn = db.connect(path)  # its own connection, as a second proxy process has
        try:
            barrier.wait()
            with db.transaction(conn):
                spent = conn.execute("SELECT COALESCE(SUM(amount_units), 0) FROM overrides").fetchone()[0]
                threading.Event().wait(0.005)  # widen the gap between the read and the write
                if spent + amount <= cap:
                    conn.execute(
                        "INSERT INTO overrides (kind, amount_units, created_ms) VALUES ('extra', ?, 0)", (amount,)
                    )
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            conn.close()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    conn = db.connect(path)
    assert conn.execute("SELECT SUM(amount_units), COUNT(*) FROM overrides").fetchone() == (cap, cap // amount)
    conn.close()


def test_ms_is_milliseconds_since_the_epoch_in_any_zone() -> None:
    at = datetime(2026, 3, 7, 12, 0, 0, 123000, tzinfo=UTC)
    assert db.ms(at) == 1772884800123
    assert db.ms(at.astimezone(timezone(timedelta(hours=8)))) == 1772884800123
