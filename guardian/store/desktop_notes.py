"""Desktop notifications waiting for the agent in the parent's own session.

The service cannot reach another account's desktop, so the dashboard's
delivery job hands each notification over here (`post`), and the agent in the
parent's session fetches what is waiting with a token only that account can
read (`waiting`, then `shown` once it is on screen). The agent's last visit and
its last failure are kept, so the Notifications page can say why nothing shows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from guardian.store import db

MAX_ERROR = 300


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    at_ms: int
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class Agent:
    seen_ms: int | None  # None: the agent never came
    last_error: str | None
    waiting: int


def post(conn: sqlite3.Connection, title: str, body: str, at_ms: int) -> int:
    cur = conn.execute("INSERT INTO desktop_notes (at_ms, title, body) VALUES (?, ?, ?)", (at_ms, title, body))
    return cur.lastrowid


def waiting(conn: sqlite3.Connection, limit: int = 20) -> list[Note]:
    rows = conn.execute(
        "SELECT id, at_ms, title, body FROM desktop_notes WHERE shown_ms IS NULL ORDER BY id LIMIT ?", (limit,)
    )
    return [Note(*r) for r in rows.fetchall()]


def visit(conn: sqlite3.Connection, shown: list[int], error: str | None, now_ms: int) -> None:
    """The agent came: mark what it showed, and remember when and what went wrong."""
    with db.transaction(conn):
        conn.executemany(
            "UPDATE desktop_notes SET shown_ms = ? WHERE id = ? AND shown_ms IS NULL", [(now_ms, i) for i in shown]
        )
        conn.execute(
            "INSERT INTO desktop_agent (id, seen_ms, last_error) VALUES (1, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET seen_ms = excluded.seen_ms, last_error = excluded.last_error",
            (now_ms, None if error is None else error[:MAX_ERROR]),
        )


def agent(conn: sqlite3.Connection) -> Agent:
    row = conn.execute("SELECT seen_ms, last_error FROM desktop_agent WHERE id = 1").fetchone()
    count = conn.execute("SELECT COUNT(*) FROM desktop_notes WHERE shown_ms IS NULL").fetchone()[0]
    return Agent(None, None, count) if row is None else Agent(row[0], row[1], count)
