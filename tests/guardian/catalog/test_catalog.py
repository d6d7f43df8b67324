import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from guardian.catalog.catalog import KINDS, Catalog, RuleError, Success, parse_app

FILE = Path("rules/acme.toml")

HEAD = """\
app = "acme"
name = "Acme Live"
currency = "CNY"
hosts = ["*.acme.example", "acme.tv"]
refusal = { status = 200, json = '{"code": 1, "msg": "$message"}' }
success = { path = "code", values = [0] }
"""

RULE = """\
[[rule]]
id = "acme.gift"
kind = "gift"
host = "pay.acme.example"
path = "/api/gift/send"
amount = ["price", "count"]
unit = "bean"
per_currency = "100"
"""


def acme(head: str = HEAD, rule: str = RULE) -> str:
    return head + "\n" + rule


def test_parse_app_minimal_with_defaults() -> None:
    app = parse_app(acme(), FILE)
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
    rule = RULE.replace('unit = "bean"\nper_currency = "100"\n', "") + textwrap.dedent(
        """\
        methods = ["get", "Post"]
        recipient = "ruid"
        requires = "count"
        free_when = { coin_type = ["silver", "bag"], free = "yes" }
        success = { path = "data.status", values = [4] }
        note = "documentation only"
        """
    )
    (r,) = parse_app(acme(HEAD.replace('name = "Acme Live"\n', ""), rule), FILE).rules
    assert r.methods == frozenset({"GET", "POST"})
    assert r.recipient == ("ruid",)
    assert r.requires == "count"
    assert dict(r.free_when) == {"coin_type": frozenset({"silver", "bag"}), "free": frozenset({"yes"})}
    assert r.success == Success("data.status", (4,))
    assert (r.unit, r.per_currency) == ("CNY", Decimal(1))  # the app's currency, one to one
    assert parse_app(acme(HEAD.replace('name = "Acme Live"\n', ""), rule), FILE).name == "acme"


def test_a_single_method_string_is_one_method_not_its_letters() -> None:
    (r,) = parse_app(acme(rule=RULE + 'methods = "post"\n'), FILE).rules
    assert r.methods == frozenset({"POST"})


def test_hosts_are_normalised() -> None:
    app = parse_app(acme(HEAD.replace('"acme.tv"', '"ACME.tv."'), RULE.replace("pay.acme.example", "Pay.ACME.example.")), FILE)
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
    (r,) = parse_app(acme(rule=RULE.replace('"/api/gift/send"', f'"{pattern}"')), FILE).rules
    assert bool(r.path.fullmatch(path)) is matches


