"""Gift prices: learned from the gift lists the apps download, else the catalog's shipped table.

Most gift calls carry a gift id and a count, not a price. The proxy's response
hook hands the body of a known gift-list response (catalog ``[[gift_list]]``)
to `parse_gift_list` in a worker thread; the prices go to the `gift_prices`
table (guardian.store.gift_prices) and to the in-memory `PriceBook` that detection reads. A learned price
wins over the shipped one; a gift in neither is a purchase of unknown amount.
"""

from __future__ import annotations

from decimal import Decimal

from guardian.catalog import huya
from guardian.catalog.fields import DocFields, Unreadable, parse_json
from guardian.catalog.index import Catalog
from guardian.catalog.model import GiftList
from guardian.catalog.tars import TarsError
from guardian.household.money import parse_amount

MAX_LIST_BODY = 4 * 1024 * 1024  # gift lists with images' metadata run to a few hundred KiB
MAX_GIFTS = 5000  # per list, and per app in memory
MAX_ID = 64


def parse_gift_list(spec: GiftList, body: bytes) -> dict[str, Decimal]:
    """Gift id -> unit price from one gift-list response; ValueError when it is not one."""
    if len(body) > MAX_LIST_BODY:
        raise ValueError(f"the gift list is larger than {MAX_LIST_BODY} bytes")
    try:
        doc = huya.decode_packet(body, huya.ANSWER, MAX_LIST_BODY) if spec.message == "huya-wup" else parse_json(body)
    except (Unreadable, TarsError) as e:
        raise ValueError(str(e)) from None
    if any(str(DocFields(doc).get(k)) not in values for k, values in spec.when):
        raise ValueError("the answer is not a gift list")
    return gift_prices(spec, doc)


def gift_prices(spec: GiftList, doc: object) -> dict[str, Decimal]:
    """Gift id -> unit price from a decoded gift list (JSON, or a WebSocket message read into the same shape)."""
    found = DocFields(doc)
    items = [i for path in spec.items for i in found.get_all(path if path.endswith("*") else path + ".*")]
    prices: dict[str, Decimal] = {}
    for item in items[:MAX_GIFTS]:
        if not isinstance(item, dict):
            continue
        fields = DocFields(item)
        gift_id = fields.get(spec.id)
        raw = next((v for v in (fields.get(name) for name in spec.price) if v is not None), None)
        if gift_id is None or isinstance(gift_id, (dict, list, bool)) or len(str(gift_id)) > MAX_ID:
            continue
        if any(str(fields.get(k)) in free for k, free in spec.free_when):
            prices[str(gift_id)] = Decimal(0)
            continue
        try:
            prices[str(gift_id)] = parse_amount(raw)
        except ValueError:
            continue  # one odd entry does not spoil the list
    return prices


class PriceBook:
    """Learned prices in memory (read on the event loop, written from the worker thread)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.learned: dict[tuple[str, str], Decimal] = {}

    def price(self, app: str, gift_id: str) -> Decimal | None:
        found = self.learned.get((app, gift_id))
        if found is not None:
            return found
        shipped = self.catalog.apps.get(app)
        return None if shipped is None else shipped.prices.get(gift_id)

    def learn(self, app: str, prices: dict[str, Decimal]) -> None:
        room = MAX_GIFTS - sum(1 for a, _ in self.learned if a == app)
        for gift_id, price in prices.items():
            if (app, gift_id) in self.learned or room > 0:
                room -= (app, gift_id) not in self.learned
                self.learned[(app, gift_id)] = price
