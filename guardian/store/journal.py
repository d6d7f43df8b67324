"""The journal: an append-only, keyed hash chain of everything that is evidence.

Every attempt and answer from an app's server, every approval asked, answered
and used, every lock, extra allowance and limit change, every learned gift
price and every phone added or removed is appended here, in the same
transaction as the table row it describes (the tables: guardian.store.records).
Each entry's hash covers its own content and the previous entry's hash, so
editing, deleting, inserting or reordering any entry breaks the chain from
that point on.

Entry hash: HMAC-SHA256, keyed with the chain key (guardian.store.chainkey),
over ``prev \\n seq \\n at_ms \\n kind \\n ref \\n body`` where body is the
canonical JSON (sorted keys, no spaces, UTF-8). Without the key no entry can
be written that verifies, so a child who can edit the file still cannot
forge, rebuild or extend the chain.

Ledgers written before the key existed hold entries hashed with plain SHA-256
over the same text. The first write after the upgrade appends a
``chain-keyed`` entry (itself keyed): entries before the latest one are
plain, it and every entry after it are keyed; with none, every entry is keyed.
Old evidence still verifies, and nothing new can be written without the key:
a plain entry after the switch, or a chain with the switch deleted, does not
verify. At the switch the rows of tables whose writes were not journaled
before (locks and allowances, gift prices) are restated (``row-state``
entries), so they are checked from then on.

After each commit that appended, the new head is copied to the anchor file
(guardian.store.anchor).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from guardian.store import anchor, chainkey, records

log = logging.getLogger(__name__)
GENESIS = "0" * 64
KEYED, ROW_STATE = "chain-keyed", "row-state"
SCHEME = "hmac-sha256"
NEWLY_JOURNALED = ("overrides", "gift_prices")  # tables whose writes were first journaled with the keyed chain

# id(conn) -> its newest entry and the hash of the entry before that, until its transaction ends
_pending: dict[int, tuple[Path, anchor.Anchor, str]] = {}
_checked: set[Path] = set()  # ledgers this process saw committed with a keyed head: no switch to look for
_open: dict[int, Path] = {}  # id(conn) -> its ledger file, while a transaction begun by `begin` is open


def canonical(body: dict | list) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(prev: str, seq: int, at_ms: int, kind: str, ref: int | None, body: str, key: bytes | None = None) -> str:
    """The entry's hash: HMAC-SHA256 with `key`, or plain SHA-256 (entries from before the chain key) without."""
    text = "\n".join((prev, str(seq), str(at_ms), kind, "" if ref is None else str(ref), body)).encode("utf-8")
    if key is None:
        return hashlib.sha256(text).hexdigest()
    return hmac.new(key, text, hashlib.sha256).hexdigest()


def append(conn: sqlite3.Connection, kind: str, ref: int | None, body: dict, at_ms: int) -> str:
    """Append one entry; call inside the caller's write transaction (`db.transaction`). Returns the new head."""
    ledger = _open.get(id(conn)) or chainkey.ledger_file(conn)  # found once per transaction, not per entry
    return _append(conn, ledger, chainkey.for_writing(ledger), kind, ref, body, at_ms)


def restate(conn: sqlite3.Connection, table: str, key: records.Key, row: dict, at_ms: int) -> str:
    """Journal a row's whole content, so its earlier entries are no longer needed to check it."""
    return append(conn, ROW_STATE, None, state(table, key, row), at_ms)


def state(table: str, key: records.Key, row: dict) -> dict:
    return {"table": table, "key": list(key) if isinstance(key, tuple) else key, "row": row}


def _append(
    conn: sqlite3.Connection, ledger: Path, key: bytes, kind: str, ref: int | None, body: dict, at_ms: int
) -> str:
    last = conn.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    text = canonical(body)
    h = digest(prev, seq, at_ms, kind, ref, text, key)
    conn.execute(
        "INSERT INTO journal (seq, at_ms, kind, ref, body, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (seq, at_ms, kind, ref, text, prev, h),
    )
    _pending[id(conn)] = (ledger, anchor.Anchor(seq, h, at_ms), prev)
    return h


