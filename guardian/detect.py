"""Turning a request into a purchase: which rule, how much, to whom."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from guardian.catalog import Catalog, Rule
from guardian.config import Household
from guardian.fields import Fields, Unreadable
from guardian.money import ABSURD, Money, parse_amount
from guardian.request import Request, normalize_path

MAX_RECIPIENT = 64
# C0 and C1 controls, line separators, and every Unicode Bidi_Control character.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True, slots=True)
class Purchase:
    app: str
    kind: str
    rule: str
    amount: Decimal | None  # in the app's units; None when unreadable
    unit: str
    money: Money | None  # in household money; None when unreadable
    recipient: str | None = None
    problem: str | None = None  # why the amount could not be read

    @property
    def readable(self) -> bool:
        return self.money is not None


def clean_text(value: object, limit: int = MAX_RECIPIENT) -> str | None:
    """Attacker-controlled text made safe to store: no control or bidi characters, bounded."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = _CONTROL.sub("", str(value)).strip()
    return text[:limit] or None


def _method_matches(rule: Rule, request: Request) -> bool:
    return request.method in rule.methods or (request.method_override or "").upper() in rule.methods


def _to_household(amount: Decimal, rule: Rule, currency: str, household: Household) -> Money:
    value = amount / rule.per_currency
    if currency != household.currency:
        rate = household.rates.get(currency)
        if rate is None:
            raise Unreadable(f"no rate for {currency} in household.rates")
        value *= rate
    if value > ABSURD:
        raise Unreadable("the amount is absurdly large")
    return Money(value, household.currency)


def _price(rule: Rule, fields: Fields, currency: str, household: Household) -> tuple[Decimal, Money]:
    total = Decimal(1)
    for name in rule.amount:
        raw = fields.get(name)
        if raw is None:
            raise Unreadable(f"the field {name!r} is missing")
        try:
            total *= parse_amount(raw)
        except ValueError as e:
            raise Unreadable(f"the field {name!r}: {e}") from None
    if total > ABSURD:
        raise Unreadable("the amount is absurdly large")
    return total, _to_household(total, rule, currency, household)


def detect(catalog: Catalog, household: Household, request: Request) -> Purchase | None:
    """The purchase this request would make, or None for anything else.

    A request that matches a payment endpoint but cannot be priced is still a
    Purchase, with `money` None and `problem` saying why: it fails closed.
    """
    candidates = [r for r in catalog.rules_for(request.host) if _method_matches(r, request)]
    if not candidates:
        return None
    path = normalize_path(request.path)
    candidates = [r for r in candidates if r.path.fullmatch(path)]
    if not candidates:
        return None
    rule = candidates[0]
    currency = catalog.apps[rule.app].currency
    try:
        fields = Fields(request)
        present = [r.requires for r in candidates if r.requires is not None and fields.get(r.requires) is not None]
        if len(present) > 1:
            # e.g. createOrder with pay_gold=0 and pay_bp=100000: pricing the first would under-count.
            raise Unreadable(f"the request carries more than one way to pay ({', '.join(present)})")
        for rule in candidates:
            if rule.requires is not None and fields.get(rule.requires) is None:
                continue
            if any(str(fields.get(k)) in free for k, free in rule.free_when):
                return None
            recipient = next((clean_text(fields.get(r)) for r in rule.recipient if fields.get(r) is not None), None)
            amount, money = _price(rule, fields, currency, household)
            return Purchase(rule.app, rule.kind, rule.id, amount, rule.unit, money, recipient)
        problem = "none of the amount fields this endpoint uses is present"
    except Unreadable as e:
        problem = str(e)
    return Purchase(rule.app, rule.kind, rule.id, None, rule.unit, None, None, problem)
