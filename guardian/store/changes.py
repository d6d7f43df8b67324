"""Every change a parent makes (limit edits, locks, extra allowances), listed and journalled.

Each change is a row here and an entry in the hash-chained journal
(kind ``limit-change``), written in the caller's write transaction, with who
made it: "parent (dashboard)" or an administrator's account, never the child's.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from guardian.store import journal

KIND = "limit-change"
PARENT_DASHBOARD = "parent (dashboard)"  # who answered or changed something after logging in to the dashboard


@dataclass(frozen=True, slots=True)
class Change:
    id: int
    at_ms: int
    what: str
    detail: dict
    author: str | None = None  # None: made before changes named their author


def record(conn: sqlite3.Connection, what: str, detail: dict, at_ms: int, author: str) -> int:
    """Record one change by `author`; call inside the caller's write transaction."""
    author = " ".join(str(author).split())[:120] or "unknown"
    cur = conn.execute(
        "INSERT INTO changes (at_ms, what, detail, author) VALUES (?, ?, ?, ?)",
        (at_ms, what, json.dumps(detail, sort_keys=True, ensure_ascii=False, default=str), author),
    )
    journal.append(conn, KIND, cur.lastrowid, {"what": what, **detail, "by": author}, at_ms)
    return cur.lastrowid


def recent(conn: sqlite3.Connection, limit: int = 50) -> list[Change]:
    rows = conn.execute(
        "SELECT id, at_ms, what, detail, author FROM changes ORDER BY id DESC LIMIT ?", (limit,)
    ).fetchall()
    return [Change(i, at, what, json.loads(detail), author) for i, at, what, detail, author in rows]
