"""Tamper evidence: check the journal's hash chain and the tables against it.

The journal (guardian.journal) is the record; the `attempts` and
`checkpoints` tables are views of it that the rest of Guardian reads. `verify`
walks the chain from its start (the genesis, or the latest retention
checkpoint) and then replays it: every attempts row must equal the body of
its "attempt" entry with its later entries (PATCHES) applied, every checkpoint
row its "checkpoint" entry, and every entry must have its row. The first
thing that does not fit is named with its table and key, and whether it was
edited, deleted, inserted or reordered.

A chain proves order and integrity from its start; it cannot by itself stop
someone who rewrites the whole file with the published algorithm. The head
digest copied outside the database (exports, weekly summaries) closes that gap.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from guardian.store import db, journal

# Journal kinds whose body updates columns of an attempts row recorded earlier.
PATCHES = frozenset({"outcome"})
EDITED, DELETED, INSERTED, REORDERED = "edited", "deleted", "inserted", "reordered"
MAX_PROBLEMS = 50


@dataclass(frozen=True, slots=True)
class Problem:
    table: str  # "journal", "attempts" or "checkpoints"
    key: int  # journal seq, or the row's id
    what: str  # edited, deleted, inserted or reordered
    detail: str

    def __str__(self) -> str:
        name = "seq" if self.table == "journal" else "id"
        return f"{self.table} {name} {self.key}: {self.what} ({self.detail})"


@dataclass(frozen=True, slots=True)
class Report:
    head: str
    head_seq: int | None
    entries: int
    attempts: int
    checkpoints: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.intact:
            return (
                f"Intact: {self.entries} journal entries, {self.attempts} attempts, {self.checkpoints} checkpoints.\n"
                f"Head digest: {self.head} (seq {self.head_seq or 0})"
            )
        return f"NOT intact: {self.problems[0]}"


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _rows(conn: sqlite3.Connection, table: str) -> dict[int, dict]:
    if not _table_exists(conn, table):
        return {}
    cur = conn.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 (fixed table names)
    names = [d[0] for d in cur.description]
    return {r[0]: dict(zip(names[1:], r[1:], strict=True)) for r in cur}


def start_point(conn: sqlite3.Connection) -> tuple[int, str]:
    """(first seq, its expected prev hash): after the latest checkpoint, else the genesis."""
    if _table_exists(conn, "checkpoints"):
        row = conn.execute("SELECT last_seq, last_hash FROM checkpoints ORDER BY id DESC LIMIT 1").fetchone()
        if row is not None:
            return row[0] + 1, row[1]
    return 1, journal.GENESIS


def _seq_with_hash(conn: sqlite3.Connection, h: str) -> int | None:
    row = conn.execute("SELECT seq FROM journal WHERE hash = ? ORDER BY seq LIMIT 1", (h,)).fetchone()
    return None if row is None else row[0]


def _chain_break(conn, seq, at_ms, kind, ref, body, stored_prev, h, prev, prev_seq) -> Problem | None:
    """Why entry `seq` does not follow `prev` (the hash of entry `prev_seq`), or None when it does."""
    if stored_prev == prev:
        if journal.digest(prev, seq, at_ms, kind, ref, body) != h:
            after = conn.execute("SELECT prev FROM journal WHERE seq > ? ORDER BY seq LIMIT 1", (seq,)).fetchone()
            if after is not None and after[0] == prev:  # the next entry skips this one
                return Problem("journal", seq, INSERTED, f"the entry after it follows seq {prev_seq} directly")
            return Problem("journal", seq, EDITED, "its content does not match its hash: edited, or written by hand")
        return None
    points_at = _seq_with_hash(conn, stored_prev)
    if points_at is not None and points_at > seq:
        return Problem("journal", seq, REORDERED, f"it belongs after the entry now at seq {points_at}")
    if points_at is not None and points_at < prev_seq:
        return Problem("journal", points_at + 1, INSERTED, f"seq {seq} follows seq {points_at} directly")
    if journal.digest(stored_prev, seq + 1, at_ms, kind, ref, body) == h:
        return Problem("journal", seq, DELETED, "an entry before it was deleted and the rest renumbered")
    if points_at is None and prev_seq and journal.digest(stored_prev, seq, at_ms, kind, ref, body) == h:
        return Problem("journal", prev_seq, EDITED, f"its hash was recomputed, but seq {seq} points at another one")
    return Problem("journal", seq, EDITED, "it does not point at the entry before it")


def _differences(expected: dict, actual: dict) -> list[str]:
    return [
        f"{col}: the journal says {expected.get(col)!r}, the table says {value!r}"
        for col, value in actual.items()
        if expected.get(col) != value
    ]


def _moved(folded: dict[int, dict], row: dict, own: int, searches: list[int]) -> int | None:
    """The id whose record this row holds; searched for the first few problems only (it scans every record)."""
    searches[0] += 1
    if searches[0] > 5:
        return None
    for other, expected in folded.items():
        if other != own and not _differences(expected, row):
            return other
    return None


def verify(conn: sqlite3.Connection) -> Report:
    """Walk the chain, then compare the tables with it. Read-only."""
    with db.snapshot(conn):  # a purchase recorded meanwhile is either wholly seen or not at all
        return _verify(conn)


def _verify(conn: sqlite3.Connection) -> Report:
    problems: list[Problem] = []
    start_seq, prev = start_point(conn)
    expected, prev_seq, entries, head_seq = start_seq, start_seq - 1, 0, None
    attempts: dict[int, dict] = {}  # id -> the row as the journal tells it
    attempt_seq: dict[int, int] = {}
    checkpoints: dict[int, dict] = {}
    checkpoint_seq: dict[int, int] = {}
    chain_ok = True
    for seq, at_ms, kind, ref, body, stored_prev, h in conn.execute(
        "SELECT seq, at_ms, kind, ref, body, prev, hash FROM journal ORDER BY seq"
    ):
        entries += 1
        head_seq = seq
        if chain_ok:
            if seq < expected:
                problems.append(
                    Problem("journal", seq, INSERTED, f"the chain starts at seq {start_seq} after a checkpoint")
                )
                chain_ok = False
            elif seq > expected:
                gap = f"seq {expected}" if seq == expected + 1 else f"seqs {expected} to {seq - 1}"
                problems.append(Problem("journal", expected, DELETED, f"{gap} missing"))
                chain_ok = False
            else:
                broken = _chain_break(conn, seq, at_ms, kind, ref, body, stored_prev, h, prev, prev_seq)
                if broken is not None:
                    problems.append(broken)
                    chain_ok = False
            prev, prev_seq, expected = h, seq, seq + 1
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            problems.append(Problem("journal", seq, EDITED, "its body is not a JSON object"))
            continue
        if kind == "attempt":
            if ref in attempts:
                problems.append(
                    Problem(
                        "journal", seq, INSERTED, f"a second record of attempt {ref} (first: seq {attempt_seq[ref]})"
                    )
                )
            attempts[ref], attempt_seq[ref] = doc, seq
        elif kind in PATCHES:
            if ref not in attempts:
                problems.append(
                    Problem("journal", seq, INSERTED, f"{kind} for attempt {ref}, which the journal never recorded")
                )
            else:
                attempts[ref] = {**attempts[ref], **doc}
        elif kind == "checkpoint":
            checkpoints[ref], checkpoint_seq[ref] = doc, seq
    problems += _compare("attempts", attempts, attempt_seq, _rows(conn, "attempts"))
    stored_checkpoints = _rows(conn, "checkpoints")
    # Checkpoint entries older than the latest checkpoint may themselves have been purged.
    latest = max(stored_checkpoints, default=None)
    kept = {k: v for k, v in stored_checkpoints.items() if k in checkpoints or k == latest}
    problems += _compare("checkpoints", checkpoints, checkpoint_seq, kept)
    problems.sort(key=lambda p: ({"checkpoints": 0, "journal": 1, "attempts": 2}[p.table], p.key))
    return Report(
        journal.head(conn), head_seq, entries, len(attempts), len(stored_checkpoints), problems[:MAX_PROBLEMS]
    )


def _compare(table: str, folded: dict[int, dict], seqs: dict[int, int], rows: dict[int, dict]) -> list[Problem]:
    problems, searches = [], [0]
    for key, row in rows.items():
        expected = folded.get(key)
        if expected is None:
            moved = _moved(folded, row, key, searches)
            what, detail = (
                (REORDERED, f"it holds the record of id {moved}")
                if moved
                else (INSERTED, "the journal has no record of it, or its record was deleted")
            )
            problems.append(Problem(table, key, what, detail))
            continue
        diffs = _differences(expected, row)
        if diffs:
            moved = _moved(folded, row, key, searches)
            if moved is not None:
                problems.append(Problem(table, key, REORDERED, f"it holds the record of id {moved}"))
            else:
                problems.append(Problem(table, key, EDITED, "; ".join(diffs)))
    for key in folded.keys() - rows.keys():
        where = f" at seq {seqs[key]}" if key in seqs else ""
        problems.append(Problem(table, key, DELETED, f"the journal records it{where}"))
    return problems


def find_head(conn: sqlite3.Connection, digest: str) -> str:
    """Where a head digest copied earlier (from an export or a summary) sits in today's record, in words.

    Found in an intact chain: nothing up to that entry was changed since the copy was made.
    """
    digest = digest.strip().lower()
    row = conn.execute("SELECT seq FROM journal WHERE hash = ?", (digest,)).fetchone()
    if row is not None:
        return f"found: {digest} is journal seq {row[0]}; nothing up to it was changed since it was copied"
    if _table_exists(conn, "checkpoints"):
        cp = conn.execute("SELECT id, last_seq FROM checkpoints WHERE last_hash = ?", (digest,)).fetchone()
        if cp is not None:
            return f"found: {digest} is the last entry (seq {cp[1]}) purged by checkpoint {cp[0]}"
        cp = conn.execute("SELECT id, last_seq FROM checkpoints ORDER BY id DESC LIMIT 1").fetchone()
        if cp is not None:
            return (
                f"NOT found: {digest} is not in the record; "
                f"entries up to seq {cp[1]} were purged (checkpoint {cp[0]}), "
                "so it may have been purged, or the record was rewritten"
            )
    return (
        f"NOT found: {digest} is not in the record: "
        "the record was rewritten after it was copied, or it belongs to another ledger"
    )
