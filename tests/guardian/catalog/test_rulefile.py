"""Rule files: the grammar's checks, with the key, the reason and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardian.catalog.catalog import Catalog, RuleError
from guardian.catalog.rulefile import locate, parse_app

HEAD = 'app = "shop"\ncurrency = "CNY"\nhosts = ["*.shop.example"]\nrefusal = { json = \'{"m": "$message"}\' }\n'
RULE = '[[rule]]\nid = "shop.tip"\nkind = "tip"\nhost = "api.shop.example"\npath = "/tip"\n'


def parse(text: str):
    return parse_app(text, Path("shop.toml"))


@pytest.mark.parametrize(
    ("text", "key", "line", "reason"),
    [
        (HEAD + RULE, "rule[0].amount", 5, "missing"),
        (HEAD + RULE + 'amount = "n"\nunknown_amount = true\n', "rule[0].unknown_amount", 11, "has no amount"),
        (HEAD + RULE + 'amount = "n"\nper_currency = 1.5\n', "rule[0].per_currency", 11, "not a number: float"),
        (HEAD + RULE + 'amount = "n"\nper_currency = "0"\n', "rule[0].per_currency", 11, "must be above zero"),
        (HEAD + RULE + 'amount = "n"\ncurrency = "usd"\n', "rule[0].currency", 11, "upper case"),
        (HEAD + RULE + 'amount = "n"\nfree_when = "silver"\n', "rule[0].free_when", 11, "expected a table"),
        (HEAD + RULE + 'amount = "n"\ntransport = "websocket"\n', "rule[0].message", 5, "needs message = one of irc-cheer"),
        (HEAD + RULE + 'gift_id = "g"\nprice = "p"\n', "rule[0].amount", 5, "needs the count field"),
        (HEAD + RULE + 'amount = "n"\n' + RULE + 'amount = "n"\n', "rule[1].id", 12, "two rules are called 'shop.tip'"),
        (HEAD + RULE + 'amount = "n"\nhost_typo = 1\n', "rule[0].host_typo", 11, "unknown key"),
        (HEAD + 'passthrough = ["pay shop"]\n', "passthrough", 5, "is not a host name"),
        (HEAD + 'prices = { "1" = "-3" }\n', "prices.1", 5, "not a plain non-negative number"),
        (HEAD + RULE + 'amount = "n"\n[[gift_list]]\nhost = "api.shop.example"\npath = "/gifts"\nid = "id"\nprice = "p"\n', "gift_list[0].items", 11, "missing"),
    ],
)
def test_errors_name_the_key_the_line_and_the_reason(text, key, line, reason):
    with pytest.raises(RuleError) as e:
        parse(text)
    assert (e.value.key, e.value.line) == (key, line)
    assert reason in e.value.reason
    assert e.value.located.startswith(f"shop.toml:{line}: {key}: ")
    assert str(e.value).startswith(f"shop.toml: {key}: ")


def test_a_host_only_app_needs_no_rules_and_globs_one_label():
    app = parse('app = "store"\ncurrency = "USD"\nhosts = []\npassthrough = ["p*-buy.store.example"]\n'
                'payment_hosts = ["p*-buy.store.example"]\nrefusal = { json = \'{}\' }\n')  # fmt: skip
    catalog = Catalog([app])
    assert catalog.passthrough("p07-buy.store.example") is app
    assert catalog.payment_host("p07-buy.store.example") is app
    assert catalog.app_for_host("buy.store.example") is None
    assert catalog.app_for_host("x.p07-buy.store.example") is None


def test_locate_finds_keys_in_tables_and_inline():
    text = HEAD + RULE + 'amount = "n"\n[refusal2]\nstatus = 3\n'
    assert locate(text, "currency") == 2
    assert locate(text, "refusal.json") == 4
    assert locate(text, "rule[0].path") == 9
    assert locate(text, "rule[3].path") is None


def test_exact_paths_are_indexed_and_patterns_keep_file_order():
    text = (HEAD + RULE + 'amount = "n"\n'
            + RULE.replace("shop.tip", "shop.any").replace('"/tip"', '"/**"') + "unknown_amount = true\n")  # fmt: skip
    catalog = Catalog([parse(text)])
    assert [r.id for r in catalog.rules_matching("api.shop.example", "/tip")] == ["shop.tip", "shop.any"]
    assert [r.id for r in catalog.rules_matching("api.shop.example", "/other")] == ["shop.any"]
    assert catalog.rules_matching("www.shop.example", "/tip") == []


def test_shipped_catalog_loads_and_a_parents_file_replaces_an_app(tmp_path):
    (tmp_path / "bilibili.toml").write_text(
        'app = "bilibili"\ncurrency = "CNY"\nhosts = ["*.bilibili.com"]\nrefusal = { json = \'{}\' }\n' + RULE.replace("api.shop.example", "api.bilibili.com") + 'amount = "n"\n',
        encoding="utf-8",
    )  # fmt: skip
    catalog = Catalog.load([tmp_path])
    assert [r.id for r in catalog.apps["bilibili"].rules] == ["shop.tip"]
    assert {"douyin", "twitch", "apple", "google-play", "alipay"} <= set(catalog.apps)
