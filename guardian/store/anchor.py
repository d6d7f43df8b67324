"""The anchor: the journal's head copied to a file outside the database (``chain-head`` beside the ledger).

A hash chain shows an edit in the middle, but not the newest entries cut off
the end (with their rows), nor a chain recomputed from scratch by someone
holding the key. The anchor remembers the newest head this computer wrote,
outside the database, so `guardian verify` can tell: the anchored entry must
still be there with the same hash.

It is written after each commit that journaled something, in place: one
fixed-size record over the old one through a descriptor kept open, about a
microsecond, where replacing the file through a rename cost about 200 µs on
ext4 (benchmarks/evidence.py). The record carries a check so a read that
meets a write in progress is told from a damaged file. The anchor only ever
moves forward, and only while the entry it names is still in the record as it
was: after a truncation or a rebuild the old anchor stays, so the proof
survives the writes that follow. Two processes racing may leave the older of
their two heads: an anchor a little behind is still a true one.

It is not synced to disk: a power cut can lose the last commits of the
ledger (SQLite's WAL with synchronous=NORMAL) while the anchor already names
them; `guardian verify` then reports the record as cut short, and the time in
its message tells whether that was the outage.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import zlib
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


SIZE = 192  # bytes: every record is padded to this, so a shorter one leaves nothing of a longer one behind
_open: dict[Path, int] = {}  # ledger -> descriptor of its head file, for this process's writes
_written: dict[Path, tuple[bytes, Anchor]] = {}  # ledger -> what this process wrote last (no need to parse it again)
_lock = threading.Lock()


def _check(seq: int, h: str, at_ms: int) -> str:
    """Tells a whole record from a torn or garbled one (not a seal: whoever can write the file can recompute it)."""
    return f"{zlib.crc32(f'{seq}\n{h}\n{at_ms}'.encode()):08x}"


def encode(a: Anchor) -> bytes:
    if len(a.hash) != 64 or not a.hash.isalnum():
        raise ValueError(f"not a journal hash: {a.hash!r}")
    text = (
        f'{{"seq": {a.seq:d}, "hash": "{a.hash}", "at_ms": {a.at_ms:d}, "check": "{_check(a.seq, a.hash, a.at_ms)}"}}'
    )
    return text.encode().ljust(SIZE - 1) + b"\n"


def read(ledger: Path) -> Anchor | None:
    """The anchor of the ledger at `ledger`; None when there is none; ValueError when it is not one."""
    path = path_for(ledger)
    for _ in range(5):  # a read that met a write in progress is tried again
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        if not data.strip():
            return None  # made, but nothing committed through it yet
        found = decode(data)
        if found is not None:
            return found
        time.sleep(0.001)
    raise ValueError(f"{path} is not a head file (edited, or written by something else)")


def decode(data: bytes) -> Anchor | None:
    """The anchor in a head file's bytes; None when they are not one (damaged, or caught mid-write)."""
    try:
        doc = json.loads(data)
        found = Anchor(int(doc["seq"]), str(doc["hash"]), int(doc["at_ms"]))
        return found if doc["check"] == _check(found.seq, found.hash, found.at_ms) else None
    except (ValueError, KeyError, TypeError):
        return None


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


def advance(conn: sqlite3.Connection, ledger: Path, new: Anchor, prev: str | None = None) -> bool:
    """Move the anchor to `new` (a committed entry, whose previous entry has hash `prev`) unless it is already
    further, or no longer holds."""
    with _lock:
        fd = _descriptor(ledger)
        data = _read_at_start(fd)
        mine = _written.get(ledger)
        old = mine[1] if mine is not None and mine[0] == data else decode(data) if data.strip() else None
        if data.strip() and old is None:
            return False  # damaged (or another process is writing it): keep it as it is; verify reports damage
        if old is not None and old.seq >= new.seq:
            return False
        # Usually the new entry follows the anchored one directly, and says so: no query needed.
        follows = old is not None and old.seq == new.seq - 1 and old.hash == prev
        if old is not None and not follows and not holds(conn, old):
            return False
        record = encode(new)
        _write_at_start(fd, record)
        _written[ledger] = (record, new)
        return True


def _descriptor(ledger: Path) -> int:
    """This process's descriptor of the head file, opened again when the file was deleted or replaced."""
    fd = _open.get(ledger)
    if fd is not None and os.fstat(fd).st_nlink == 0:
        os.close(fd)
        fd = None
    if fd is None:
        fd = _open[ledger] = os.open(path_for(ledger), os.O_RDWR | os.O_CREAT, 0o600)
    return fd


def _read_at_start(fd: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, SIZE, 0)
    os.lseek(fd, 0, os.SEEK_SET)  # Windows
    return os.read(fd, SIZE)


def _write_at_start(fd: int, record: bytes) -> None:
    if hasattr(os, "pwrite"):
        os.pwrite(fd, record, 0)
    else:  # Windows
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, record)
