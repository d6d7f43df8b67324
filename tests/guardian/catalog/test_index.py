"""The catalog indexed by host: the shipped apps, which app a host is, and loading the parent's own rule files."""

from decimal import Decimal
from pathlib import Path

import pytest

from guardian.catalog.index import Catalog
from guardian.catalog.model import KINDS, RuleError, Success
from guardian.catalog.rulefile import parse_app
from tests.support.acme import FILE, HEAD, RULE, acme

SHIPPED = {
    "bilibili", "douyin", "kuaishou", "douyu", "tiktok", "twitch", "youtube", "roblox", "steam",
    "alipay", "paypal", "stripe", "apple", "google-play", "wechatpay", "huya", "unionpay",
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
    assert (gold.gift_id, gold.price, gold.amount) == (
        "gift_id",
        "price",
        ("gift_num",),
    )  # the learned price raises an understated one
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
        "bilibili.gift.legacy_send",
        "bilibili.gift.interactive_pay",
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
        acme(
            HEAD.replace('app = "acme"', 'app = "inner"').replace(
                '"*.acme.example", "acme.tv"', '"*.live.acme.example"'
            ),
            RULE.replace("acme.gift", "inner.gift").replace("pay.acme.example", "pay.live.acme.example"),
        ),
        FILE,
    )
    catalog = Catalog([outer, inner])
    assert catalog.app_for_host("x.live.acme.example").id == "inner"
    assert catalog.app_for_host("live.acme.example").id == "inner"
    assert catalog.app_for_host("x.acme.example").id == "acme"


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
