"""The change record names who made each change, in the row and in the journal."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from guardian.store import changes, db, journal


def test_a_change_records_its_author_in_the_row_and_the_journal(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "guardian.db")
    with db.transaction(conn):
        changes.record(conn, "locked all purchases", {"until": "until unlocked"}, 1000, changes.PARENT_DASHBOARD)
    with db.transaction(conn):
        changes.record(conn, "limits of Mia", {"child": "Mia"}, 2000, "  administrator  dad\n(sudo) ")
    newest, oldest = changes.recent(conn)
    assert (oldest.what, oldest.author) == ("locked all purchases", "parent (dashboard)")
    assert newest.author == "administrator dad (sudo)"  # one line, whatever was passed
    bodies = [
        json.loads(b)
        for (b,) in conn.execute("SELECT body FROM journal WHERE kind = ? ORDER BY seq", ("limit-change",))
    ]
    assert [b["by"] for b in bodies] == ["parent (dashboard)", "administrator dad (sudo)"]
    assert journal.verify_chain(conn) is None


def test_a_ledger_from_before_authors_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE changes (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, what TEXT NOT NULL,"
        " detail TEXT NOT NULL)"
    )
    old.execute("INSERT INTO changes (at_ms, what, detail) VALUES (1, 'limits of Mia', '{}')")
    old.commit()
    old.close()
    [change] = changes.recent(db.connect(path))
    assert (change.what, change.author) == ("limits of Mia", None)
