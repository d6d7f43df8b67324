"""[notifications] escalate_after and [[notifications.channel]]: every key, its default, and the exact errors."""

from pathlib import Path

import pytest

from guardian.household import configfile
from guardian.household.config import ConfigError
from guardian.household.routes import EVENTS, KINDS, Limits, Route, limits

FILE = Path("/var/lib/guardian/guardian.toml")


def parse(notifications: str):
    return configfile.parse(f"[notifications]\n{notifications}", FILE)


def test_defaults_no_channels_and_a_minute_before_a_question_turns_urgent():
    config = parse("")
    assert config.channels == () and config.escalate_after == 60


def test_channels_in_file_order_with_their_events_and_limits():
    config = parse(
        """\
escalate_after = 0
[[notifications.channel]]
id = "mum-bark"
kind = "bark"
name = "Mum's   iPhone"
events = ["questions", "health"]
[[notifications.channel]]
id = "family"
kind = "pushplus"
per_minute = 2
per_day = 100
"""
    )
    assert config.escalate_after == 0
    assert config.channels == (
        Route("mum-bark", "bark", "Mum's iPhone", frozenset({"questions", "health"})),
        Route("family", "pushplus", "family", frozenset(EVENTS), 2, 100),
    )
    assert limits(config.channels[0], KINDS["bark"]) == KINDS["bark"]
    assert limits(config.channels[1], KINDS["pushplus"]) == Limits(2, 100)


def test_the_documented_limits():
    assert KINDS["pushplus"] == Limits(5, 200)
    assert KINDS["dingtalk"].per_minute == KINDS["wecom"].per_minute == 20
    assert KINDS["feishu"].per_minute == 100


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("escalate_after = -1", "notifications.escalate_after: expected a whole number of seconds from 0 (never)"),
        ("channel = 3", "notifications.channel: write each channel as a [[notifications.channel]] table"),
        ('[[notifications.channel]]\nkind = "bark"', "notifications.channel[0].id: missing"),
        ('[[notifications.channel]]\nid = "Mum Phone"\nkind = "bark"', "notifications.channel[0].id: expected a short"),
        ('[[notifications.channel]]\nid = "a"\nkind = "sms"', "channel[0].kind: expected one of pushplus,"),
        ('[[notifications.channel]]\nid = "a"\nkind = "bark"\nevents = ["all"]', "events: expected a list of"),
        ('[[notifications.channel]]\nid = "a"\nkind = "bark"\nper_minute = 0', "per_minute: expected a whole number"),
        ('[[notifications.channel]]\nid = "a"\nkind = "bark"\nname = ""', "notifications.channel[0].name: expected a"),
        (
            '[[notifications.channel]]\nid = "a"\nkind = "bark"\nurl = "https://api.day.app/KEY"',
            "notifications.channel[0].url: unknown key",
        ),
        (
            '[[notifications.channel]]\nid = "a"\nkind = "bark"\n[[notifications.channel]]\nid = "a"\nkind = "ntfy"',
            "notifications.channel[1].id: two channels are called 'a'",
        ),
    ],
)
def test_mistakes_name_the_file_the_key_and_the_reason(text, error):
    with pytest.raises(ConfigError) as e:
        parse(text)
    assert str(e.value).startswith(f"{FILE}: ") and error in str(e.value)


def test_no_address_is_ever_read_from_the_config():
    # An address is a secret kept apart; a key named like one is an unknown key, not silently used.
    with pytest.raises(ConfigError, match="unknown key"):
        parse('[[notifications.channel]]\nid = "a"\nkind = "ntfy"\ntoken = "tk_x"')
