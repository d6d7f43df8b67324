"""Money as exact decimals with a currency.

Grammar of `Money.parse`: a non-negative decimal number written as text,
optionally followed by a space and an ISO currency code ("30", "18.8",
"5 USD"). Floats never enter: amounts read from traffic arrive as text or
Decimal and are checked by `parse_amount`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation

# Anything above this, in any unit, is treated as garbage rather than money:
# it is far beyond a real gift or recharge and guards the arithmetic.
ABSURD = Decimal("100000000")
# Ledger sums are kept as integers of 1/10,000 of the household currency, so
# SQLite adds exactly; gift prices go down to 1/1000 of a yuan.
SCALE = 10_000

_NUMBER = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,6})?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """Parse "30" or "30 CNY"; `currency` is the default and must match if given."""
        if not isinstance(text, str):
            raise ValueError(f'expected an amount as text like "30" or "18.8", got {text!r}')
        parts = text.strip().split()
        if len(parts) == 2:
            number, code = parts
            if code.upper() != currency:
                raise ValueError(f"amount {text!r} is in {code.upper()}, but the household currency is {currency}")
        elif len(parts) == 1:
            number = parts[0]
        else:
            raise ValueError(f'expected an amount like "30" or "18.8", got {text!r}')
        if not _NUMBER.match(number):
            raise ValueError(f'expected a non-negative amount like "30" or "18.8", got {text!r}')
        return cls(Decimal(number), currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def to_units(self) -> int:
        """Integer ten-thousandths, rounded up so a cap check never under-counts."""
        return int((self.amount * SCALE).to_integral_value(rounding=ROUND_CEILING))

    @classmethod
    def from_units(cls, units: int, currency: str) -> Money:
        return cls(Decimal(units) / SCALE, currency)

    def __str__(self) -> str:
        return f"{format_amount(self.amount)} {self.currency}"


def format_amount(amount: Decimal) -> str:
    """Plain text without exponent and without trailing zeros beyond cents."""
    quantized = amount.quantize(Decimal("0.01")) if amount == amount.quantize(Decimal("0.01")) else amount.normalize()
    return f"{quantized:f}"


def parse_amount(value: object) -> Decimal:
    """A number from traffic (JSON number, string or Decimal) as a finite, non-negative Decimal.

    Raises ValueError for booleans, NaN, infinities, negatives, exponents and absurd sizes.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[0-9]{1,15}(\.[0-9]{1,8})?", text):
            raise ValueError(f"not a plain non-negative number: {value[:40]!r}")
        number = Decimal(text)
    else:
        raise ValueError(f"not a number: {type(value).__name__}")
    try:
        if not number.is_finite() or number < 0 or number > ABSURD:
            raise ValueError(f"amount out of range: {value!r}")
    except InvalidOperation as e:  # signalling NaN compares raise
        raise ValueError(f"not a number: {value!r}") from e
    return number
