"""The journaled tables: what identifies a row, and each row's content as the journal describes it.

Every row of these tables is written together with a journal entry, so the
journal alone can say what each row must hold (guardian.evidence.replay).
`rows` reads a table in the form that comparison uses: keyed by the columns
that identify a row, the rest as a dict, with `changes.detail` parsed from
its JSON text (the journal holds it as an object).
"""

from __future__ import annotations

import json
import sqlite3

# table -> the columns that identify one of its rows
KEYS: dict[str, tuple[str, ...]] = {
    "attempts": ("id",),
    "checkpoints": ("id",),
    "approvals": ("id",),
    "overrides": ("id",),
    "changes": ("id",),
    "gift_prices": ("app", "gift_id"),
    "devices": ("device",),
}

type Key = int | str | tuple[str, ...]


def key(table: str, value: object) -> Key:
    """A row's key as kept in memory: the single column's value, or a tuple (a JSON list in the journal)."""
    if len(KEYS[table]) > 1:
        if not isinstance(value, list | tuple) or len(value) != len(KEYS[table]):
            raise ValueError(f"a {table} key has {len(KEYS[table])} parts, got {value!r}")
        return tuple(str(v) for v in value)
    if not isinstance(value, int | str) or isinstance(value, bool):
        raise ValueError(f"a {table} key is a number or a text, got {value!r}")
    return value


def show(k: Key) -> str:
    return "/".join(k) if isinstance(k, tuple) else str(k)


def exists(conn: sqlite3.Connection, table: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone() is not None
    )


def rows(conn: sqlite3.Connection, table: str, where: str = "", args: tuple = ()) -> dict[Key, dict]:
    """Every row of `table` (or those matching `where`): key -> the other columns."""
    if table not in KEYS:
        raise ValueError(f"{table} is not a journaled table")
    if not exists(conn, table):
        return {}
    keys = KEYS[table]
    cur = conn.execute(f"SELECT * FROM {table} {where} ORDER BY {', '.join(keys)}", args)  # noqa: S608 (fixed names)
    names = [d[0] for d in cur.description]
    found = {}
    for values in cur:
        row = dict(zip(names, values, strict=True))
        k = tuple(str(row.pop(c)) for c in keys) if len(keys) > 1 else row.pop(keys[0])
        if table == "changes":
            row["detail"] = _parsed(row["detail"])
        found[k] = row
    return found


def _parsed(text: object) -> object:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return text  # not JSON: it will not match the journal, and is reported
