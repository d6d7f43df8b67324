"""The config's values: which child a device is, when a purchase waits for a parent, where things listen."""

from decimal import Decimal

import pytest

from guardian.household.config import Caps, Listen
from guardian.household.money import Money
from tests.guardian.household.test_configfile import FULL, parse
from tests.guardian.household.test_configfile_ask import ask_of


def test_child_for() -> None:
    c = parse(FULL)
    assert c.child_for("192.168.1.23", None).name == "Mia"
    assert c.child_for("10.9.9.9", "mia").name == "Mia"
    assert c.child_for("192.168.1.41", None).name == "Leo"
    assert c.child_for("192.168.1.44", None).name == "Mia"  # unlisted: unknown_devices = "Mia"
    assert c.child("Leo").name == "Leo"
    assert c.child("Nobody") is None and c.child(None) is None


def test_unlisted_device_is_not_a_child_when_allowed() -> None:
    c = parse('[household]\nunknown_devices = "allow"\n[[child]]\nname = "Mia"\ndevices = ["10.0.0.2"]\n')
    assert c.child_for("10.0.0.2", None).name == "Mia"
    assert c.child_for("10.0.0.3", None) is None


def test_overlapping_address_and_range_are_allowed() -> None:
    c = parse('[[child]]\nname = "Mia"\ndevices = ["10.0.0.5"]\n[[child]]\nname = "Leo"\ndevices = ["10.0.0.0/24"]\n')
    assert c.child_for("10.0.0.5", None).name == "Mia"
    assert c.child_for("10.0.0.6", None).name == "Leo"


@pytest.mark.parametrize(
    ("app", "amount", "needed"),
    [
        ("bilibili", "20", False),  # a purchase of exactly `over` does not wait
        ("bilibili", "20.01", True),
        ("kuaishou", "0.1", True),  # always asked for this app
        ("kuaishou", None, True),
        ("bilibili", None, False),  # unreadable amounts are refused by the policy, never put to a parent
    ],
)
def test_needed(app, amount, needed):
    ask = ask_of('over = "20"\napps = ["kuaishou"]\n')
    money = None if amount is None else Money(Decimal(amount), "CNY")
    assert ask.needed(app, money) is needed


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("127.0.0.1:8080", "127.0.0.1", 8080),
        ("0.0.0.0:1", "0.0.0.0", 1),
        ("localhost:65535", "localhost", 65535),
        ("[::1]:8080", "::1", 8080),
        ("[::]:8765", "::", 8765),
    ],
)
def test_listen_parse_good(text: str, host: str, port: int) -> None:
    assert Listen.parse(text) == Listen(host, port)


@pytest.mark.parametrize(
    "text",
    ["8080", "host:", ":8080", "host:0", "host:65536", "host:80a", "host:-1", "host:８０", "host:²", "", 8080, None],
)
def test_listen_parse_bad(text: object) -> None:
    with pytest.raises(ValueError) as e:
        Listen.parse(text)  # type: ignore[arg-type]
    assert str(e.value) == f'expected HOST:PORT like "127.0.0.1:8080", got {text!r}'


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def test_with_extra_raises_only_the_day_cap() -> None:
    caps = Caps(per_purchase=cny("20"), day=cny("30"), week=cny("100"), month=cny("300"), per_minute=3)
    raised = caps.with_extra(Decimal("12.5"))
    assert raised == Caps(per_purchase=cny("20"), day=cny("42.5"), week=cny("100"), month=cny("300"), per_minute=3)
    assert caps.day == cny("30")  # the caps themselves are unchanged


@pytest.mark.parametrize("caps", [Caps(day=cny("30")), Caps(week=cny("100")), Caps()])
def test_with_no_extra_or_no_day_cap_the_caps_stay(caps: Caps) -> None:
    assert caps.with_extra(Decimal(0)) is caps
    if caps.day is None:
        assert caps.with_extra(Decimal(5)) is caps  # no day cap: nothing to raise, still no day cap
