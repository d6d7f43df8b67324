"""Gift prices: parsing gift lists, the price book, and the gift_prices table."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from guardian.catalog import gifts
from guardian.catalog.detect import detect
from guardian.catalog.index import Catalog
from guardian.catalog.request import Request
from guardian.household.config import Household

CATALOG = Catalog.load()


def spec(app: str, n: int = 0):
    return CATALOG.apps[app].gift_lists[n]


def test_a_gift_list_gives_prices_and_free_gifts_cost_nothing():
    body = json.dumps({"data": {"gift": [
        {"id": "20001", "type": "2", "pc": 10000},
        {"id": "191", "type": "1", "pc": 100},
        {"id": "7", "type": "2", "pc": "lots"},
        {"id": {"x": 1}, "type": "2", "pc": 1},
        "junk",
    ]}}).encode()  # fmt: skip
    assert gifts.parse_gift_list(spec("douyu", 1), body) == {"20001": Decimal(10000), "191": Decimal(0)}


@pytest.mark.parametrize("body", [b"<html>", b'{"data": 1', b"x" * (gifts.MAX_LIST_BODY + 1)])
def test_what_is_not_a_gift_list_is_refused(body):
    with pytest.raises(ValueError):
        gifts.parse_gift_list(spec("douyin"), body)


def test_learned_prices_win_over_shipped_ones_and_are_bounded():
    book = gifts.PriceBook(CATALOG)
    assert book.price("douyu", "268") == Decimal(0)  # shipped
    book.learn("douyu", {"268": Decimal(5)})
    assert book.price("douyu", "268") == Decimal(5)
    book.learn("tiktok", {str(i): Decimal(1) for i in range(gifts.MAX_GIFTS + 50)})
    assert sum(1 for a, _ in book.learned if a == "tiktok") == gifts.MAX_GIFTS
    book.learn("tiktok", {"0": Decimal(9)})  # a known gift is still updated when the book is full
    assert book.price("tiktok", "0") == Decimal(9)


def test_detection_uses_the_book():
    book = gifts.PriceBook(CATALOG)
    req = Request(
        "10.0.0.2",
        None,
        "POST",
        "live.douyin.com",
        "/webcast/gift/send/",
        (),
        "application/x-www-form-urlencoded",
        b"gift_id=5&count=4",
    )
    assert detect(CATALOG, Household(), req, book).status == "unknown"
    book.learn("douyin", {"5": Decimal(10)})
    found = detect(CATALOG, Household(), req, book)
    assert (found.amount, found.money.amount, found.unit) == (Decimal(40), Decimal(4), "diamond")
