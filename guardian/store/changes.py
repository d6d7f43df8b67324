"""Every change a parent makes (limit edits, locks, extra allowances), listed and journalled.

Each change is a row here and an entry in the hash-chained journal
(kind ``limit-change``), written in the caller's write transaction.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from guardian.store import journal

KIND = "limit-change"


@dataclass(frozen=True, slots=True)
class Change:
    id: int
    at_ms: int
    what: str
    detail: dict


def record(conn: sqlite3.Connection, what: str, detail: dict, at_ms: int) -> int:
    """Record one change; call inside the caller's write transaction."""
    cur = conn.execute(
        "INSERT INTO changes (at_ms, what, detail) VALUES (?, ?, ?)",
        (at_ms, what, json.dumps(detail, sort_keys=True, ensure_ascii=False, default=str)),
    )
    journal.append(conn, KIND, cur.lastrowid, {"what": what, **detail}, at_ms)
    return cur.lastrowid


def recent(conn: sqlite3.Connection, limit: int = 50) -> list[Change]:
    rows = conn.execute("SELECT id, at_ms, what, detail FROM changes ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [Change(i, at, what, json.loads(detail)) for i, at, what, detail in rows]
