"""Learned gift prices, kept so a restarted proxy knows them before the app downloads its list again.

Parsing a gift list and the in-memory `PriceBook` are in guardian.catalog.gifts.
A price decides whether a gift fits under a cap, so each new or changed price
is journaled (kind ``gift-prices``, one entry per list) with the rows it
writes; a list seen again with the same prices writes nothing.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal

from guardian.catalog.gifts import PriceBook
from guardian.store import db, journal

KIND = "gift-prices"


def load(conn: sqlite3.Connection, book: PriceBook) -> None:
    """Teach `book` every stored price, oldest first, so the newest price of a gift wins."""
    by_app: dict[str, dict[str, Decimal]] = {}
    for app, gift_id, price in conn.execute("SELECT app, gift_id, price FROM gift_prices ORDER BY learned_ms"):
        by_app.setdefault(app, {})[gift_id] = Decimal(price)
    for app, prices in by_app.items():
        book.learn(app, prices)


def save(conn: sqlite3.Connection, app: str, prices: dict[str, Decimal], at_ms: int) -> int:
    """Store the prices that are new or changed, and journal them; returns how many."""
    with db.transaction(conn):
        known = dict(conn.execute("SELECT gift_id, price FROM gift_prices WHERE app = ?", (app,)).fetchall())
        changed = {str(g): str(p) for g, p in prices.items() if known.get(str(g)) != str(p)}
        if not changed:
            return 0
        conn.executemany(
            """INSERT INTO gift_prices (app, gift_id, price, learned_ms) VALUES (?, ?, ?, ?)
               ON CONFLICT (app, gift_id) DO UPDATE SET price = excluded.price, learned_ms = excluded.learned_ms""",
            [(app, gift_id, price, at_ms) for gift_id, price in changed.items()],
        )
        journal.append(conn, KIND, None, {"app": app, "prices": changed}, at_ms)
    return len(changed)


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many gift prices were learned for each app."""
    return dict(conn.execute("SELECT app, COUNT(*) FROM gift_prices GROUP BY app").fetchall())