def begin(conn: sqlite3.Connection) -> None:
    """At the start of a write transaction (db.transaction), before its own rows: switch an unkeyed chain to the key.

    Checked once per ledger and process; a keyed or empty new chain needs nothing.
    """
    _pending.pop(id(conn), None)
    ledger = _open[id(conn)] = chainkey.ledger_file(conn)
    if ledger in _checked:
        return
    last = conn.execute(
        "SELECT seq, at_ms, kind, ref, body, prev, hash FROM journal ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    # A plain SHA-256 head is from before the key (or forged: then verify reports it either way).
    plain = last is not None and digest(last[5], *last[:5]) == last[6]
    earlier = {table: records.rows(conn, table) for table in NEWLY_JOURNALED} if last is None or plain else {}
    if not plain and not any(earlier.values()):
        _checked.add(ledger)  # keyed already, damaged (verify says so), or new: keyed from its first entry
        return
    key = chainkey.for_writing(ledger)
    at_ms = int(time.time() * 1000)  # when the switch happened: a note, nothing is judged by it
    body = {"scheme": SCHEME, "key_id": chainkey.key_id(key), "unkeyed_through": 0 if last is None else last[0]}
    _append(conn, ledger, key, KEYED, None, body, at_ms)
    for table, rows in earlier.items():
        for k, row in rows.items():
            _append(conn, ledger, key, ROW_STATE, None, state(table, k, row), at_ms)


def committed(conn: sqlite3.Connection) -> None:
    """After COMMIT (db.transaction): copy the new head to the anchor file."""
    _open.pop(id(conn), None)
    pending = _pending.pop(id(conn), None)
    if pending is None:
        return
    ledger, head_entry, before = pending
    _checked.add(ledger)
    try:
        anchor.advance(conn, ledger, head_entry, before)
    except (OSError, sqlite3.Error) as e:  # the purchase is recorded; only its copy outside is late
        log.warning("could not update the head file beside %s: %s", ledger, e)


def abandoned(conn: sqlite3.Connection) -> None:
    """After ROLLBACK: what was appended is not in the record."""
    _open.pop(id(conn), None)
    _pending.pop(id(conn), None)


def head(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    return row[0] if row else GENESIS


def head_entry(conn: sqlite3.Connection) -> tuple[int, str]:
    """(seq, hash) of the newest entry; (0, GENESIS) for an empty journal."""
    row = conn.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def switch_seq(conn: sqlite3.Connection) -> int:
    """The first keyed entry's seq: the latest ``chain-keyed`` entry, else 1 (every entry keyed)."""
    row = conn.execute("SELECT MAX(seq) FROM journal WHERE kind = ?", (KEYED,)).fetchone()
    return row[0] if row and row[0] is not None else 1


def key_for(seq: int, switch: int, key: bytes | None) -> bytes | None:
    """The key entry `seq` is hashed with: None (plain SHA-256) before the switch."""
    return key if seq >= switch else None


@dataclass(frozen=True, slots=True)
class Break:
    seq: int
    kind: str
    ref: int | None
    why: str


def verify_chain(conn: sqlite3.Connection, start_prev: str = GENESIS, start_seq: int = 1) -> Break | None:
    """The first entry that does not fit the chain, or None (links and hashes only; guardian.evidence.verify
    also checks the tables, the anchor and who may have written it)."""
    ledger = chainkey.ledger_file(conn)
    key, switch = chainkey.for_reading(ledger), switch_seq(conn)
    prev, expected = start_prev, start_seq
    for seq, at_ms, kind, ref, body, stored_prev, h in conn.execute(
        "SELECT seq, at_ms, kind, ref, body, prev, hash FROM journal ORDER BY seq"
    ):
        if seq != expected:
            return Break(seq, kind, ref, f"entry {expected} is missing (deleted or renumbered)")
        if stored_prev != prev:
            return Break(seq, kind, ref, "does not follow the previous entry (inserted, deleted or reordered)")
        if digest(prev, seq, at_ms, kind, ref, body, key_for(seq, switch, key)) != h:
            return Break(seq, kind, ref, "its content does not match its hash (edited, or written without the key)")
        prev, expected = h, seq + 1
    return None
