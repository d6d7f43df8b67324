"""Tamper evidence: check the journal's keyed chain, every journaled table against it, and the anchor.

The journal (guardian.store.journal) is the record; the journaled tables
(attempts, approvals, overrides, changes, gift prices, devices, checkpoints:
guardian.store.records) are views of it that the rest of Guardian reads.
`verify` walks the chain from its start (the genesis, or the latest retention
checkpoint), checking each entry's link and its HMAC with the chain key
(plain SHA-256 before the chain became keyed), replays it
(guardian.evidence.replay) and compares every table row with what the
journal says it must hold, and every journal record with its row. Last, the
anchor (the head file beside the ledger, written after each commit) must
still name an entry of this record with the same hash: a chain cut short
(the newest attempts and their entries deleted) or recomputed throughout
fails here though it links up.

What it cannot see: an administrator (or the service account) holds the key
and the head file, and can rewrite both; only a head digest copied outside
this computer (the parent's notifications and weekly summaries, exports)
shows that, with ``guardian verify --head``.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from guardian import words
from guardian.evidence.chain import Chain, other_key
from guardian.evidence.problems import DELETED, EDITED, INSERTED, REBUILT, REORDERED, TRUNCATED, Problem, sort_key
from guardian.evidence.replay import Replay
from guardian.store import anchor, chainkey, db, journal, records
from guardian.words import Words

MAX_PROBLEMS = 50
ENGLISH = words.of("en")


@dataclass(frozen=True, slots=True)
class Report:
    head: str
    head_seq: int | None
    entries: int
    attempts: int
    checkpoints: int
    problems: list[Problem] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # the other journaled tables: rows checked
    unauthenticated: int = 0  # keyed entries whose HMAC could not be checked: the chain key is unreadable here
    key_path: Path | None = None
    anchored: anchor.Anchor | None = None
    keyed: bool = True  # False: a ledger from before the chain key, checked as plain SHA-256

    @property
    def intact(self) -> bool:
        return not self.problems and not self.unauthenticated

    def why(self, _: Words = ENGLISH) -> str:
        """The first reason the record does not verify ("" when it does); a problem is named in English."""
        if self.problems:
            return str(self.problems[0])
        if self.unauthenticated:
            return _(
                "%(count)s entries are keyed and the chain key (%(path)s) cannot be read by this account, so only "
                "their order was checked",
                count=self.unauthenticated,
                path=self.key_path,
            )
        return ""

    def summary(self, _: Words = ENGLISH) -> str:
        """What `guardian verify` prints, in `_`'s language."""
        if not self.intact:
            if not self.problems:
                return _("NOT verified: %(reason)s.", reason=self.why(_))
            found = _("NOT intact: %(problem)s", problem=self.why(_))
            if self.keyed:
                return found
            return (
                found
                + "\n"
                + _("(There is no chain key at %(path)s: a keyed chain cannot be checked.)", path=self.key_path)
            )
        lines = [
            _(
                "Intact: %(entries)s journal entries, %(attempts)s attempts, %(checkpoints)s checkpoints.\n"
                "Head digest: %(head)s (seq %(seq)s)",
                entries=self.entries,
                attempts=self.attempts,
                checkpoints=self.checkpoints,
                head=self.head,
                seq=self.head_seq or 0,
            )
        ]
        others = ", ".join(f"{table} {n}" for table, n in self.rows.items() if n)
        if others:
            lines.append(_("Also checked (rows): %(tables)s.", tables=others))
        if self.anchored is not None:
            lines.append(
                _("Anchored: the head file names seq %(seq)s, and the record still holds it.", seq=self.anchored.seq)
            )
        if not self.keyed:
            lines.append(_("Not keyed yet: written before Guardian kept a chain key; its next write switches to one."))
        return "\n".join(lines)


def verify(conn: sqlite3.Connection) -> Report:
    """Walk the chain, compare the tables with it, and check the anchor. Read-only."""
    ledger = chainkey.ledger_file(conn)
    problems: list[Problem] = []
    try:
        anchored = anchor.read(ledger)  # before the snapshot: the anchor never runs ahead of what it sees
    except ValueError as e:
        anchored = None
        problems.append(Problem("anchor", 0, EDITED, str(e)))
    key = chainkey.for_reading(ledger)
    missing = key is None and chainkey.missing(ledger)
    with db.snapshot(conn):  # a purchase recorded meanwhile is either wholly seen or not at all
        return _verify(conn, key, missing, chainkey.path_for(ledger), anchored, problems)


