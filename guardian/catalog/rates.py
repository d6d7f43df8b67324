"""Starting exchange rates for the units apps price in, which the dashboard offers and a parent confirms.

Guardian never fetches rates: a purchase in a unit without a rate is refused
as unreadable. These are rough retail prices (US dollars per unit, 2025),
converted into the household's currency through the same table and rounded
to two significant digits; the parent checks them and saves them, or types
better ones.
"""

from __future__ import annotations

from decimal import Decimal

from guardian.catalog.index import Catalog
from guardian.words import N_

USD_PER_UNIT = {
    "USD": Decimal("1"),
    "EUR": Decimal("1.08"),
    "GBP": Decimal("1.27"),
    "CNY": Decimal("0.138"),
    "HKD": Decimal("0.128"),
    "TWD": Decimal("0.031"),
    "JPY": Decimal("0.0066"),
    "KRW": Decimal("0.00072"),
    "SGD": Decimal("0.74"),
    "CAD": Decimal("0.73"),
    "AUD": Decimal("0.65"),
    "ROBUX": Decimal("0.0125"),  # 80 Robux for 0.99 USD
    "BITS": Decimal("0.014"),  # 100 Bits for 1.40 USD
    "TIKTOK_COINS": Decimal("0.0141"),  # 70 coins for 0.99 USD
}

# What each unit is, for the parent who confirms its rate (translated where it is shown).
EXPLAIN = {
    "USD": N_("US dollars: PayPal and Steam purchases priced in dollars"),
    "EUR": N_("euros: PayPal and Steam purchases priced in euros"),
    "GBP": N_("pounds: PayPal and Steam purchases priced in pounds"),
    "CNY": N_("Chinese yuan: the Chinese apps' coins and gifts"),
    "ROBUX": N_("Roblox's Robux: 80 cost about 0.99 USD"),
    "BITS": N_("Twitch Bits (cheers): 100 cost about 1.40 USD"),
    "TIKTOK_COINS": N_("TikTok LIVE coins (gifts): 70 cost about 0.99 USD"),
}


def suggested(unit: str, household: str) -> Decimal | None:
    """A starting rate: household money per `unit`, or None when either is not in the table."""
    if unit == household or unit not in USD_PER_UNIT or household not in USD_PER_UNIT:
        return None
    rate = USD_PER_UNIT[unit] / USD_PER_UNIT[household]
    return Decimal(f"{rate:.2g}").normalize()


def units(catalog: Catalog, household: str, rates: dict[str, Decimal]) -> list[tuple[str, list[str]]]:
    """The units a rate may be needed for, with the apps priced in each: the catalog's fixed units, US dollars
    (PayPal and Steam carry the currency in the request), and any unit that already has a rate."""
    found = {code: list(apps) for code, apps in catalog.currencies().items()}
    found.setdefault("USD", [])
    for app in catalog.apps.values():
        if app.currency == "USD" and any(r.currency_field is not None for r in app.rules):
            found["USD"].append(app.id)
    for code in rates:
        found.setdefault(code, [])
    return sorted(((code, apps) for code, apps in found.items() if code != household), key=lambda kv: kv[0])
