"""Turning a request into a purchase: which rule, how much, to whom.

Three outcomes for a request that matches a payment rule:
- priced: the amount was read and converted to household money;
- unknown amount: the endpoint does not carry one (a YouTube checkout, a Stripe
  confirm, a gift whose price is not known yet) -- the child's `unknown_amount`
  setting decides;
- unreadable: it should carry one but it is missing, malformed, ambiguous or
  cannot be converted (no rate) -- always refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from guardian.catalog import huya
from guardian.catalog.fields import DocFields, Fields, Unreadable
from guardian.catalog.index import Catalog
from guardian.catalog.model import Rule
from guardian.catalog.request import Request, normalize_path
from guardian.catalog.tars import TarsError
from guardian.household.config import Household
from guardian.household.money import ABSURD, Money, parse_amount

MAX_RECIPIENT = 64
MAX_OPERATIONS = 100  # a GraphQL batch longer than this is refused as unreadable
# C0 and C1 controls, line separators, and every Unicode Bidi_Control character.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CODE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, slots=True)
class Purchase:
    app: str
    kind: str
    rule: str
    amount: Decimal | None  # in the app's units; None when unreadable or unknown
    unit: str
    money: Money | None  # in household money; None when unreadable or unknown
    recipient: str | None = None
    problem: str | None = None  # why the amount could not be read, or why it is unknown
    unknown: bool = False  # the endpoint does not carry an amount (a policy choice, not an error)
    # Derived detail for rule authors (`guardian detect`), left out of equality.
    currency: str | None = field(default=None, compare=False)  # the currency `value` is in
    value: Decimal | None = field(default=None, compare=False)  # the amount in `currency`
    operations: tuple[str, ...] = field(default=(), compare=False)  # GraphQL operation names that matched

    @property
    def readable(self) -> bool:
        return self.money is not None

    @property
    def status(self) -> str:
        return "priced" if self.money is not None else "unknown" if self.unknown else "unreadable"


class Prices(Protocol):
    def price(self, app: str, gift_id: str) -> Decimal | None: ...


class _Unknown(Exception):
    """The amount is not in the request: a purchase of unknown amount."""


def clean_text(value: object, limit: int = MAX_RECIPIENT) -> str | None:
    """Attacker-controlled text made safe to store: no control or bidi characters, bounded."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = _CONTROL.sub("", str(value)).strip()
    return text[:limit] or None


def _method_matches(rule: Rule, request: Request) -> bool:
    return request.method in rule.methods or (request.method_override or "").upper() in rule.methods


class NoRate(Unreadable):
    """The amount was read, but it is in a currency the household has no rate for."""


def to_household(value: Decimal, currency: str, household: Household) -> Money:
    if currency != household.currency:
        rate = household.rates.get(currency)
        if rate is None:
            raise NoRate(f"no rate for {currency} in household.rates, so no household amount can be given")
        value *= rate
    if value > ABSURD:
        raise Unreadable("the amount is absurdly large")
    return Money(value, household.currency)


def _number(fields: Fields | DocFields, name: str) -> Decimal:
    values = fields.get_all(name) if "*" in name else [fields.get(name)]
    if not values or values == [None]:
        raise Unreadable(f"the field {name!r} is missing")
    total = Decimal(0)
    for raw in values:
        try:
            total += parse_amount(raw)
        except ValueError as e:
            raise Unreadable(f"the field {name!r}: {e}") from None
    return total


def _currency(rule: Rule, fields: Fields | DocFields, app_currency: str) -> str:
    if rule.currency_field is None:
        return rule.currency or app_currency
    values = fields.get_all(rule.currency_field)
    if not values and rule.currency is not None:
        return rule.currency  # the field is optional and this is the server's default (PayPal's USD)
    found = {str(v).strip().upper() for v in values}
    if len(found) != 1:
        raise Unreadable(f"the currency field {rule.currency_field!r} is missing or holds several currencies")
    code = found.pop()
    if not _CODE.match(code):
        raise Unreadable(f"the currency {code[:12]!r} is not a currency code")
    return code


