"""Walking the journal's chain: each entry's link to the one before and its hash, keyed or (before the switch to
the chain key) plain; and, at the first entry that does not fit, what was done to it."""

from __future__ import annotations

import json
import sqlite3

from guardian.evidence.problems import DELETED, EDITED, INSERTED, REORDERED, Problem
from guardian.store import chainkey, journal, records


def start_point(conn: sqlite3.Connection) -> tuple[int, str]:
    """(first seq, its expected prev hash): after the latest checkpoint, else the genesis."""
    if records.exists(conn, "checkpoints"):
        row = conn.execute("SELECT last_seq, last_hash FROM checkpoints ORDER BY id DESC LIMIT 1").fetchone()
        if row is not None:
            return row[0] + 1, row[1]
    return 1, journal.GENESIS


class Chain:
    """Walks the entries in order, checking links and hashes; stops judging at the first break."""

    def __init__(self, conn: sqlite3.Connection, key: bytes | None, missing: bool):
        self.conn, self.key = conn, key
        self.start_seq, self.prev = start_point(conn)
        self.expected, self.prev_seq = self.start_seq, self.start_seq - 1
        self.switch = journal.switch_seq(conn)
        has_switch = conn.execute("SELECT 1 FROM journal WHERE kind = ? LIMIT 1", (journal.KEYED,)).fetchone()
        # No key file and no switch: a ledger from before the chain key, plain SHA-256 throughout.
        self.keyed = not (missing and has_switch is None)
        self.ok, self.unauthenticated = True, 0

    def digest(self, prev: str, seq: int, at_ms: int, kind: str, ref: int | None, body: str) -> str | None:
        """The hash entry `seq` must have; None when it is keyed and the key cannot be read here."""
        if not self.keyed:
            return journal.digest(prev, seq, at_ms, kind, ref, body)
        if seq >= self.switch and self.key is None:
            return None
        return journal.digest(prev, seq, at_ms, kind, ref, body, journal.key_for(seq, self.switch, self.key))

    def check(self, seq, at_ms, kind, ref, body, stored_prev, h) -> Problem | None:
        if not self.ok:
            return None
        problem = None
        if seq < self.expected:
            problem = Problem("journal", seq, INSERTED, f"the chain starts at seq {self.start_seq} after a checkpoint")
        elif seq > self.expected:
            gap = f"seq {self.expected}" if seq == self.expected + 1 else f"seqs {self.expected} to {seq - 1}"
            problem = Problem("journal", self.expected, DELETED, f"{gap} missing")
        else:
            problem = self._break(seq, at_ms, kind, ref, body, stored_prev, h)
        self.ok = problem is None
        self.prev, self.prev_seq, self.expected = h, seq, seq + 1
        return problem

    def _break(self, seq, at_ms, kind, ref, body, stored_prev, h) -> Problem | None:
        """Why entry `seq` does not follow the previous one, or None when it does."""
        prev, prev_seq = self.prev, self.prev_seq
        if stored_prev == prev:
            expected = self.digest(prev, seq, at_ms, kind, ref, body)
            if expected is None:
                self.unauthenticated += 1
                return None
            if expected == h:
                return None
            after = self.conn.execute("SELECT prev FROM journal WHERE seq > ? ORDER BY seq LIMIT 1", (seq,)).fetchone()
            if after is not None and after[0] == prev:  # the next entry skips this one
                return Problem("journal", seq, INSERTED, f"the entry after it follows seq {prev_seq} directly")
            if self.keyed and seq >= self.switch and journal.digest(prev, seq, at_ms, kind, ref, body) == h:
                return Problem("journal", seq, EDITED, "its hash was computed without the chain key: forged or rebuilt")
            return Problem("journal", seq, EDITED, "its content does not match its hash: edited, or written by hand")
        points_at = _seq_with_hash(self.conn, stored_prev)
        if points_at is not None and points_at > seq:
            return Problem("journal", seq, REORDERED, f"it belongs after the entry now at seq {points_at}")
        if points_at is not None and points_at < prev_seq:
            return Problem("journal", points_at + 1, INSERTED, f"seq {seq} follows seq {points_at} directly")
        if self.digest(stored_prev, seq + 1, at_ms, kind, ref, body) == h:
            return Problem("journal", seq, DELETED, "an entry before it was deleted and the rest renumbered")
        if points_at is None and prev_seq and self.digest(stored_prev, seq, at_ms, kind, ref, body) == h:
            return Problem("journal", prev_seq, EDITED, f"its hash was recomputed, but seq {seq} points at another one")
        return Problem("journal", seq, EDITED, "it does not point at the entry before it")


def _seq_with_hash(conn: sqlite3.Connection, h: str) -> int | None:
    row = conn.execute("SELECT seq FROM journal WHERE hash = ? ORDER BY seq LIMIT 1", (h,)).fetchone()
    return None if row is None else row[0]


def other_key(conn: sqlite3.Connection, key: bytes | None, switch: int) -> list[Problem]:
    """The chain became keyed with another key than the one here: the key file was replaced or lost."""
    if key is None:
        return []
    row = conn.execute("SELECT body FROM journal WHERE seq = ? AND kind = ?", (switch, journal.KEYED)).fetchone()
    try:
        written = None if row is None else json.loads(row[0]).get("key_id")
    except (ValueError, AttributeError):
        return []  # an edited body: the chain check reports it
    if written is None or written == chainkey.key_id(key):
        return []
    detail = f"the chain was keyed with key {written}, the key file holds {chainkey.key_id(key)}: it was replaced"
    return [Problem("journal", switch, EDITED, detail)]