def _without(text: str, key: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if not line.startswith(f"{key} ="))


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        (acme(HEAD + 'colour = "red"\n'), "colour", "unknown key"),
        (acme(_without(HEAD, "app")), "app", "missing"),
        (acme(HEAD.replace('app = "acme"', 'app = "Acme Live"')), "app", "use lower-case letters, digits, '.', '_' or '-'"),
        (acme(HEAD.replace('app = "acme"', "app = 5")), "app", "expected str, got 5"),
        (acme(_without(HEAD, "hosts")), "hosts", "missing"),
        (acme(HEAD.replace('hosts = ["*.acme.example", "acme.tv"]', 'hosts = "acme.tv"')), "hosts", "expected list, got 'acme.tv'"),
        (acme(HEAD.replace('"acme.tv"]', '"bad host!"]')), "hosts", "'bad host!' is not a host name (a leading \"*.\" covers subdomains)"),
        (acme(HEAD.replace('"acme.tv"]', '"a.*.tv"]')), "hosts", "'a.*.tv' is not a host name (a leading \"*.\" covers subdomains)"),
        (acme(HEAD.replace('"acme.tv"]', "5]")), "hosts", "expected a name or a list of names, got ['*.acme.example', 5]"),
        (acme(_without(HEAD, "refusal")), "refusal", "missing"),
        (acme(HEAD.replace("refusal = { status = 200, json = '{\"code\": 1, \"msg\": \"$message\"}' }", "refusal = { status = 200 }")),
         "refusal.json", "missing"),
        (acme(HEAD.replace("status = 200", "status = 700")), "refusal.status", "expected an HTTP status, got 700"),
        (acme(HEAD.replace("status = 200", 'status = "200"')), "refusal.status", "expected an HTTP status, got '200'"),
        (acme(HEAD.replace('success = { path = "code", values = [0] }', 'success = { path = "code" }')),
         "success", "expected { path = \"code\", values = [0] }"),
        (acme(_without(HEAD, "currency")), "currency", "missing"),
        (HEAD, "rule", "missing"),
        (HEAD + "rule = [5]\n", "rule[0]", "expected a [[rule]] table"),
        (acme(rule=RULE + "amout = 1\n"), "rule[0].amout", "unknown key"),
        (acme(rule=_without(RULE, "id")), "rule[0].id", "missing"),
        (acme(rule=_without(RULE, "kind")), "rule[0].kind", "missing"),
        (acme(rule=RULE.replace('kind = "gift"', 'kind = "donation"')), "rule[0].kind", f"expected one of {', '.join(KINDS)}"),
        (acme(rule=_without(RULE, "host")), "rule[0].host", "missing"),
        (acme(rule=RULE.replace('"pay.acme.example"', '"*.acme.example"')), "rule[0].host",
         "'*.acme.example' is not one host name (rules match exact hosts)"),
        (acme(rule=_without(RULE, "path")), "rule[0].path", "missing"),
        (acme(rule=_without(RULE, "amount")), "rule[0].amount", "missing"),
        (acme(rule=RULE.replace('amount = ["price", "count"]', "amount = []")), "rule[0].amount",
         "expected a field name or a list of field names"),
        (acme(rule=RULE.replace('amount = ["price", "count"]', 'amount = ["price", ""]')), "rule[0].amount",
         "expected a field name or a list of field names"),
        (acme(rule=RULE.replace('amount = ["price", "count"]', "amount = 5")), "rule[0].amount", "expected list or str, got 5"),
        (acme(rule=RULE.replace('per_currency = "100"', 'per_currency = "0"')), "rule[0].per_currency", "must be above zero"),
        (acme(rule=RULE.replace('per_currency = "100"', "per_currency = 0")), "rule[0].per_currency", "must be above zero"),
        (acme(rule=RULE.replace('per_currency = "100"', 'per_currency = "abc"')), "rule[0].per_currency",
         "not a plain non-negative number: 'abc'"),
        (acme(rule=RULE.replace('per_currency = "100"', "per_currency = -1")), "rule[0].per_currency", "amount out of range: -1"),
        (acme(rule=RULE.replace('per_currency = "100"', "per_currency = 0.5")), "rule[0].per_currency", "not a number: float"),
        (acme(rule=RULE + "methods = [1]\n"), "rule[0].methods", "expected a name or a list of names, got [1]"),
        (acme(rule=RULE + "recipient = [1]\n"), "rule[0].recipient", "expected a name or a list of names, got [1]"),
        (acme(rule=RULE + "requires = 5\n"), "rule[0].requires", "expected a field name, got 5"),
        (acme(rule=RULE + 'free_when = "silver"\n'), "rule[0].free_when", "expected a table like { coin_type = [\"silver\"] }"),
        (acme(rule=RULE + "free_when = { coin_type = [1] }\n"), "rule[0].free_when.coin_type",
         "expected a name or a list of names, got [1]"),
        (acme(rule=RULE + 'success = { values = [0] }\n'), "rule[0].success", "expected { path = \"code\", values = [0] }"),
        (acme(rule=RULE + RULE.replace('kind = "gift"', 'kind = "bribe"')), "rule[1].kind", f"expected one of {', '.join(KINDS)}"),
    ],
)
def test_parse_app_errors_name_file_and_key(text: str, key: str, reason: str) -> None:
    with pytest.raises(RuleError) as e:
        parse_app(text, FILE)
    assert (e.value.file, e.value.key, e.value.reason) == (str(FILE), key, reason)
    assert str(e.value) == f"{FILE}: {key}: {reason}"


def test_parse_app_bad_refusal_json() -> None:
    text = acme(HEAD.replace("""json = '{"code": 1, "msg": "$message"}'""", """json = '{"code": 1, msg}'"""))
    with pytest.raises(RuleError) as e:
        parse_app(text, FILE)
    assert e.value.key == "refusal.json"
    assert str(e.value).startswith(f"{FILE}: refusal.json: not valid JSON: Expecting property name enclosed in double quotes")