def _price(rule: Rule, fields: Fields | DocFields, catalog: Catalog, prices: Prices | None) -> Decimal:
    """The amount in the rule's unit; _Unknown when the request does not carry it."""
    if rule.unknown_amount:
        raise _Unknown("this endpoint does not carry an amount")
    total = Decimal(1)
    for name in rule.amount:
        total *= _number(fields, name)
    if rule.quantity is not None and fields.get(rule.quantity) is not None:
        total *= _number(fields, rule.quantity)
    unit_price = None
    if rule.price is not None and (rule.gift_id is None or fields.get(rule.price) is not None):
        unit_price = _number(fields, rule.price)  # beside a gift id the price may be left out: the book has it
    if rule.gift_id is not None:
        gift = clean_text(fields.get(rule.gift_id))
        if gift is None and unit_price is None:
            raise Unreadable(f"the gift id field {rule.gift_id!r} is missing")
        book = None
        if gift is not None:
            book = prices.price(rule.app, gift) if prices is not None else catalog.apps[rule.app].prices.get(gift)
        if book is not None:
            unit_price = book if unit_price is None else max(book, unit_price)
        elif unit_price == 0:
            # Only a gift list (or the shipped table) may say a gift is free: a price of 0 in the request would
            # otherwise let any gift through uncounted before the list is seen.
            raise _Unknown(f"gift {gift!r} says it costs nothing, but no gift list confirms it")
        if unit_price is None:
            raise _Unknown(f"the price of gift {gift!r} is not known (no gift list seen yet)")
    if unit_price is not None:
        total *= unit_price
    if total > ABSURD:
        raise Unreadable("the amount is absurdly large")
    return total


def _one(
    rule: Rule, fields: Fields | DocFields, catalog: Catalog, household: Household, prices: Prices | None
) -> Purchase:
    recipient = next((clean_text(fields.get(r)) for r in rule.recipient if fields.get(r) is not None), None)
    try:
        amount = _price(rule, fields, catalog, prices)
        currency = _currency(rule, fields, catalog.apps[rule.app].currency)
        value = amount / rule.per_currency
        money = to_household(value, currency, household)
    except _Unknown as e:
        return Purchase(rule.app, rule.kind, rule.id, None, rule.unit, None, recipient, str(e), unknown=True)
    except NoRate as e:  # unreadable all the same, but what was read is kept for the rule author (`guardian detect`)
        return Purchase(
            rule.app, rule.kind, rule.id, amount, rule.unit, None, recipient, str(e), False, currency, value
        )
    return Purchase(rule.app, rule.kind, rule.id, amount, rule.unit, money, recipient, currency=currency, value=value)


def _when(rule: Rule, fields: Fields | DocFields) -> bool:
    return all(str(fields.get(k)) in values for k, values in rule.when)


def _applies(rule: Rule, fields: Fields | DocFields) -> bool | None:
    """True: a purchase; False: this rule does not apply; None: a free variant (not a purchase)."""
    if not _when(rule, fields):
        return False
    if rule.requires is not None and fields.get(rule.requires) is None:
        return False
    if any(str(fields.get(k)) in free for k, free in rule.free_when):
        return None
    return True


_GQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


def _unnamed_operation(op: dict, rules: list[Rule]) -> str | None:
    """Without an operationName a GraphQL server runs the document's only operation, named or not: a name in
    the query text that a rule names (the operation's or its field's, e.g. `mutation { sendTokenGift }`) counts."""
    query = op.get("query")
    if not isinstance(query, str):
        return None
    for token in _GQL_NAME.findall(query):
        lowered = token.lower()
        if any(_names_operation(rule, lowered) for rule in rules):
            return token
    return None


def _names_operation(rule: Rule, lowered: str) -> bool:
    return any(p.fullmatch(lowered) for p in rule.operations) and not any(
        p.fullmatch(lowered) for p in rule.not_operations
    )


