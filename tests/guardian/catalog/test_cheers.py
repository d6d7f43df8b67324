"""Twitch cheers in IRC chat messages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from guardian.catalog.cheers import bits
from guardian.catalog.index import Catalog
from guardian.catalog.messages import detect_message
from guardian.household.config import Household

CATALOG = Catalog.load()
WORDS = CATALOG.apps["twitch"].rules[-1].words
HOST = "irc-ws.chat.twitch.tv"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("PRIVMSG #mia :Cheer100 great stream", [("#mia", 100)]),
        ("@client-nonce=abc;reply-parent-msg-id=x PRIVMSG #mia :cheer50 Kappa25 hello", [("#mia", 75)]),
        (":me!me@me.tmi.twitch.tv PRIVMSG #a :BibleThump1\r\nPRIVMSG #b :Corgo10", [("#a", 1), ("#b", 10)]),
        ("PRIVMSG #mia :4Head100 Cheer1000", [("#mia", 1100)]),
        ("PRIVMSG #mia :I have 100 cheers and user1 and Cheer and Cheer0 and xCheer5", []),
        ("PING :tmi.twitch.tv", []),
        ("PRIVMSG #mia :mycustom100", []),  # a channel's own cheermotes are not known
    ],
)
def test_bits_are_the_sum_of_cheermote_numbers(text, found):
    assert bits(text, WORDS) == found


def test_a_cheer_is_a_purchase_priced_with_the_bits_rate():
    household = Household(rates={"BITS": Decimal("0.1")})
    p = detect_message(CATALOG, household, HOST, "PRIVMSG #mia :Cheer100 Cheer50")
    assert (p.app, p.kind, p.rule, p.amount, p.unit, p.money.amount, p.recipient) == (
        "twitch",
        "gift",
        "twitch.cheer",
        Decimal(150),
        "bits",
        Decimal(15),
        "mia",
    )
    assert detect_message(CATALOG, household, HOST, "PRIVMSG #mia :hello") is None
    assert detect_message(CATALOG, household, "www.twitch.tv", "PRIVMSG #mia :Cheer100") is None


def test_a_cheer_without_a_bits_rate_is_unreadable():
    p = detect_message(CATALOG, Household(), HOST, "PRIVMSG #mia :Cheer100")
    assert p.status == "unreadable" and "no rate for BITS" in p.problem
