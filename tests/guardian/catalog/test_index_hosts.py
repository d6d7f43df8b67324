"""Rule hosts: a list of hosts per rule, and globs in the first label (the Douyin app's numbered webcast hosts)."""

from __future__ import annotations

import pytest

from guardian.catalog.index import MAX_GLOB_HOSTS, Catalog
from guardian.catalog.model import RuleError
from guardian.catalog.rulefile import parse_app
from tests.support.acme import FILE, RULE, acme

GLOB_RULE = RULE.replace('host = "pay.acme.example"', 'host = ["pay.acme.example", "webcast*-normal-c-*.acme.example"]')
SECOND = """
[[rule]]
id = "acme.glob.only"
kind = "gift"
host = "webcast*.acme.example"
path = "/api/gift/send"
amount = "count"
"""


def catalog(text: str) -> Catalog:
    return Catalog([parse_app(text, FILE)])


@pytest.mark.parametrize(
    ("host", "rules"),
    [
        ("pay.acme.example", ["acme.gift"]),
        ("webcast3-normal-c-lq.acme.example", ["acme.gift", "acme.glob.only"]),  # both globs, in file order
        ("webcast26-normal-c-hl.acme.example", ["acme.gift", "acme.glob.only"]),
        ("webcast-normal-c-.acme.example", ["acme.gift", "acme.glob.only"]),  # "*" may be empty
        ("webcast.acme.example", ["acme.glob.only"]),
        ("webcast5.acme.example", ["acme.glob.only"]),
        ("x.webcast5.acme.example", []),  # a glob covers one label, not deeper names
        ("webcast5.acme.example.evil", []),
        ("webcast5-acme.example", []),
        ("live.acme.example", []),
    ],
)
def test_a_rule_names_several_hosts_and_globs_one_label(host: str, rules: list[str]) -> None:
    found = catalog(acme(rule=GLOB_RULE + SECOND))
    assert [r.id for r in found.rules_matching(host, "/api/gift/send")] == rules
    assert found.has_rules(host) is bool(rules)
    assert [r.id for r in found.rules_for(host)] == rules
    assert found.rules_for(host.upper()) == [] or host == host.upper()  # callers normalise; nothing is guessed


def test_a_glob_rule_host_is_the_apps_and_is_remembered_within_a_bound() -> None:
    found = catalog(acme(rule=GLOB_RULE))
    assert found.app_for_host("webcast7-normal-c-lf.acme.example").id == "acme"
    for n in range(MAX_GLOB_HOSTS + 10):  # a flood of distinct hosts cannot grow memory without bound
        assert found.has_rules(f"webcast{n}-normal-c-x.acme.example")
    assert len(found._rules._known) <= len(found._rules._exact) + MAX_GLOB_HOSTS
    assert found.has_rules("webcast1-normal-c-x.acme.example")


def test_an_exact_host_that_a_glob_also_covers_gets_both() -> None:
    text = acme(rule=GLOB_RULE.replace('"pay.acme.example", ', '"webcast1-normal-c-1.acme.example", ') + SECOND)
    found = catalog(text)
    assert [r.id for r in found.rules_for("webcast1-normal-c-1.acme.example")] == ["acme.gift", "acme.glob.only"]


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ('"*.acme.example"', "'*.acme.example' is not a host name or a one-label glob (rules match exact hosts)"),
        ('"pay.*.example"', "'pay.*.example' is not a host name or a one-label glob (rules match exact hosts)"),
        ('["pay.acme.example", ""]', "expected a name or a list of names, got ['pay.acme.example', '']"),
        ("5", "expected str or list, got 5"),
    ],
)
def test_bad_rule_hosts_are_named(host: str, reason: str) -> None:
    with pytest.raises(RuleError) as e:
        parse_app(acme(rule=RULE.replace('"pay.acme.example"', host)), FILE)
    assert (e.value.key, e.value.reason) == ("rule[0].host", reason)


def test_gift_lists_take_host_lists_and_globs_too() -> None:
    text = acme() + (
        '\n[[gift_list]]\nhost = ["live.acme.example", "webcast*.acme.example"]\npath = "/gift/list"\n'
        'items = ["data.gifts", "data.pages.*.gifts"]\nid = "id"\nprice = ["diamond_count", "gift_price"]\n'
    )
    found = Catalog([parse_app(text, FILE)])
    assert found.has_gift_lists("webcast9.acme.example") and found.has_gift_lists("live.acme.example")
    assert found.gift_list_for("webcast9.acme.example", "/gift/list").items == ("data.gifts", "data.pages.*.gifts")
    assert found.gift_list_for("www.acme.example", "/gift/list") is None
