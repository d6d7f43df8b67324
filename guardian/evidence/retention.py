"""Retention: removing old attempts without losing the ability to check the record.

A purge removes the oldest stretch of the journal (entries before the cutoff)
and the attempts those entries record, but first writes a checkpoint: the
last purged entry's seq and hash, the counts and totals purged, and a digest
over the purged entries' hashes. The checkpoint goes into the `checkpoints`
table and is itself appended to the journal, so the chain continues from the
checkpointed hash and `guardian verify` still passes afterwards.

A purge never splits an attempt from its later entries (its outcome), and it
refuses to run on a record that does not verify: that would destroy the
evidence of tampering. The other journaled rows (approvals, locks, changes,
gift prices, phones) stay; each whose entries it removes is first restated
whole in a ``row-state`` entry, so it is still checked afterwards.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass
from decimal import Decimal

from guardian.evidence import replay, verify
from guardian.household.money import format_amount
from guardian.store import db, journal, records


class PurgeRefused(ValueError):
    """The record does not verify; purging now would destroy the evidence of that."""


@dataclass(frozen=True, slots=True)
class Preview:
    """What a purge with this cutoff would remove: offer an export of it first."""

    entries: int
    attempts: int
    first_at_ms: int | None
    last_at_ms: int | None
    last_seq: int | None  # the last journal entry it would remove


@dataclass(frozen=True, slots=True)
class Checkpoint:
    id: int
    at_ms: int
    before_ms: int
    first_seq: int
    last_seq: int
    last_hash: str
    entries: int
    attempts: int
    first_at_ms: int | None
    last_at_ms: int | None
    totals: str  # canonical JSON: {child: {"attempts": n, "allowed": n, "spent": "12.5", "currency": "CNY"}}
    purged_digest: str


def _prefix(conn: sqlite3.Connection, before_ms: int) -> tuple[list[tuple[int, str, int, str, int | None]], set[int]]:
    """The longest run of oldest entries all before the cutoff that splits no attempt from its outcomes."""
    last_of: dict[int, int] = {}  # attempt id -> seq of its last entry
    for ref, last in conn.execute(
        "SELECT ref, MAX(seq) FROM journal WHERE ref IS NOT NULL AND kind IN ('attempt', {}) GROUP BY ref".format(
            ", ".join(f"'{k}'" for k in sorted(replay.PATCHES))
        )
    ):
        last_of[ref] = last
    run: list[tuple[int, str, int, str, int | None]] = []
    cut, needed = 0, 0
    for seq, h, at_ms, kind, ref in conn.execute("SELECT seq, hash, at_ms, kind, ref FROM journal ORDER BY seq"):
        if at_ms >= before_ms:
            break
        run.append((seq, h, at_ms, kind, ref))
        if kind == "attempt":
            needed = max(needed, last_of.get(ref, seq))
        if needed <= seq:
            cut = len(run)
    del run[cut:]
    return run, {ref for _, _, _, kind, ref in run if kind == "attempt"}


def preview(conn: sqlite3.Connection, before_ms: int) -> Preview:
    """How many entries and attempts `purge(conn, before_ms)` would remove (nothing is changed)."""
    run, refs = _prefix(conn, before_ms)
    if not run:
        return Preview(0, 0, None, None, None)
    return Preview(len(run), len(refs), min(r[2] for r in run), max(r[2] for r in run), run[-1][0])


def _totals(conn: sqlite3.Connection, refs: set[int]) -> dict[str, dict[str, object]]:
    totals: dict[str, dict[str, object]] = {}
    spent: dict[str, Decimal] = {}
    for child, decision, outcome, amount, currency in conn.execute(
        "SELECT child, decision, outcome, amount, currency FROM attempts WHERE id IN (SELECT value FROM json_each(?))",
        (journal.canonical(sorted(refs)),),
    ):
        key = child or "(unknown device)"
        t = totals.setdefault(key, {"attempts": 0, "allowed": 0, "currency": currency})
        t["attempts"] += 1
        if decision == "allowed":
            t["allowed"] += 1
            if outcome in ("pending", "accepted") and amount is not None:
                spent[key] = spent.get(key, Decimal(0)) + Decimal(amount)
    for key, t in totals.items():
        t["spent"] = format_amount(spent.get(key, Decimal(0)))
    return totals


def _restate(conn: sqlite3.Connection, first_seq: int, last_seq: int, at_ms: int) -> None:
    """Restate every row (but attempts) that entries first_seq..last_seq describe: they are about to go."""
    gone = replay.Replay()
    for seq, entry_ms, kind, ref, body in conn.execute(
        "SELECT seq, at_ms, kind, ref, body FROM journal WHERE seq BETWEEN ? AND ? ORDER BY seq", (first_seq, last_seq)
    ).fetchall():
        gone.entry(seq, entry_ms, kind, ref, json.loads(body))  # the record verified just now: every body reads
    touched = gone.touched()
    for table in sorted({t for t, _ in touched}):
        rows = records.rows(conn, table)
        for key in sorted(k for t, k in touched if t == table):
            if key in rows:
                journal.restate(conn, table, key, rows[key], at_ms)


def purge(conn: sqlite3.Connection, before_ms: int, *, now_ms: int | None = None) -> Checkpoint | None:
    """Remove attempts and journal entries older than `before_ms`, after checkpointing them.

    Returns the checkpoint written, or None when there was nothing to purge.
    Raises PurgeRefused when the record does not verify.
    """
    at_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    with db.transaction(conn):
        report = verify.verify(conn)
        if not report.intact:
            raise PurgeRefused(f"the record does not verify, so nothing was purged: {report.why()}")
        run, refs = _prefix(conn, before_ms)
        if not run:
            return None
        body = {
            "before_ms": before_ms,
            "first_seq": run[0][0],
            "last_seq": run[-1][0],
            "last_hash": run[-1][1],
            "entries": len(run),
            "attempts": len(refs),
            "first_at_ms": min(r[2] for r in run),
            "last_at_ms": max(r[2] for r in run),
            "totals": journal.canonical(_totals(conn, refs)),
            "purged_digest": hashlib.sha256("\n".join(r[1] for r in run).encode()).hexdigest(),
            "at_ms": at_ms,
        }
        cur = conn.execute(
            f"INSERT INTO checkpoints ({', '.join(body)}) VALUES ({', '.join('?' * len(body))})", tuple(body.values())
        )
        # Appended before the delete, so it follows the current head even when every entry is purged.
        journal.append(conn, "checkpoint", cur.lastrowid, body, at_ms)
        _restate(conn, run[0][0], run[-1][0], at_ms)
        conn.execute(
            "DELETE FROM attempts WHERE id IN (SELECT value FROM json_each(?))", (journal.canonical(sorted(refs)),)
        )
        conn.execute("DELETE FROM journal WHERE seq <= ?", (run[-1][0],))
    return Checkpoint(id=cur.lastrowid, **body)
