"""The anchor: the journal's head copied to a file outside the database (``chain-head`` beside the ledger).

A hash chain shows an edit in the middle, but not the newest entries cut off
the end (with their rows), nor a chain recomputed from scratch by someone
holding the key. The anchor remembers the newest head this computer wrote,
outside the database, so `guardian verify` can tell: the anchored entry must
still be there with the same hash.

It is written after each commit that journaled something (one small file
replaced atomically, about 30 µs; see benchmarks/evidence.py) and only ever
moves forward. It moves only while the entry it names is still in the record
as it was: after a truncation or a rebuild the old anchor stays, so the proof
survives the writes that follow.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

FILE = "chain-head"


@dataclass(frozen=True, slots=True)
class Anchor:
    seq: int
    hash: str
    at_ms: int  # when the anchored entry was written


def path_for(ledger: Path) -> Path:
    return ledger.parent / FILE


def read(ledger: Path) -> Anchor | None:
    """The anchor of the ledger at `ledger`; None when there is none; ValueError when it is not one."""
    try:
        text = path_for(ledger).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        doc = json.loads(text)
        anchor = Anchor(int(doc["seq"]), str(doc["hash"]), int(doc["at_ms"]))
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"{path_for(ledger)} is not a head file (edited, or written by something else)") from None
    return anchor


def holds(conn: sqlite3.Connection, anchor: Anchor) -> bool:
    """Whether the record still has the anchored entry as it was, or purged it (a checkpoint covers it)."""
    row = conn.execute("SELECT hash FROM journal WHERE seq = ?", (anchor.seq,)).fetchone()
    if row is not None:
        return row[0] == anchor.hash
    first = conn.execute("SELECT MIN(seq) FROM journal").fetchone()[0]
    return first is not None and anchor.seq < first and purged(conn, anchor)


def purged(conn: sqlite3.Connection, anchor: Anchor) -> bool:
    """Whether a retention checkpoint removed the anchored entry (then its last hash must match, if it is that one)."""
    for last_seq, last_hash in conn.execute(
        "SELECT last_seq, last_hash FROM checkpoints WHERE first_seq <= ? AND last_seq >= ?", (anchor.seq, anchor.seq)
    ):
        if last_seq != anchor.seq or last_hash == anchor.hash:
            return True
    return False


def advance(conn: sqlite3.Connection, ledger: Path, new: Anchor) -> bool:
    """Move the anchor to `new` (a committed entry) unless it is already further, or no longer holds."""
    try:
        old = read(ledger)
    except ValueError:
        return False  # keep the damaged file: verify reports it
    if old is not None and (old.seq >= new.seq or not holds(conn, old)):
        return False
    path = path_for(ledger)
    tmp = path.with_name(f".{FILE}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps({"seq": new.seq, "hash": new.hash, "at_ms": new.at_ms}) + "\n")
    os.replace(tmp, path)
    return True
