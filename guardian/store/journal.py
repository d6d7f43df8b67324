"""The journal: an append-only, hash-chained record of everything that is evidence.

Every attempt, every answer from an app's server, every approval decision and
every limit change is appended here, in the same transaction as the table row
it describes. Each entry's hash covers its own content and the previous
entry's hash, so editing, deleting, inserting or reordering any entry breaks
the chain from that point on. The chain's head digest, copied into reports
and exports, lets anyone check later that the record was not rewritten.

Entry hash: SHA-256 over ``prev \\n seq \\n at_ms \\n kind \\n ref \\n body``
where body is the canonical JSON (sorted keys, no spaces, UTF-8).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass

GENESIS = "0" * 64


def canonical(body: dict) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(prev: str, seq: int, at_ms: int, kind: str, ref: int | None, body: str) -> str:
    text = "\n".join((prev, str(seq), str(at_ms), kind, "" if ref is None else str(ref), body))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def append(conn: sqlite3.Connection, kind: str, ref: int | None, body: dict, at_ms: int) -> str:
    """Append one entry; call inside the caller's write transaction. Returns the new head."""
    last = conn.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    text = canonical(body)
    h = digest(prev, seq, at_ms, kind, ref, text)
    conn.execute(
        "INSERT INTO journal (seq, at_ms, kind, ref, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (seq, at_ms, kind, ref, text, prev, h),
    )
    return h


def head(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    return row[0] if row else GENESIS


@dataclass(frozen=True, slots=True)
class Break:
    seq: int
    kind: str
    ref: int | None
    why: str


def verify_chain(conn: sqlite3.Connection, start_prev: str = GENESIS, start_seq: int = 1) -> Break | None:
    """The first journal entry that does not fit the chain, or None when it is intact."""
    prev, expected = start_prev, start_seq
    for seq, at_ms, kind, ref, body, stored_prev, h in conn.execute(
        "SELECT seq, at_ms, kind, ref, body, prev, hash FROM journal ORDER BY seq"
    ):
        if seq != expected:
            return Break(seq, kind, ref, f"entry {expected} is missing (deleted or renumbered)")
        if stored_prev != prev:
            return Break(seq, kind, ref, "does not follow the previous entry (inserted, deleted or reordered)")
        if digest(prev, seq, at_ms, kind, ref, body) != h:
            return Break(seq, kind, ref, "its content does not match its hash (edited)")
        prev, expected = h, seq + 1
    return None