def test_parse_app_bad_toml() -> None:
    with pytest.raises(RuleError) as e:
        parse_app('app = "acme"\nhosts = [\n', FILE)
    assert e.value.key == ""
    assert str(e.value).startswith(f"{FILE}: not valid TOML: ")


# The shipped catalog.


SHIPPED = {
    "bilibili", "douyin", "kuaishou", "douyu", "tiktok", "twitch", "youtube", "roblox", "steam",
    "alipay", "paypal", "stripe", "apple", "google-play",
}  # fmt: skip


def test_shipped_apps(catalog: Catalog) -> None:
    assert set(catalog.apps) == SHIPPED
    ids = [r.id for a in catalog.apps.values() for r in a.rules]
    assert len(ids) == len(set(ids))
    for app in catalog.apps.values():
        assert app.currency in ("CNY", "USD", "ROBUX", "BITS", "TIKTOK_COINS")
        assert app.success is not None
        assert all(r.app == app.id and r.kind in KINDS and r.per_currency > 0 for r in app.rules)
        # Every rule's host is one of the app's hosts, so app windows cover payment endpoints too.
        assert all(catalog.app_for_host(r.host) is app for r in app.rules)


def test_shipped_rule_details(catalog: Catalog) -> None:
    rules = {r.id: r for a in catalog.apps.values() for r in a.rules}
    gold = rules["bilibili.gift.sendGold"]
    assert (gold.gift_id, gold.price, gold.amount) == ("gift_id", "price", ("gift_num",))  # the learned price raises an understated one
    assert (gold.per_currency, gold.unit) == (Decimal(1000), "gold")
    assert dict(gold.free_when) == {"coin_type": frozenset({"silver"})}
    assert gold.success == Success("code", (0,))
    assert rules["bilibili.elec.quick"].success == Success("data.status", (4,))
    assert rules["bilibili.superchat.createOrder"].requires == "pay_gold"
    assert rules["bilibili.battery.createOrder"].requires == "pay_bp"
    assert rules["douyin.checkout.cashdesk"].methods == frozenset({"GET", "POST"})
    assert rules["kuaishou.recharge.kspay_cashier"].success == Success("result", (1,))


@pytest.mark.parametrize(
    ("host", "app"),
    [
        ("api.live.bilibili.com", "bilibili"),
        ("bilibili.com", "bilibili"),  # "*." covers the apex
        ("www.bilibili.com", "bilibili"),
        ("a.b.c.bilibili.com", "bilibili"),
        ("i0.hdslb.com", "bilibili"),
        ("b23.tv", "bilibili"),
        ("x.b23.tv", None),  # an exact host covers only itself
        ("evilbilibili.com", None),
        ("bilibili.com.evil.example", None),
        ("bilibili", None),
        ("com", None),
        ("tp-pay.snssdk.com", "douyin"),
        ("live.douyin.com", "douyin"),
        ("pay.ssl.kuaishou.com", "kuaishou"),
        ("kuaishou.com", "kuaishou"),
        ("example.com", None),
        ("", None),
    ],
)
def test_app_for_host(catalog: Catalog, host: str, app: str | None) -> None:
    found = catalog.app_for_host(host)
    assert (None if found is None else found.id) == app


def test_rules_for_is_exact(catalog: Catalog) -> None:
    assert [r.id for r in catalog.rules_for("api.live.bilibili.com")] == [
        "bilibili.gift.sendGold",
        "bilibili.gift.sendGoldMultiUser",
        "bilibili.superchat.createOrder",
        "bilibili.battery.createOrder",
        "bilibili.battery.createQrCodeOrder",
    ]
    assert catalog.rules_for("bilibili.com") == []
    assert catalog.rules_for("live.bilibili.com") == []
    assert catalog.rules_for("example.com") == []


def test_a_rule_host_outside_the_app_hosts_is_still_the_apps() -> None:
    app = parse_app(acme(rule=RULE.replace("pay.acme.example", "pay.other.example")), FILE)
    catalog = Catalog([app])
    assert catalog.app_for_host("pay.other.example") is app
    assert catalog.app_for_host("www.other.example") is None
    assert catalog.app_for_host("www.acme.example") is app


