"""Property tests: money parsers accept only plain non-negative amounts and raise only ValueError."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.household.money import ABSURD, Money, parse_amount

FUZZ = settings(max_examples=300, deadline=None)
numberish = st.from_regex(r"\A[ +-]?[0-9]{0,16}([.,][0-9]{0,9})?([eE][+-]?[0-9]{1,4})?( [A-Za-z]{0,4})?\s?\Z")
anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(),
    numberish,
    st.binary(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.sampled_from([Decimal("sNaN"), Decimal("-0"), Decimal("1E+999999")]),
)


@FUZZ
@given(anything)
def test_parse_amount_returns_a_sane_decimal_or_raises_value_error(value):
    try:
        number = parse_amount(value)
    except ValueError:
        return
    assert isinstance(number, Decimal) and number.is_finite()
    assert 0 <= number <= ABSURD
    assert not isinstance(value, (bool, float, bytes, list, dict)) and value is not None


@FUZZ
@given(st.one_of(st.text(), numberish, st.integers(), st.none()), st.sampled_from(["CNY", "USD"]))
def test_money_parse_returns_a_non_negative_amount_or_raises_value_error(text, currency):
    try:
        money = Money.parse(text, currency)
    except ValueError as e:
        assert str(e)  # a message a parent can act on
        return
    assert money.currency == currency
    assert money.amount.is_finite() and money.amount >= 0
    assert Money.from_units(money.to_units(), currency).amount >= money.amount  # units round up, never down
    assert Money.parse(str(money), currency) == Money(Decimal(str(money).split()[0]), currency)
