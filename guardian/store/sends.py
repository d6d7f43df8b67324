"""Notifications on their way to the parent's phone channels: one row per event and channel, and every request made.

    outbox event --fan_out--> sends(pending) --a message carrying it is accepted--> sent
                                              --the channel failed--> pending, tries + 1, last_error

A row is never dropped while its channel exists: a failed message leaves the
rows it carried pending with the reason, and they go out, grouped, with the
next message the channel's limits allow. Each request (tests included) is a
``channel_messages`` row: the rate limits count them, and the dashboard shows
the latest answer. Errors here are plain words; an address never is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from guardian.store import db

MINUTE_MS, DAY_MS = 60_000, 86_400_000
MAX_ERROR = 300


@dataclass(frozen=True, slots=True)
class Pending:
    event: int
    urgent: bool
    tries: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Attempt:
    at_ms: int
    events: int
    urgent: bool
    test: bool
    error: str | None
    permanent: bool


@dataclass(frozen=True, slots=True)
class Status:
    """A channel as the dashboard shows it."""

    pending: int
    last: Attempt | None  # the latest request, test or not
    last_sent_ms: int | None  # when it last accepted a message


def cursor(conn: sqlite3.Connection) -> int | None:
    """The last outbox event already fanned out; None before the first time."""
    row = conn.execute("SELECT event FROM sends_cursor WHERE id = 1").fetchone()
    return None if row is None else row[0]


def fan_out(conn: sqlite3.Connection, rows: Iterable[tuple[int, str, bool]], up_to: int) -> None:
    """Queue (event, channel, urgent) rows and move the cursor to `up_to`, in one transaction."""
    with db.transaction(conn):
        conn.executemany("INSERT OR IGNORE INTO sends (event, channel, urgent) VALUES (?, ?, ?)", rows)
        conn.execute(
            "INSERT INTO sends_cursor (id, event) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET event = excluded.event",
            (up_to,),
        )


def pending(conn: sqlite3.Connection, channel: str, limit: int = 500) -> list[Pending]:
    """What waits for `channel`: urgent first, then oldest first."""
    rows = conn.execute(
        "SELECT event, urgent, tries, last_error FROM sends WHERE state = 'pending' AND channel = ? "
        "ORDER BY urgent DESC, event LIMIT ?",
        (channel, limit),
    )
    return [Pending(e, bool(u), t, err) for e, u, t, err in rows.fetchall()]


def window(conn: sqlite3.Connection, channel: str, now_ms: int) -> tuple[int, int, int | None]:
    """Requests made to `channel` in the last minute and the last day (what its rate limits count), and the latest."""
    minute, day, latest = conn.execute(
        "SELECT COALESCE(SUM(at_ms > ?), 0), COUNT(*), MAX(at_ms) FROM channel_messages "
        "WHERE channel = ? AND at_ms > ?",
        (now_ms - MINUTE_MS, channel, now_ms - DAY_MS),
    ).fetchone()
    return minute, day, latest


def record(
    conn: sqlite3.Connection,
    channel: str,
    at_ms: int,
    events: list[int],
    urgent: bool = False,
    error: str | None = None,
    permanent: bool = False,
    test: bool = False,
) -> int:
    """One request to `channel` and what became of the events it carried, in one transaction."""
    error = None if error is None else error[:MAX_ERROR]
    with db.transaction(conn):
        cur = conn.execute(
            "INSERT INTO channel_messages (channel, at_ms, events, urgent, test, error, permanent) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (channel, at_ms, len(events), int(urgent), int(test), error, int(permanent)),
        )
        message = cur.lastrowid
        if error is None:
            conn.executemany(
                "UPDATE sends SET state = 'sent', message = ?, tries = tries + 1, last_error = NULL "
                "WHERE channel = ? AND event = ? AND state = 'pending'",
                [(message, channel, e) for e in events],
            )
        else:
            conn.executemany(
                "UPDATE sends SET tries = tries + 1, last_error = ? WHERE channel = ? AND event = ?",
                [(error, channel, e) for e in events],
            )
    return message


def failures(conn: sqlite3.Connection, channel: str, limit: int = 12) -> tuple[int, Attempt | None]:
    """How many of the latest requests failed in a row, and the latest of them (a test that worked ends the run)."""
    rows = conn.execute(
        "SELECT at_ms, events, urgent, test, error, permanent FROM channel_messages "
        "WHERE channel = ? ORDER BY id DESC LIMIT ?",
        (channel, limit),
    ).fetchall()
    count = 0
    for row in rows:
        if row[4] is None:
            break
        count += 1
    return count, (_attempt(rows[0]) if rows else None)


def _attempt(row: tuple) -> Attempt:
    at_ms, events, urgent, test, error, permanent = row
    return Attempt(at_ms, events, bool(urgent), bool(test), error, bool(permanent))


def status(conn: sqlite3.Connection, channel: str) -> Status:
    waiting = conn.execute("SELECT COUNT(*) FROM sends WHERE channel = ? AND state = 'pending'", (channel,)).fetchone()[
        0
    ]
    last = conn.execute(
        "SELECT at_ms, events, urgent, test, error, permanent FROM channel_messages WHERE channel = ? "
        "ORDER BY id DESC LIMIT 1",
        (channel,),
    ).fetchone()
    sent = conn.execute(
        "SELECT MAX(at_ms) FROM channel_messages WHERE channel = ? AND error IS NULL", (channel,)
    ).fetchone()[0]
    return Status(waiting, None if last is None else _attempt(last), sent)


def drop(conn: sqlite3.Connection, channel: str, events: list[int]) -> None:
    """Rows whose event is gone (purged with the records it belonged to)."""
    with db.transaction(conn):
        conn.executemany("DELETE FROM sends WHERE channel = ? AND event = ?", [(channel, e) for e in events])


def forget(conn: sqlite3.Connection, channel: str) -> int:
    """A removed channel's rows (its messages stay counted for as long as the limits look back)."""
    with db.transaction(conn):
        return conn.execute("DELETE FROM sends WHERE channel = ?", (channel,)).rowcount


def of_events(conn: sqlite3.Connection, events: list[int]) -> dict[int, list[tuple[str, str, str | None]]]:
    """event -> [(channel, state, last_error)], for the dashboard's list."""
    if not events:
        return {}
    found: dict[int, list[tuple[str, str, str | None]]] = {}
    rows = conn.execute(
        f"SELECT event, channel, state, last_error FROM sends WHERE event IN ({','.join('?' * len(events))}) "
        "ORDER BY channel",
        events,
    )
    for event, channel, state, error in rows:
        found.setdefault(event, []).append((channel, state, error))
    return found
