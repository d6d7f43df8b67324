"""Unrecognised purchases: requests to a known app that looked like payments but matched no rule.

What counts and the path shapes are in guardian.catalog.discovery. The table
is bounded: one row per (host, path shape), at most `MAX_ROWS` rows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

MAX_ROWS = 1000


@dataclass(frozen=True, slots=True)
class Unrecognised:
    host: str
    path: str
    app: str
    method: str
    first_ms: int
    last_ms: int
    hits: int


def record(conn: sqlite3.Connection, app: str, host: str, method: str, path: str, at_ms: int) -> None:
    host = host[:253]
    updated = conn.execute(
        "UPDATE unrecognised SET last_ms = ?, hits = hits + 1 WHERE host = ? AND path = ?", (at_ms, host, path)
    ).rowcount
    if not updated:
        conn.execute(
            """INSERT OR IGNORE INTO unrecognised (host, path, app, method, first_ms, last_ms)
               SELECT ?, ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM unrecognised) < ?""",
            (host, path, app, method[:10], at_ms, at_ms, MAX_ROWS),
        )


def recent(conn: sqlite3.Connection, limit: int = 100) -> list[Unrecognised]:
    rows = conn.execute(
        "SELECT host, path, app, method, first_ms, last_ms, hits FROM unrecognised ORDER BY last_ms DESC LIMIT ?",
        (limit,),
    )
    return [Unrecognised(*r) for r in rows]
