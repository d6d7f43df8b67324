"""Rule files: the grammar's checks, with the key, the reason and the line."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from guardian.catalog.index import Catalog
from guardian.catalog.model import KINDS, RuleError, Success
from guardian.catalog.rulefile import parse_app
from tests.support.acme import FILE as ACME_FILE
from tests.support.acme import HEAD as ACME_HEAD
from tests.support.acme import RULE as ACME_RULE
from tests.support.acme import acme, without

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
        (
            HEAD + RULE + 'amount = "n"\ntransport = "websocket"\n',
            "rule[0].message",
            5,
            "needs message = one of irc-cheer",
        ),
        (HEAD + RULE + 'gift_id = "g"\nprice = "p"\n', "rule[0].amount", 5, "needs the count field"),
        (HEAD + RULE + 'amount = "n"\n' + RULE + 'amount = "n"\n', "rule[1].id", 12, "two rules are called 'shop.tip'"),
        (HEAD + RULE + 'amount = "n"\nhost_typo = 1\n', "rule[0].host_typo", 11, "unknown key"),
        (HEAD + 'passthrough = ["pay shop"]\n', "passthrough", 5, "is not a host name"),
        (HEAD + 'prices = { "1" = "-3" }\n', "prices.1", 5, "not a plain non-negative number"),
        (
            HEAD
            + RULE
            + 'amount = "n"\n[[gift_list]]\nhost = "api.shop.example"\npath = "/gifts"\nid = "id"\nprice = "p"\n',
            "gift_list[0].items",
            11,
            "missing",
        ),
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


def test_exact_paths_are_indexed_and_patterns_keep_file_order():
    text = (HEAD + RULE + 'amount = "n"\n'
            + RULE.replace("shop.tip", "shop.any").replace('"/tip"', '"/**"') + "unknown_amount = true\n")  # fmt: skip
    catalog = Catalog([parse(text)])
    assert [r.id for r in catalog.rules_matching("api.shop.example", "/tip")] == ["shop.tip", "shop.any"]
    assert [r.id for r in catalog.rules_matching("api.shop.example", "/other")] == ["shop.any"]
    assert catalog.rules_matching("www.shop.example", "/tip") == []


def test_shipped_catalog_loads_and_a_parents_file_replaces_an_app(tmp_path):
    (tmp_path / "bilibili.toml").write_text(
        'app = "bilibili"\ncurrency = "CNY"\nhosts = ["*.bilibili.com"]\nrefusal = { json = \'{}\' }\n'
        + RULE.replace("api.shop.example", "api.bilibili.com")
        + 'amount = "n"\n',
        encoding="utf-8",
    )  # fmt: skip
    catalog = Catalog.load([tmp_path])
    assert [r.id for r in catalog.apps["bilibili"].rules] == ["shop.tip"]
    assert {"douyin", "twitch", "apple", "google-play", "alipay"} <= set(catalog.apps)


# The acme app: every key, its default and the exact error text.


def test_parse_app_minimal_with_defaults() -> None:
    app = parse_app(acme(), ACME_FILE)
    assert (app.id, app.name, app.currency) == ("acme", "Acme Live", "CNY")
    assert app.hosts == ("*.acme.example", "acme.tv")
    assert (app.refusal_status, app.refusal_json) == (200, {"code": 1, "msg": "$message"})
    assert app.success == Success("code", (0,))
    (rule,) = app.rules
    assert (rule.id, rule.app, rule.kind, rule.host) == ("acme.gift", "acme", "gift", "pay.acme.example")
    assert rule.methods == frozenset({"POST"})
    assert rule.amount == ("price", "count")
    assert (rule.unit, rule.per_currency) == ("bean", Decimal(100))
    assert (rule.recipient, rule.requires, rule.free_when) == ((), None, ())
    assert rule.success == app.success  # inherited from the app


def test_parse_app_optional_rule_keys() -> None:
    rule = ACME_RULE.replace('unit = "bean"\nper_currency = "100"\n', "") + textwrap.dedent(
        """\
        methods = ["get", "Post"]
        recipient = "ruid"
        requires = "count"
        free_when = { coin_type = ["silver", "bag"], free = "yes" }
        success = { path = "data.status", values = [4] }
        note = "documentation only"
        """
    )
    (r,) = parse_app(acme(ACME_HEAD.replace('name = "Acme Live"\n', ""), rule), ACME_FILE).rules
    assert r.methods == frozenset({"GET", "POST"})
    assert r.recipient == ("ruid",)
    assert r.requires == "count"
    assert dict(r.free_when) == {"coin_type": frozenset({"silver", "bag"}), "free": frozenset({"yes"})}
    assert r.success == Success("data.status", (4,))
    assert (r.unit, r.per_currency) == ("CNY", Decimal(1))  # the app's currency, one to one
    assert parse_app(acme(ACME_HEAD.replace('name = "Acme Live"\n', ""), rule), ACME_FILE).name == "acme"


def test_a_single_method_string_is_one_method_not_its_letters() -> None:
    (r,) = parse_app(acme(rule=ACME_RULE + 'methods = "post"\n'), ACME_FILE).rules
    assert r.methods == frozenset({"POST"})


def test_hosts_are_normalised() -> None:
    app = parse_app(
        acme(ACME_HEAD.replace('"acme.tv"', '"ACME.tv."'), ACME_RULE.replace("pay.acme.example", "Pay.ACME.example.")),
        ACME_FILE,
    )
    assert app.hosts == ("*.acme.example", "acme.tv")
    assert app.rules[0].host == "pay.acme.example"


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/api/gift/send", "/api/gift/send", True),
        ("/api/gift/send", "/api/gift/send/extra", False),
        ("/api/gift/send", "/api/gift", False),
        ("/api/gift/sendGold", "/api/gift/sendgold", True),  # compared after normalising
        ("/api/*/send", "/api/gift/send", True),
        ("/api/*/send", "/api/send", False),
        ("/api/*/send", "/api/a/b/send", False),
        ("/api/**/send", "/api/send", True),
        ("/api/**/send", "/api/a/send", True),
        ("/api/**/send", "/api/a/b/c/send", True),
        ("/api/**/send", "/api/a/b/c/send/x", False),
        ("/api/**", "/api/a/b", True),
        ("/a.b/c", "/aXb/c", False),  # literal segments are escaped
        ("/cashdesk/", "/cashdesk", True),
    ],
)
def test_rule_path_patterns(pattern: str, path: str, matches: bool) -> None:
    (r,) = parse_app(acme(rule=ACME_RULE.replace('"/api/gift/send"', f'"{pattern}"')), ACME_FILE).rules
    assert bool(r.path.fullmatch(path)) is matches


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        (acme(ACME_HEAD + 'colour = "red"\n'), "colour", "unknown key"),
        (acme(without(ACME_HEAD, "app")), "app", "missing"),
        (
            acme(ACME_HEAD.replace('app = "acme"', 'app = "Acme Live"')),
            "app",
            "use lower-case letters, digits, '.', '_' or '-'",
        ),
        (acme(ACME_HEAD.replace('app = "acme"', "app = 5")), "app", "expected str, got 5"),
        (acme(without(ACME_HEAD, "hosts")), "hosts", "missing"),
        (
            acme(ACME_HEAD.replace('hosts = ["*.acme.example", "acme.tv"]', 'hosts = "acme.tv"')),
            "hosts",
            "expected list, got 'acme.tv'",
        ),
        (
            acme(ACME_HEAD.replace('"acme.tv"]', '"bad host!"]')),
            "hosts",
            "'bad host!' is not a host name (a leading \"*.\" covers subdomains)",
        ),
        (
            acme(ACME_HEAD.replace('"acme.tv"]', '"a.*.tv"]')),
            "hosts",
            "'a.*.tv' is not a host name (a leading \"*.\" covers subdomains)",
        ),
        (
            acme(ACME_HEAD.replace('"acme.tv"]', "5]")),
            "hosts",
            "expected a name or a list of names, got ['*.acme.example', 5]",
        ),
        (acme(ACME_HEAD + 'names = { fr = "Acmé" }\n'), "names.fr", "unknown language; expected zh or en"),
        (acme(ACME_HEAD + 'names = "Acme"\n'), "names", 'expected a table like { zh = "抖音" }'),
        (acme(ACME_HEAD + 'names = { zh = "" }\n'), "names.zh", "expected the app's name (1 to 60 characters), got ''"),
        (acme(without(ACME_HEAD, "refusal")), "refusal", "missing"),
        (
            acme(
                ACME_HEAD.replace(
                    'refusal = { status = 200, json = \'{"code": 1, "msg": "$message"}\' }',
                    "refusal = { status = 200 }",
                )
            ),
            "refusal.json",
            "missing",
        ),
        (acme(ACME_HEAD.replace("status = 200", "status = 700")), "refusal.status", "expected an HTTP status, got 700"),
        (
            acme(ACME_HEAD.replace("status = 200", 'status = "200"')),
            "refusal.status",
            "expected an HTTP status, got '200'",
        ),
        (
            acme(ACME_HEAD.replace('success = { path = "code", values = [0] }', 'success = { path = "code" }')),
            "success",
            'expected { path = "code", values = [0] }',
        ),
        (acme(without(ACME_HEAD, "currency")), "currency", "missing"),
        (ACME_HEAD, "rule", "missing"),
        (ACME_HEAD + "rule = [5]\n", "rule[0]", "expected a [[rule]] table"),
        (acme(rule=ACME_RULE + "amout = 1\n"), "rule[0].amout", "unknown key"),
        (acme(rule=without(ACME_RULE, "id")), "rule[0].id", "missing"),
        (acme(rule=without(ACME_RULE, "kind")), "rule[0].kind", "missing"),
        (
            acme(rule=ACME_RULE.replace('kind = "gift"', 'kind = "donation"')),
            "rule[0].kind",
            f"expected one of {', '.join(KINDS)}",
        ),
        (acme(rule=without(ACME_RULE, "host")), "rule[0].host", "missing"),
        (
            acme(rule=ACME_RULE.replace('"pay.acme.example"', '"*.acme.example"')),
            "rule[0].host",
            "'*.acme.example' is not a host name or a one-label glob (rules match exact hosts)",
        ),
        (acme(rule=without(ACME_RULE, "path")), "rule[0].path", "missing"),
        (acme(rule=without(ACME_RULE, "amount")), "rule[0].amount", "missing"),
        (
            acme(rule=ACME_RULE.replace('amount = ["price", "count"]', "amount = []")),
            "rule[0].amount",
            "expected a field name or a list of field names",
        ),
        (
            acme(rule=ACME_RULE.replace('amount = ["price", "count"]', 'amount = ["price", ""]')),
            "rule[0].amount",
            "expected a field name or a list of field names",
        ),
        (
            acme(rule=ACME_RULE.replace('amount = ["price", "count"]', "amount = 5")),
            "rule[0].amount",
            "expected list or str, got 5",
        ),
        (
            acme(rule=ACME_RULE.replace('per_currency = "100"', 'per_currency = "0"')),
            "rule[0].per_currency",
            "must be above zero",
        ),
        (
            acme(rule=ACME_RULE.replace('per_currency = "100"', "per_currency = 0")),
            "rule[0].per_currency",
            "must be above zero",
        ),
        (
            acme(rule=ACME_RULE.replace('per_currency = "100"', 'per_currency = "abc"')),
            "rule[0].per_currency",
            "not a plain non-negative number: 'abc'",
        ),
        (
            acme(rule=ACME_RULE.replace('per_currency = "100"', "per_currency = -1")),
            "rule[0].per_currency",
            "amount out of range: -1",
        ),
        (
            acme(rule=ACME_RULE.replace('per_currency = "100"', "per_currency = 0.5")),
            "rule[0].per_currency",
            "not a number: float",
        ),
        (acme(rule=ACME_RULE + "methods = [1]\n"), "rule[0].methods", "expected a name or a list of names, got [1]"),
        (
            acme(rule=ACME_RULE + "recipient = [1]\n"),
            "rule[0].recipient",
            "expected a name or a list of names, got [1]",
        ),
        (acme(rule=ACME_RULE + "requires = 5\n"), "rule[0].requires", "expected a field name, got 5"),
        (
            acme(rule=ACME_RULE + 'free_when = "silver"\n'),
            "rule[0].free_when",
            'expected a table like { coin_type = ["silver"] }',
        ),
        (
            acme(rule=ACME_RULE + "free_when = { coin_type = [1] }\n"),
            "rule[0].free_when.coin_type",
            "expected a name or a list of names, got [1]",
        ),
        (
            acme(rule=ACME_RULE + "success = { values = [0] }\n"),
            "rule[0].success",
            'expected { path = "code", values = [0] }',
        ),
        (
            acme(rule=ACME_RULE + ACME_RULE.replace('kind = "gift"', 'kind = "bribe"')),
            "rule[1].kind",
            f"expected one of {', '.join(KINDS)}",
        ),
        (acme(ACME_HEAD + "gift_list = 5\n"), "gift_list", "expected list, got 5"),  # once a TypeError
        (acme(ACME_HEAD + "gift_list = {}\n"), "gift_list", "expected list, got {}"),  # once silently no lists
    ],
)
def test_parse_app_errors_name_file_and_key(text: str, key: str, reason: str) -> None:
    with pytest.raises(RuleError) as e:
        parse_app(text, ACME_FILE)
    assert (e.value.file, e.value.key, e.value.reason) == (str(ACME_FILE), key, reason)
    assert str(e.value) == f"{ACME_FILE}: {key}: {reason}"


def test_parse_app_bad_refusal_json() -> None:
    text = acme(ACME_HEAD.replace("""json = '{"code": 1, "msg": "$message"}'""", """json = '{"code": 1, msg}'"""))
    with pytest.raises(RuleError) as e:
        parse_app(text, ACME_FILE)
    assert e.value.key == "refusal.json"
    assert str(e.value).startswith(
        f"{ACME_FILE}: refusal.json: not valid JSON: Expecting property name enclosed in double quotes"
    )


def test_parse_app_bad_toml() -> None:
    with pytest.raises(RuleError) as e:
        parse_app('app = "acme"\nhosts = [\n', ACME_FILE)
    assert e.value.key == ""
    assert str(e.value).startswith(f"{ACME_FILE}: not valid TOML: ")


def test_an_app_has_its_own_name_in_each_language() -> None:
    app = parse_app(acme(ACME_HEAD + 'names = { zh = "艾克米直播" }\n'), Path("acme.toml"))
    assert (app.name_in("zh"), app.name_in("en")) == ("艾克米直播", app.name)
    assert parse_app(acme(ACME_HEAD), Path("acme.toml")).name_in("zh") == app.name  # no Chinese name: the English one


def test_the_shipped_chinese_apps_carry_their_chinese_names() -> None:
    apps = Catalog.load().apps
    named = {a: apps[a].name_in("zh") for a in ("douyin", "kuaishou", "bilibili", "douyu")}
    assert named == {"douyin": "抖音", "kuaishou": "快手", "bilibili": "哔哩哔哩", "douyu": "斗鱼"}
    assert apps["douyin"].name_in("en") == "Douyin"
