"""Huya's calls read into documents, and what the catalog's Huya rules make of them (messages.py, detect.py)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from guardian.catalog import gifts, huya, messages
from guardian.catalog.detect import detect
from guardian.catalog.index import Catalog
from guardian.catalog.request import Request
from guardian.catalog.tars import TarsError
from guardian.household.config import Household
from tests.support import tarsframes as tf

CATALOG = Catalog.load()
WS = "cdnws.api.huya.com"


def book(**prices: int) -> gifts.PriceBook:
    found = gifts.PriceBook(CATALOG)
    found.learn("huya", {k.removeprefix("g"): Decimal(v) for k, v in prices.items()})
    return found


def message(data: bytes | str, host: str = WS, prices: gifts.PriceBook | None = None):
    return messages.detect_message(CATALOG, Household(), host, data, prices)


@pytest.mark.parametrize("version", [3, 2])
def test_a_gift_call_reads_as_a_document_with_lower_case_names(version: int) -> None:
    doc = huya.decode(tf.gift_frame(20277, 10, 42, version=version))
    assert (doc["command"], doc["version"], doc["servant"], doc["function"]) == (
        3,
        version,
        "propsuiserver",
        "consumegift",
    )
    assert (doc["req"]["4"], doc["req"]["5"], doc["req"]["6"], doc["req"]["9"]) == (20277, 10, 42, 64)


def test_a_gift_list_answer_reads_as_a_document() -> None:
    doc = huya.decode(tf.props_list([(1, 100), (2, 0)]), huya.MAX_ANSWER)
    assert doc["function"] == "getpropslist"
    assert [(item["1"], item["4"]) for item in doc["rsp"]["1"]] == [(1, 100), (2, 0)]


@pytest.mark.parametrize(
    ("frame", "problem"),
    [
        (tf.command(3, b"\x00\x00"), "the packet's length does not match its size"),
        (tf.command(3, (10).to_bytes(4, "big") + b"\x10\x03"), "the packet's length does not match its size"),
        (tf.command(3, tf.consume_gift(1, 1) + b"\x00"), "the packet's length does not match its size"),
        (tf.integer(0, 3) + tf.string(1, "not bytes"), "a call without its packet"),
        (tf.command(3, tf.packet("PropsUIServer", "consumeGift", b"")[:-1]), "does not match"),
        (tf.gift_frame(1, 1) + b"\x0e", "unknown type 14"),  # trailing bytes after the command
    ],
)
def test_a_call_that_cannot_be_read_raises(frame: bytes, problem: str) -> None:
    with pytest.raises(TarsError, match=problem):
        huya.decode(frame)


def test_a_map_repeating_a_key_cannot_be_read() -> None:
    req = tf.blob(1, tf.struct_(0, tf.integer(4, 1) + tf.integer(5, 1)))
    twice = tf.mapping(0, [(tf.string(0, "tReq"), req), (tf.string(0, "tReq"), req)])
    body = tf.integer(1, 3) + tf.string(5, "PropsUIServer") + tf.string(6, "consumeGift") + tf.blob(7, twice)
    with pytest.raises(TarsError, match="repeats|distinct"):
        huya.decode(tf.command(3, (len(body) + 4).to_bytes(4, "big") + body))


def test_frames_that_are_not_calls_are_read_no_further() -> None:
    assert huya.decode(tf.command(16, b"\xff\xff")) == {"command": 16}
    assert huya.decode(b"") == {"command": 0}
    assert huya.command(tf.gift_frame(1, 1)) == huya.CALL and huya.command(b"\xff") is None


def test_gifts_on_the_socket_are_priced_from_the_learned_list() -> None:
    prices = book(g20277=10000)
    p = message(tf.gift_frame(20277, 3, 42), prices=prices)
    assert (p.rule, p.amount, p.money.amount, p.recipient) == (
        "huya.gift.consumeGift",
        Decimal(30000),
        Decimal(30),
        "42",
    )
    safe = message(tf.gift_frame(20277, 1, 43, function="consumeGiftSafe"), prices=prices)
    assert (safe.rule, safe.money.amount, safe.recipient) == ("huya.gift.consumeGiftSafe", Decimal(10), "43")
    old = message(tf.gift_frame(20277, 2, 44, function="sendCardPackageItem", servant="liveui"), prices=prices)
    assert (old.rule, old.money.amount, old.recipient) == ("huya.gift.sendCardPackageItem", Decimal(20), "44")


def test_gifts_over_the_wup_gateway_read_the_same() -> None:
    prices = book(g20277=10000)
    req = Request("10.0.0.2", None, "POST", "wup.huya.com", "/", (), "application/x-wup", tf.consume_gift(20277, 2))
    p = detect(CATALOG, Household(), req, prices)
    assert (p.rule, p.money.amount) == ("huya.wup.consumeGift", Decimal(20))
    cut = Request("10.0.0.2", None, "POST", "wup.huya.com", "/", (), "application/x-wup", tf.consume_gift(1, 2)[:-3])
    assert detect(CATALOG, Household(), cut, prices).status == "unreadable"
    too_big = Request("10.0.0.2", None, "POST", "wup.huya.com", "/x", (), "application/x-wup", None)
    assert detect(CATALOG, Household(), too_big, prices).status == "unreadable"


@pytest.mark.parametrize(
    "frame",
    [
        tf.gift_frame(20277, 1, policy=3),  # from the backpack
        tf.gift_frame(20277, 0),  # nothing sent
        tf.call("onlineui", "OnUserHeartBeat", tf.user_id()),
        tf.call("liveui", "sendMessage", tf.user_id() + tf.string(1, "hi")),
        tf.call("PropsUIServer", "getPropsList", tf.user_id()),
        tf.command(16, b""),
        tf.command(7, b"\x00\x01"),
        b"",
    ],
)
def test_what_is_not_a_paid_gift_is_not_a_purchase(frame: bytes) -> None:
    assert message(frame, prices=book(g20277=10000)) is None


def test_a_free_gift_in_the_list_costs_nothing_and_text_frames_are_not_calls() -> None:
    assert message(tf.gift_frame(4, 99), prices=book(g4=0)) is None
    assert message("PRIVMSG #x :Cheer100") is None  # Huya's socket: no IRC rule
    assert message(tf.gift_frame(1, 1), host="irc-ws.chat.twitch.tv") is None  # Twitch's: no binary rule


def test_an_unreadable_call_is_an_unreadable_purchase_without_the_cookie() -> None:
    p = message(tf.gift_frame(20277, 1)[:-2] + b"\xfe")
    assert (p.status, p.rule) == ("unreadable", "huya.gift.consumeGift")
    assert "SECRET" not in json.dumps([p.problem, p.recipient])


def test_the_learned_gift_list_and_the_cheap_check() -> None:
    answer = tf.props_list([(20277, 10000), (4, 0)])
    assert messages.may_be_gift_list(CATALOG, WS, answer)
    assert not messages.may_be_gift_list(CATALOG, WS, tf.gift_frame(1, 1))
    assert not messages.may_be_gift_list(CATALOG, "www.huya.com", answer)
    spec, prices = messages.gift_list(CATALOG, "25-ws.va.huya.com", answer)
    assert (spec.app, prices) == ("huya", {"20277": Decimal(10000), "4": Decimal(0)})
    other = tf.command(4, tf.packet("liveui", "getLivingInfo", tf.integer(0, 1), name="tRsp"))
    assert messages.gift_list(CATALOG, WS, other) is None
    assert messages.gift_list(CATALOG, WS, answer[:40]) is None