def _graphql(
    rules: list[Rule], fields: Fields, catalog: Catalog, household: Household, prices: Prices | None
) -> Purchase | None:
    """Every operation of a (batched) GraphQL body that a rule names counts; they make one purchase together."""
    items = fields.json_items()
    if len(items) > MAX_OPERATIONS:
        raise Unreadable(f"a GraphQL batch of more than {MAX_OPERATIONS} operations")
    found: list[tuple[str, Purchase]] = []
    for op in items:
        name = op.get("operationName") if isinstance(op, dict) else None
        if not isinstance(name, str):
            name = _unnamed_operation(op, rules) if isinstance(op, dict) else None
            if name is None:
                continue
        lowered = name.lower()
        for rule in rules:
            if _names_operation(rule, lowered):
                doc = DocFields(op)
                applies = _applies(rule, doc)
                if applies:
                    found.append((clean_text(name) or "?", _one(rule, doc, catalog, household, prices)))
                if applies is not False:
                    break
    if not found:
        return None
    # An operation that cannot be read raised Unreadable above: the whole batch is unreadable.
    names = tuple(n for n, _ in found)
    first = found[0][1]
    parts = [p for _, p in found]
    recipient = next((p.recipient for p in parts if p.recipient), None)
    unknown = next((p for p in parts if p.unknown), None)
    if unknown is not None:
        problem = f"{unknown.problem} ({', '.join(names)})"
        return Purchase(
            first.app, first.kind, first.rule, None, first.unit, None, recipient, problem, True, operations=names
        )
    same = len({(p.unit, p.currency) for p in parts}) == 1
    amount = sum((p.amount for p in parts), Decimal(0)) if same else None
    value = sum((p.value for p in parts), Decimal(0)) if same else None
    currency = first.currency if same else None
    unpriced = next((p for p in parts if p.money is None), None)  # read, but without a rate
    if unpriced is not None:
        problem = f"{unpriced.problem} ({', '.join(names)})"
        return Purchase(
            first.app, first.kind, first.rule, amount, first.unit, None, recipient, problem, False, currency, value,
            names,
        )  # fmt: skip
    money = parts[0].money
    for p in parts[1:]:
        money = money + p.money
    return Purchase(
        first.app, first.kind, first.rule, amount, first.unit, money, recipient, None, False, currency, value, names
    )


def detect(catalog: Catalog, household: Household, request: Request, prices: Prices | None = None) -> Purchase | None:
    """The purchase this request would make, or None for anything else.

    A request that matches a payment endpoint but cannot be priced is still a
    Purchase, with `money` None and `problem` saying why: it fails closed.
    """
    rules = (
        catalog.rules_matching(request.host, normalize_path(request.path)) if catalog.has_rules(request.host) else []
    )
    rules = [r for r in rules if _method_matches(r, request)]
    if not rules:
        return None
    rule = rules[0]
    try:
        if rule.message == "huya-wup":
            return _wup(rules, request, catalog, household, prices)
        fields = Fields(request)
        graph = [r for r in rules if r.operations]
        if graph:
            found = _graphql(graph, fields, catalog, household, prices)
            if found is not None:
                return found
        plain = [r for r in rules if not r.operations]
        return plain_purchase(plain, fields, catalog, household, prices) if plain else None
    except Unreadable as e:
        problem = str(e)
    return Purchase(rule.app, rule.kind, rule.id, None, rule.unit, None, None, problem)


def _wup(
    rules: list[Rule], request: Request, catalog: Catalog, household: Household, prices: Prices | None
) -> Purchase | None:
    """A Huya WUP call posted over HTTP: read as the same document as on the WebSocket (guardian.catalog.huya)."""
    if request.body is None:
        raise Unreadable("the body could not be read (too large or badly encoded)")
    try:
        doc = huya.decode_packet(request.body)
    except TarsError as e:
        raise Unreadable(f"the call could not be read: {e}") from None
    return plain_purchase([r for r in rules if r.message == "huya-wup"], DocFields(doc), catalog, household, prices)


def plain_purchase(
    rules: list[Rule], fields: Fields | DocFields, catalog: Catalog, household: Household, prices: Prices | None
) -> Purchase | None:
    """The purchase the first applicable rule makes of these fields (a request's, or a decoded message's), or None.

    Fails closed: fields that cannot be read, or that carry more than one way to pay, are an unreadable purchase.
    """
    rule = rules[0]
    try:
        # Only where two rules name different `requires` fields can a request carry two ways to pay.
        ways = [r for r in rules if r.requires is not None] if len(rules) > 1 else ()
        present = [r.requires for r in ways if fields.get(r.requires) is not None and _when(r, fields)]
        if len(set(present)) > 1:
            # e.g. createOrder with pay_gold=0 and pay_bp=100000: pricing the first would under-count.
            raise Unreadable(f"the request carries more than one way to pay ({', '.join(present)})")
        required = False
        for rule in rules:
            applies = _applies(rule, fields)
            if applies is None:
                return None
            if applies:
                found = _one(rule, fields, catalog, household, prices)
                # Nothing to pay is not a purchase: a gift the price table lists at zero (Douyu's glow stick), a free
                # Roblox item (expectedPrice 0). A request's own zero gift price is not believed (see _price).
                return None if found.amount == 0 else found
            required = required or (rule.requires is not None and not rule.when)
        if not required:
            return None
        problem = "none of the amount fields this endpoint uses is present"
    except Unreadable as e:
        problem = str(e)
    return Purchase(rule.app, rule.kind, rule.id, None, rule.unit, None, None, problem)
