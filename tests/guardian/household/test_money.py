from decimal import Decimal

import pytest

from guardian.household.money import ABSURD, SCALE, Money, format_amount, parse_amount


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("30", "30"),
        ("18.8", "18.8"),
        (" 5 ", "5"),
        ("5 CNY", "5"),
        ("5 cny", "5"),
        ("0", "0"),
        ("0.000001", "0.000001"),
        ("999999999999", "999999999999"),
        ("007", "7"),
    ],
)
def test_money_parse_good(text: str, amount: str) -> None:
    money = Money.parse(text, "CNY")
    assert money == Money(Decimal(amount), "CNY")
    assert isinstance(money.amount, Decimal)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("30 USD", "amount '30 USD' is in USD, but the household currency is CNY"),
        ("30 usd", "amount '30 usd' is in USD, but the household currency is CNY"),
        ("-5", 'expected a non-negative amount like "30" or "18.8", got \'-5\''),
        ("1e3", 'expected a non-negative amount like "30" or "18.8", got \'1e3\''),
        ("1,000", 'expected a non-negative amount like "30" or "18.8", got \'1,000\''),
        ("NaN", 'expected a non-negative amount like "30" or "18.8", got \'NaN\''),
        ("Infinity", 'expected a non-negative amount like "30" or "18.8", got \'Infinity\''),
        (".5", 'expected a non-negative amount like "30" or "18.8", got \'.5\''),
        ("5.", 'expected a non-negative amount like "30" or "18.8", got \'5.\''),
        ("1.1234567", 'expected a non-negative amount like "30" or "18.8", got \'1.1234567\''),
        ("1234567890123", 'expected a non-negative amount like "30" or "18.8", got \'1234567890123\''),
        ("+5", 'expected a non-negative amount like "30" or "18.8", got \'+5\''),
        ("٣٠", 'expected a non-negative amount like "30" or "18.8", got \'٣٠\''),  # Arabic-Indic digits
        ("３０", 'expected a non-negative amount like "30" or "18.8", got \'３０\''),  # full-width digits
        ("", 'expected an amount like "30" or "18.8", got \'\''),
        ("   ", 'expected an amount like "30" or "18.8", got \'   \''),
        ("5 CNY extra", 'expected an amount like "30" or "18.8", got \'5 CNY extra\''),
        (30, 'expected an amount as text like "30" or "18.8", got 30'),
        (30.5, 'expected an amount as text like "30" or "18.8", got 30.5'),
        (None, 'expected an amount as text like "30" or "18.8", got None'),
    ],
)
def test_money_parse_bad(text: object, error: str) -> None:
    with pytest.raises(ValueError) as e:
        Money.parse(text, "CNY")  # type: ignore[arg-type]
    assert str(e.value) == error


def test_money_adds_and_subtracts_within_one_currency() -> None:
    a, b = Money(Decimal("18.8"), "CNY"), Money(Decimal("1.25"), "CNY")
    assert a + b == Money(Decimal("20.05"), "CNY")
    assert a - b == Money(Decimal("17.55"), "CNY")


@pytest.mark.parametrize("op", ["add", "sub"])
def test_money_refuses_to_mix_currencies(op: str) -> None:
    cny, usd = Money(Decimal(1), "CNY"), Money(Decimal(1), "USD")
    with pytest.raises(ValueError, match="^cannot mix CNY and USD$"):
        _ = cny + usd if op == "add" else cny - usd


@pytest.mark.parametrize(
    ("amount", "units"),
    [
        ("50", 500_000),
        ("0", 0),
        ("0.0001", 1),
        ("0.001", 10),
        ("0.00001", 1),  # below one unit: rounds up, never down to nothing
        ("1.23456", 12_346),
        ("1.23451", 12_346),
        ("100000000", 100_000_000 * SCALE),
    ],
)
def test_to_units_rounds_up(amount: str, units: int) -> None:
    assert Money(Decimal(amount), "CNY").to_units() == units


def test_units_round_trip() -> None:
    for text in ("0", "0.0001", "18.8", "49.99", "12345.6789"):
        money = Money(Decimal(text), "CNY")
        assert Money.from_units(money.to_units(), "CNY") == money
    assert Money.from_units(12_346, "USD") == Money(Decimal("1.2346"), "USD")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("30", "30.00"),
        ("18.8", "18.80"),
        ("0.1", "0.10"),
        ("1.2300", "1.23"),
        ("0.001", "0.001"),
        ("0.12345", "0.12345"),
        ("1E+1", "10.00"),
        ("100000000", "100000000.00"),
    ],
)
def test_format_amount_has_no_exponent(amount: str, text: str) -> None:
    assert format_amount(Decimal(amount)) == text
    assert str(Money(Decimal(amount), "CNY")) == f"{text} CNY"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100, "100"),
        (0, "0"),
        ("100", "100"),
        (" 7.5 ", "7.5"),
        ("7.50", "7.5"),
        ("0.00000001", "0.00000001"),
        (Decimal("1.5"), "1.5"),
        (Decimal("1E+2"), "100"),  # a JSON number 1e2 means 100 to the server too
        (ABSURD, "100000000"),
        ("100000000", "100000000"),
    ],
)
def test_parse_amount_good(value: object, expected: str) -> None:
    number = parse_amount(value)
    assert isinstance(number, Decimal)
    assert number == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (True, "not a number: True"),
        (False, "not a number: False"),
        (None, "not a number: None"),
        (1.5, "not a number: float"),
        ([1], "not a number: list"),
        ({"a": 1}, "not a number: dict"),
        (-1, "amount out of range: -1"),
        (100_000_001, "amount out of range: 100000001"),
        (10**400, "amount out of range: " + str(10**400)),
        (Decimal("-0.01"), "amount out of range: Decimal('-0.01')"),
        (Decimal("NaN"), "amount out of range: Decimal('NaN')"),
        (Decimal("sNaN"), "amount out of range: Decimal('sNaN')"),
        (Decimal("Infinity"), "amount out of range: Decimal('Infinity')"),
        (Decimal("-Infinity"), "amount out of range: Decimal('-Infinity')"),
        (Decimal("1E+999"), "amount out of range: Decimal('1E+999')"),
        ("100000001", "amount out of range: '100000001'"),
        ("-1", "not a plain non-negative number: '-1'"),
        ("+1", "not a plain non-negative number: '+1'"),
        ("1e3", "not a plain non-negative number: '1e3'"),
        ("NaN", "not a plain non-negative number: 'NaN'"),
        ("inf", "not a plain non-negative number: 'inf'"),
        ("Infinity", "not a plain non-negative number: 'Infinity'"),
        ("0x10", "not a plain non-negative number: '0x10'"),
        ("1_000", "not a plain non-negative number: '1_000'"),
        ("1.123456789", "not a plain non-negative number: '1.123456789'"),
        ("", "not a plain non-negative number: ''"),
        ("１００", "not a plain non-negative number: '１００'"),  # full-width digits
        ("9" * 100, "not a plain non-negative number: '" + "9" * 40 + "'"),  # bounded in the message
    ],
)
def test_parse_amount_bad(value: object, error: str) -> None:
    with pytest.raises(ValueError) as e:
        parse_amount(value)
    assert str(e.value) == error
