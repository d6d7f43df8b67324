"""What `guardian verify` can find wrong with the record, named with its table and key."""

from __future__ import annotations

from dataclasses import dataclass

from guardian.store import records

EDITED, DELETED, INSERTED, REORDERED = "edited", "deleted", "inserted", "reordered"
TRUNCATED, REBUILT = "truncated", "rebuilt"  # found by the anchor: the newest entries cut off, or every hash redone


@dataclass(frozen=True, slots=True)
class Problem:
    table: str  # "journal", "anchor" (the head file) or a journaled table (guardian.store.records.KEYS)
    key: records.Key  # journal seq, or the row's key
    what: str  # edited, deleted, inserted, reordered, truncated or rebuilt
    detail: str

    def __str__(self) -> str:
        name = "seq " if self.table in ("journal", "anchor") else "id " if isinstance(self.key, int) else ""
        return f"{self.table} {name}{records.show(self.key)}: {self.what} ({self.detail})"


ORDER = {"anchor": 0, "checkpoints": 1, "journal": 2, "attempts": 3}  # the other tables after these


def sort_key(p: Problem) -> tuple:
    return ORDER.get(p.table, 4), p.table, p.key  # the keys of one table are all of one type