def _verify(
    conn: sqlite3.Connection,
    key: bytes | None,
    missing: bool,
    key_path: Path,
    anchored: anchor.Anchor | None,
    problems: list,
) -> Report:
    chain, replay = Chain(conn, key, missing), Replay()
    entries, head_seq = 0, None
    problems += other_key(conn, key, chain.switch)
    for seq, at_ms, kind, ref, body, stored_prev, h in conn.execute(
        "SELECT seq, at_ms, kind, ref, body, prev, hash FROM journal ORDER BY seq"
    ):
        entries += 1
        head_seq = seq
        broken = chain.check(seq, at_ms, kind, ref, body, stored_prev, h)
        if broken is not None:
            problems.append(broken)
        try:
            doc = json.loads(body)
            if not isinstance(doc, dict):
                raise ValueError(body)
            replay.entry(seq, at_ms, kind, ref, doc)
        except (ValueError, KeyError, TypeError, AttributeError):
            problems.append(Problem("journal", seq, EDITED, f"its body is not a {kind} record"))
    problems += replay.finish()
    # Before the switch to the keyed chain, locks, allowances and gift prices were not journaled.
    unchecked = () if chain.keyed else journal.NEWLY_JOURNALED
    tables = {table: records.rows(conn, table) for table in records.KEYS if table not in unchecked}
    for table, rows in tables.items():
        if table == "checkpoints":
            # Checkpoint entries older than the latest checkpoint may themselves have been purged.
            latest = max(rows, default=None)
            rows = {k: v for k, v in rows.items() if k in replay.expected[table] or k == latest}
        problems += _compare(table, replay.expected[table], replay.seqs[table], rows)
    problems += _anchor_problems(conn, anchored, head_seq)
    problems.sort(key=sort_key)
    others = {t: len(tables.get(t, ())) for t in records.KEYS if t not in ("attempts", "checkpoints")}
    return Report(
        journal.head(conn),
        head_seq,
        entries,
        len(replay.expected["attempts"]),
        len(tables["checkpoints"]),
        problems[:MAX_PROBLEMS],
        others,
        chain.unauthenticated,
        key_path,
        anchored,
        chain.keyed,
    )


def _differences(expected: dict, actual: dict) -> list[str]:
    return [
        f"{col}: the journal says {expected.get(col)!r}, the table says {value!r}"
        for col, value in actual.items()
        if expected.get(col) != value
    ]


def _moved(folded: dict, row: dict, own, searches: list[int]):
    """The key whose record this row holds; searched for the first few problems only (it scans every record)."""
    searches[0] += 1
    if searches[0] > 5:
        return None
    for other, expected in folded.items():
        if other != own and not _differences(expected, row):
            return other
    return None


def _name(key: records.Key) -> str:
    return f"id {key}" if isinstance(key, int) else records.show(key)


def _compare(table: str, folded: dict, seqs: dict, rows: dict) -> list[Problem]:
    problems, searches = [], [0]
    for key, row in rows.items():
        expected = folded.get(key)
        if expected is None:
            moved = _moved(folded, row, key, searches)
            what, detail = (
                (REORDERED, f"it holds the record of {_name(moved)}")
                if moved is not None
                else (INSERTED, "the journal has no record of it, or its record was deleted")
            )
            problems.append(Problem(table, key, what, detail))
            continue
        diffs = _differences(expected, row)
        if diffs:
            moved = _moved(folded, row, key, searches)
            if moved is not None:
                problems.append(Problem(table, key, REORDERED, f"it holds the record of {_name(moved)}"))
            else:
                problems.append(Problem(table, key, EDITED, "; ".join(diffs)))
    for key in folded.keys() - rows.keys():
        where = f" at seq {seqs[key]}" if key in seqs else ""
        problems.append(Problem(table, key, DELETED, f"the journal records it{where}"))
    return problems


def _anchor_problems(conn: sqlite3.Connection, anchored: anchor.Anchor | None, head_seq: int | None) -> list[Problem]:
    """The anchored entry must still be in the record with its hash, or purged by a checkpoint."""
    if anchored is None:
        return []
    when = datetime.fromtimestamp(anchored.at_ms / 1000, UTC).isoformat(timespec="seconds")
    row = conn.execute("SELECT hash FROM journal WHERE seq = ?", (anchored.seq,)).fetchone()
    if row is not None:
        if row[0] == anchored.hash:
            return []
        detail = (
            f"its hash is not the one the head file anchored ({anchored.hash[:16]}..., written {when}): "
            "the chain was recomputed, or cut short and written again"
        )
        return [Problem("journal", anchored.seq, REBUILT, detail)]
    if head_seq is None or anchored.seq > head_seq:
        detail = (
            f"the head file anchors seq {anchored.seq} (written {when}) but the record ends at seq {head_seq or 0}: "
            "the newest entries were deleted"
        )
        return [Problem("journal", anchored.seq, TRUNCATED, detail)]
    if anchor.purged(conn, anchored):
        return []
    return [Problem("journal", anchored.seq, DELETED, "the head file anchors it, and no checkpoint purged it")]


_HEX = re.compile(r"[0-9a-f]{16,64}")


def find_head(conn: sqlite3.Connection, digest: str) -> str:
    """Where a head digest copied earlier (from an export, a summary or a notification) sits in today's record.

    The digest may be shortened to its first 16 or more characters, as notifications print it. Found in an
    intact chain: nothing up to that entry was changed since the copy was made.
    """
    digest = digest.strip().lower()
    if not _HEX.fullmatch(digest):
        return f"NOT found: {digest!r} is not a head digest (16 to 64 characters 0-9 and a-f)"
    like = (digest + "%",) if len(digest) < 64 else (digest,)
    op = "LIKE" if len(digest) < 64 else "="
    row = conn.execute(f"SELECT seq, hash FROM journal WHERE hash {op} ? ORDER BY seq LIMIT 1", like).fetchone()
    if row is not None:
        return f"found: {row[1]} is journal seq {row[0]}; nothing up to it was changed since it was copied"
    if records.exists(conn, "checkpoints"):
        cp = conn.execute(
            f"SELECT id, last_seq FROM checkpoints WHERE last_hash {op} ? ORDER BY id LIMIT 1", like
        ).fetchone()
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
