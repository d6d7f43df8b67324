"""Unrecognised purchases: requests to a known app that look like payments but match no rule.

They are recorded (never refused) so that the parent sees them and the catalog
can grow. Bounded twice: one note per (host, path shape) per process, and at
most `MAX_ROWS` rows in the table. Path segments that look like ids become
``{id}`` so a client that puts order numbers in paths makes one row, not many.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from guardian.catalog.request import Request, normalize_path

MAX_ROWS = 1000
MAX_SEEN = 4096
_WORDS = re.compile(r"pay|order|gift|recharge|purchase|checkout|buy|donat|wallet|deposit|billing|subscri|cashier|topup|redeem|cheer|coin")
_ID = re.compile(r"^(?=.*\d)[0-9a-z_-]{6,}$|^\d+$|^[0-9a-f-]{16,}$")
METHODS = frozenset({"POST", "PUT", "PATCH"})

SCHEMA = """
CREATE TABLE IF NOT EXISTS unrecognised (
    host TEXT NOT NULL,
    path TEXT NOT NULL,
    app TEXT NOT NULL,
    method TEXT NOT NULL,
    first_ms INTEGER NOT NULL,
    last_ms INTEGER NOT NULL,
    hits INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (host, path)
);
"""


@dataclass(frozen=True, slots=True)
class Unrecognised:
    host: str
    path: str
    app: str
    method: str
    first_ms: int
    last_ms: int
    hits: int


def shape(path: str) -> str:
    """The path with id-like segments replaced by {id}, bounded in length."""
    parts = ["{id}" if _ID.match(p) else p[:48] for p in normalize_path(path).split("/")]
    return "/".join(parts)[:200] or "/"


def looks_like_purchase(request: Request) -> str | None:
    """The path shape to record when the request looks like a payment, else None."""
    if request.method not in METHODS and (request.method_override or "").upper() not in METHODS:
        return None
    path = request.path.lower()
    if not _WORDS.search(path):
        return None
    return shape(path)


class Seen:
    """Which (host, shape) pairs this process already noted; bounded."""

    def __init__(self) -> None:
        self._seen: set[tuple[str, str]] = set()

    def first(self, host: str, path: str) -> bool:
        key = (host, path)
        if key in self._seen or len(self._seen) >= MAX_SEEN:
            return False
        self._seen.add(key)
        return True


def record(conn: sqlite3.Connection, app: str, host: str, method: str, path: str, at_ms: int) -> None:
    conn.executescript(SCHEMA)
    host = host[:253]
    updated = conn.execute(
        "UPDATE unrecognised SET last_ms = ?, hits = hits + 1 WHERE host = ? AND path = ?", (at_ms, host, path)
    ).rowcount
    if not updated:
        conn.execute(
            """INSERT OR IGNORE INTO unrecognised (host, path, app, method, first_ms, last_ms)
               SELECT ?, ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM unrecognised) < ?""",
            (host, path, app, method[:10], at_ms, at_ms, MAX_ROWS),
        )


def recent(conn: sqlite3.Connection, limit: int = 100) -> list[Unrecognised]:
    conn.executescript(SCHEMA)
    rows = conn.execute(
        "SELECT host, path, app, method, first_ms, last_ms, hits FROM unrecognised ORDER BY last_ms DESC LIMIT ?", (limit,)
    )
    return [Unrecognised(*r) for r in rows]
