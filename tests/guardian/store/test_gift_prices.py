"""Learned gift prices in the gift_prices table."""

from __future__ import annotations

from decimal import Decimal

from guardian.catalog import gifts
from guardian.catalog.index import Catalog
from guardian.store import gift_prices
from guardian.store.db import connect

CATALOG = Catalog.load()


def test_prices_persist_in_the_table(tmp_path):
    conn = connect(tmp_path / "g.db")
    gift_prices.save(conn, "douyin", {"463": Decimal(1), "3389": Decimal(1200)}, 1000)
    gift_prices.save(conn, "douyin", {"463": Decimal(2)}, 2000)
    book = gifts.PriceBook(CATALOG)
    gift_prices.load(conn, book)
    assert (book.price("douyin", "463"), book.price("douyin", "3389")) == (Decimal(2), Decimal(1200))


def test_counts_per_app(tmp_path):
    conn = connect(tmp_path / "g.db")
    assert gift_prices.counts(conn) == {}
    gift_prices.save(conn, "douyin", {"463": Decimal(1), "3389": Decimal(1200)}, 1000)
    gift_prices.save(conn, "tiktok", {"5655": Decimal(1)}, 1000)
    assert gift_prices.counts(conn) == {"douyin": 2, "tiktok": 1}


def test_new_and_changed_prices_are_journaled_and_a_list_seen_again_writes_nothing(tmp_path):
    import json

    from guardian.evidence import verify

    conn = connect(tmp_path / "g.db")
    assert gift_prices.save(conn, "douyin", {"463": Decimal(1), "3389": Decimal(1200)}, 1000) == 2
    assert gift_prices.save(conn, "douyin", {"463": Decimal(1), "3389": Decimal(1200)}, 2000) == 0
    assert gift_prices.save(conn, "douyin", {"463": Decimal(2), "3389": Decimal(1200)}, 3000) == 1
    entries = conn.execute("SELECT kind, at_ms, body FROM journal ORDER BY seq").fetchall()
    assert [(k, at, json.loads(b)) for k, at, b in entries] == [
        ("gift-prices", 1000, {"app": "douyin", "prices": {"463": "1", "3389": "1200"}}),
        ("gift-prices", 3000, {"app": "douyin", "prices": {"463": "2"}}),
    ]
    assert conn.execute("SELECT gift_id, price, learned_ms FROM gift_prices ORDER BY gift_id").fetchall() == [
        ("3389", "1200", 1000),
        ("463", "2", 3000),
    ]
    assert verify.verify(conn).intact
    conn.close()
