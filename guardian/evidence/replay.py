"""What every journaled table must hold, replayed from the journal.

Each kind of entry sets or updates one row (or, for a gift list, several):

    attempt             attempts[ref] = body          outcome           attempts[ref] |= body
    checkpoint          checkpoints[ref] = body
    approval-asked      approvals[ref] = body, pending, undecided
    approval-decided    approvals[ref] |= state, over_cap, decided_by/via, decided_ms = the entry's time
    approval-used       approvals[ref] |= used, used_attempt, used_ms = the entry's time
    override            overrides[ref] = body         override-cleared  overrides[ref] |= body
    limit-change        changes[ref] = the entry's time, what, author (by), detail (the rest of the body)
    gift-prices         gift_prices[app, gift] = price, learned_ms = the entry's time, for each price
    device              devices[device] = child, action, at_ms = the entry's time
    row-state           <table>[key] = row  (a whole row restated: at the switch to the keyed chain, or
                                            before a purge removes the row's earlier entries)

An update of a row the journal never set is reported, unless a later
``row-state`` restates that row (its earlier entries were purged).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guardian.evidence.problems import INSERTED, Problem
from guardian.store import records

# The journal kinds whose entries update an attempts row recorded earlier (retention keeps them together).
PATCHES = frozenset({"outcome"})
RESTATABLE = frozenset(records.KEYS) - {"attempts", "checkpoints"}
_UNDECIDED = {
    "state": "pending",
    "over_cap": 0,
    "decided_by": None,
    "decided_via": None,
    "decided_ms": None,
    "used_attempt": None,
    "used_ms": None,
}


@dataclass
class Replay:
    expected: dict[str, dict[records.Key, dict]] = field(default_factory=lambda: {t: {} for t in records.KEYS})
    # where each row was (last) set
    seqs: dict[str, dict[records.Key, int]] = field(default_factory=lambda: {t: {} for t in records.KEYS})
    problems: list[Problem] = field(default_factory=list)
    _orphans: dict[tuple[str, records.Key], list[Problem]] = field(default_factory=dict)

    def entry(self, seq: int, at_ms: int, kind: str, ref: int | None, doc: dict) -> None:
        """Apply one entry (a JSON object); KeyError, TypeError or ValueError when its body is not that kind's."""
        if kind == "attempt":
            if ref in self.expected["attempts"]:
                first = self.seqs["attempts"][ref]
                self.problems.append(
                    Problem("journal", seq, INSERTED, f"a second record of attempt {ref} (first: seq {first})")
                )
            self._set("attempts", ref, doc, seq)
        elif kind in PATCHES:
            self._patch("attempts", ref, doc, seq, kind)
        elif kind == "checkpoint":
            self._set("checkpoints", ref, doc, seq)
        elif kind == "approval-asked":
            self._set("approvals", ref, {**doc, **_UNDECIDED}, seq)
        elif kind == "approval-decided":
            patch = {"state": doc["state"], "over_cap": int(bool(doc["over_cap"])), "decided_by": doc["by"]}
            self._patch("approvals", ref, {**patch, "decided_via": doc["via"], "decided_ms": at_ms}, seq, kind)
        elif kind == "approval-used":
            patch = {"state": "used", "used_attempt": doc["attempt_id"], "used_ms": at_ms}
            self._patch("approvals", ref, patch, seq, kind)
        elif kind == "override":
            self._set("overrides", ref, doc, seq)
        elif kind == "override-cleared":
            self._patch("overrides", ref, {"cleared_ms": doc["cleared_ms"]}, seq, kind)
        elif kind == "limit-change":
            detail = {k: v for k, v in doc.items() if k not in ("what", "by")}
            row = {"at_ms": at_ms, "what": doc["what"], "detail": detail, "author": doc.get("by")}
            self._set("changes", ref, row, seq)
        elif kind == "gift-prices":
            for gift, price in doc["prices"].items():
                self._set("gift_prices", (str(doc["app"]), str(gift)), {"price": price, "learned_ms": at_ms}, seq)
        elif kind == "device":
            self._set("devices", doc["device"], {"child": doc["child"], "action": doc["action"], "at_ms": at_ms}, seq)
        elif kind == "row-state":
            table = doc["table"]
            if table not in RESTATABLE or not isinstance(doc["row"], dict):
                raise ValueError(f"a row-state for {table!r}")
            key = records.key(table, doc["key"])
            self._orphans.pop((table, key), None)  # its earlier entries were purged: this row's record starts here
            self._set(table, key, doc["row"], seq)

    def touched(self) -> set[tuple[str, records.Key]]:
        """The rows of restatable tables (not attempts) that these entries set or updated."""
        found = {(t, k) for t in RESTATABLE for k in self.seqs[t]}
        return found | {(t, k) for t, k in self._orphans if t in RESTATABLE}

    def finish(self) -> list[Problem]:
        """The problems found while replaying (the tables are compared by the caller)."""
        return self.problems + [p for found in self._orphans.values() for p in found]

    def _set(self, table: str, key: records.Key | None, row: dict, seq: int) -> None:
        if key is None:
            raise ValueError("an entry without its row's key")
        self.expected[table][key] = row
        self.seqs[table][key] = seq

    def _patch(self, table: str, key: records.Key | None, patch: dict, seq: int, kind: str) -> None:
        if key in self.expected[table]:
            self.expected[table][key] = {**self.expected[table][key], **patch}
            return
        what = f"{kind} for {table} {records.show(key)}, which the journal never recorded"
        self._orphans.setdefault((table, key), []).append(Problem("journal", seq, INSERTED, what))