def test_longest_suffix_wins() -> None:
    outer = parse_app(acme(), FILE)
    inner = parse_app(
        acme(HEAD.replace('app = "acme"', 'app = "inner"').replace('"*.acme.example", "acme.tv"', '"*.live.acme.example"'),
             RULE.replace("acme.gift", "inner.gift").replace("pay.acme.example", "pay.live.acme.example")),
        FILE,
    )
    catalog = Catalog([outer, inner])
    assert catalog.app_for_host("x.live.acme.example").id == "inner"
    assert catalog.app_for_host("live.acme.example").id == "inner"
    assert catalog.app_for_host("x.acme.example").id == "acme"


# Refusal bodies.


def test_refusal_body_fills_message(catalog: Catalog) -> None:
    body = catalog.apps["bilibili"].refusal_body("已达到今日消费上限")
    doc = json.loads(body)
    assert doc == {"code": 200013, "message": "已达到今日消费上限", "ttl": 1, "data": None}
    assert "已达到今日消费上限".encode() in body  # UTF-8, not \u escapes


def test_refusal_body_fills_every_placeholder(catalog: Catalog) -> None:
    doc = json.loads(catalog.apps["douyin"].refusal_body("余额不足"))
    assert doc == {"data": {"message": "余额不足", "prompts": "余额不足"}, "extra": {}, "status_code": 40001}


@pytest.mark.parametrize(
    "message",
    ['say "stop"', '"}, "code": 0, "x": {"', "<script>alert(1)</script>", "back\\slash", "line\nbreak\u2028", "</script><!--"],
)
def test_refusal_body_escapes_the_message(catalog: Catalog, message: str) -> None:
    for app in catalog.apps.values():
        body = app.refusal_body(message)
        doc = json.loads(body)  # still valid JSON
        flat = json.dumps(doc, ensure_ascii=False)
        assert flat.count(json.dumps(message, ensure_ascii=False)) >= 1
    doc = json.loads(catalog.apps["bilibili"].refusal_body(message))
    assert doc["message"] == message and doc["code"] == 200013  # an injected "code" cannot replace the real one


def test_refusal_body_replaces_only_whole_placeholders() -> None:
    app = parse_app(acme(HEAD.replace("""'{"code": 1, "msg": "$message"}'""", """'{"a": "x $message", "b": ["$message", 2]}'""")), FILE)
    assert json.loads(app.refusal_body("M")) == {"a": "x $message", "b": ["M", 2]}


# Loading with the parent's own rule files.


def test_load_adds_and_replaces_apps(tmp_path: Path) -> None:
    (tmp_path / "acme.toml").write_text(acme(), encoding="utf-8")
    mine = acme(
        HEAD.replace('app = "acme"', 'app = "bilibili"').replace('"*.acme.example", "acme.tv"', '"*.bilibili.com"'),
        RULE.replace("pay.acme.example", "api.live.bilibili.com"),
    )
    (tmp_path / "bili.toml").write_text(mine, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a rule file", encoding="utf-8")
    catalog = Catalog.load([tmp_path, tmp_path / "missing"])
    assert set(catalog.apps) == SHIPPED | {"acme"}
    assert [r.id for r in catalog.rules_for("api.live.bilibili.com")] == ["acme.gift"]  # the parent's file wins
    assert catalog.app_for_host("www.acme.example").id == "acme"
    assert catalog.app_for_host("b23.tv") is None  # the shipped bilibili hosts went with the shipped file


def test_load_reports_the_bad_file(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(acme(rule=RULE.replace('kind = "gift"', 'kind = "bribe"')), encoding="utf-8")
    with pytest.raises(RuleError) as e:
        Catalog.load([tmp_path])
    assert e.value.file == str(tmp_path / "bad.toml")
    assert e.value.key == "rule[0].kind"


def test_load_reports_a_non_utf8_file(tmp_path: Path) -> None:
    (tmp_path / "gbk.toml").write_bytes(acme().replace("Acme Live", "阿克米").encode("gbk"))
    with pytest.raises(RuleError) as e:
        Catalog.load([tmp_path])
    assert str(e.value) == f"{tmp_path / 'gbk.toml'}: the rule file is not UTF-8 text"
