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
