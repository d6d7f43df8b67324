"""`[child.ask]`: parsing, defaults and the exact error texts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from guardian.household.config import Ask, ConfigError
from guardian.household.configfile import parse
from guardian.household.money import Money

APPS = ("bilibili", "douyin", "kuaishou")
BASE = '[[child]]\nname = "Mia"\n[child.ask]\n'


def ask_of(text: str) -> Ask:
    return parse(BASE + text, Path("guardian.toml"), APPS).children[0].ask


def test_defaults_when_absent():
    child = parse('[[child]]\nname = "Mia"\n', Path("guardian.toml"), APPS).children[0]
    assert child.ask == Ask(over=None, apps=(), wait=25, valid=30)
    assert not child.ask.needed("kuaishou", Money(Decimal("9999"), "CNY"))


def test_all_keys():
    ask = ask_of('over = "20"\napps = ["kuaishou"]\nwait = 10\nvalid = 5\n')
    assert ask == Ask(Money(Decimal("20"), "CNY"), ("kuaishou",), 10, 5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'over = "lots"',
            "guardian.toml: Mia's ask-a-parent amount: "
            'expected a non-negative amount like "30" or "18.8", got \'lots\'',
        ),
        (
            "over = 20",
            'guardian.toml: Mia\'s ask-a-parent amount: expected an amount as text like "30" or "18.8", got 20',
        ),
        (
            'over = "5 USD"',
            "guardian.toml: Mia's ask-a-parent amount: amount '5 USD' is in USD, but the household currency is CNY",
        ),
        (
            'apps = ["tiktok"]',
            "guardian.toml: Mia's ask-a-parent apps: unknown app 'tiktok'; known apps: bilibili, douyin, kuaishou",
        ),
        ('apps = "kuaishou"', "guardian.toml: Mia's ask-a-parent apps: expected a list, got 'kuaishou'"),
        (
            "wait = -1",
            "guardian.toml: Mia's ask-a-parent wait: expected a whole number of seconds from 0 to 300, got -1",
        ),
        (
            "wait = 301",
            "guardian.toml: Mia's ask-a-parent wait: expected a whole number of seconds from 0 to 300, got 301",
        ),
        (
            "wait = 2.5",
            "guardian.toml: Mia's ask-a-parent wait: expected a whole number of seconds from 0 to 300, got 2.5",
        ),
        (
            "wait = true",
            "guardian.toml: Mia's ask-a-parent wait: expected a whole number of seconds from 0 to 300, got True",
        ),
        (
            "valid = 0",
            "guardian.toml: Mia's ask-a-parent valid time: expected a whole number of minutes from 1 to 1440, got 0",
        ),
        (
            'valid = "30"',
            "guardian.toml: Mia's ask-a-parent valid time: expected a whole number of minutes from 1 to 1440, got '30'",
        ),
        (
            'ovr = "20"',
            "guardian.toml: Mia's ask.ovr: unknown key (check the spelling against the README's config reference)",
        ),
    ],
)
def test_errors_name_the_file_the_childs_setting_and_reason(text, message):
    with pytest.raises(ConfigError) as e:
        ask_of(text + "\n")
    assert str(e.value) == message


def test_ask_must_be_a_table():
    with pytest.raises(ConfigError, match=r"^guardian.toml: Mia's ask-a-parent settings: expected a table, got str$"):
        parse('[[child]]\nname = "Mia"\nask = "yes"\n', Path("guardian.toml"), APPS)
