"""Starting exchange rates: one for each unit the shipped apps price in, in the household's money."""

from __future__ import annotations

from decimal import Decimal

from guardian.catalog import rates
from guardian.catalog.index import Catalog


def test_every_unit_the_catalog_prices_in_has_a_starting_rate_and_a_word():
    catalog = Catalog.load()
    for household in ("CNY", "USD", "EUR"):
        for code, _ in rates.units(catalog, household, {}):
            assert rates.suggested(code, household) is not None, (code, household)
            assert code in rates.EXPLAIN


def test_units_name_their_apps_and_leave_out_the_households_money():
    catalog = Catalog.load()
    found = dict(rates.units(catalog, "CNY", {"GBP": Decimal("9.1")}))
    assert found == {
        "BITS": ["twitch"],
        "GBP": [],
        "ROBUX": ["roblox"],
        "TIKTOK_COINS": ["tiktok"],
        "USD": ["paypal", "steam"],
    }
    assert "USD" not in dict(rates.units(catalog, "USD", {}))


def test_suggested_rates_are_rounded_to_two_digits_in_the_households_money():
    assert rates.suggested("USD", "CNY") == Decimal("7.2")
    assert rates.suggested("ROBUX", "CNY") == Decimal("0.091")
    assert rates.suggested("BITS", "CNY") == Decimal("0.1")
    assert rates.suggested("TIKTOK_COINS", "USD") == Decimal("0.014")
    assert rates.suggested("USD", "USD") is None and rates.suggested("XYZ", "CNY") is None
    assert rates.suggested("ROBUX", "XYZ") is None
