"""The one SQLite file: opening it, writing to it, and its tables (``schema.sql`` beside this module).

Several processes share the file (proxies, the dashboard, the command line),
so it runs in WAL mode and every write goes through `transaction`: ``BEGIN
IMMEDIATE`` takes SQLite's write lock before the first read, so a check and
the write that depends on it are never interleaved with another writer's.

`connect` brings the file up to the schema before handing it out, so no
module keeps a table list of its own.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from pathlib import Path

from guardian.store import chainkey, journal, spend

SCHEMA = resources.files(__package__).joinpath("schema.sql").read_text(encoding="utf-8")
# Every table, index and trigger the schema creates: a file holding them all needs no setting up.
NAMES = frozenset(re.findall(r"CREATE (?:TABLE|INDEX|TRIGGER) IF NOT EXISTS (\w+)", SCHEMA))
# Columns added after their table first shipped: (table, column, declaration).
COLUMNS = (
    ("attempts", "mac", "TEXT"),
    ("changes", "author", "TEXT"),
    ("parent_login", "generation", "INTEGER NOT NULL DEFAULT 0"),
    ("login_failures", "noticed", "INTEGER NOT NULL DEFAULT 0"),
    ("attempts", "continues", "INTEGER"),
    ("outbox", "ref", "INTEGER"),
)


def ms(at: datetime) -> int:
    """Milliseconds since the epoch: how every time is stored."""
    return int(at.timestamp() * 1000)


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating it if need be) the file at `path`, with every table in place.

    Autocommit mode: writes go through `transaction`. Usable from any thread, one at a time.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode survives a killed process; only a power cut can lose the last commits.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA foreign_keys=ON")
    ensure(conn)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: ``BEGIN IMMEDIATE``, then ``COMMIT``, or ``ROLLBACK`` on any error.

    After a commit that journaled, the journal's new head is copied to the anchor file.
    """
    with _locked(conn):
        journal.begin(conn)
        yield conn
    journal.committed(conn)


def own_the_journal(conn: sqlite3.Connection) -> None:
    """At the start of a process that writes (the service): switch an older chain to the chain key and make the
    key now, so that they belong to the service's account and not to whoever writes first."""
    with transaction(conn):
        pass  # journal.begin switches an unkeyed chain, making the key
    chainkey.for_writing(chainkey.ledger_file(conn))


@contextmanager
def _locked(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        journal.abandoned(conn)
        raise
    conn.execute("COMMIT")


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One read transaction, so what is read together was written together; inside an open transaction, that one."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


def ensure(conn: sqlite3.Connection) -> None:
    """Create whatever the schema has and the file lacks, atomically across processes."""
    if _complete(conn):  # the usual case: one read of the catalogue
        return
    with _locked(conn):  # not `transaction`: the journal may not exist yet
        had_buckets = _exists(conn, "spend_update")
        had_devices = _exists(conn, "devices")
        for statement in _statements(SCHEMA):
            conn.execute(statement)
        for table, column, decl in COLUMNS:
            if column not in _columns(conn, table):
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
        if not had_buckets:
            spend.back_fill(conn)
        if not had_devices:
            _devices_from_journal(conn)


def _devices_from_journal(conn: sqlite3.Connection) -> None:
    """The devices table, for a ledger from before it: each phone's latest journaled add or remove."""
    conn.execute(
        """INSERT INTO devices (device, child, action, at_ms)
           SELECT json_extract(body, '$.device'), json_extract(body, '$.child'), json_extract(body, '$.action'), at_ms
           FROM journal WHERE kind = 'device' AND json_extract(body, '$.device') IS NOT NULL
             AND json_extract(body, '$.action') IS NOT NULL ORDER BY seq
           ON CONFLICT (device) DO UPDATE
               SET child = excluded.child, action = excluded.action, at_ms = excluded.at_ms"""
    )


def _complete(conn: sqlite3.Connection) -> bool:
    have = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    return NAMES <= have and all(column in _columns(conn, table) for table, column, _ in COLUMNS)


def _exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _statements(script: str) -> Iterator[str]:
    """The script's statements one by one (executescript would commit the transaction they run in)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
