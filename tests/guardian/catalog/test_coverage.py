"""The coverage report's data: every shipped rule cites its sources with a confidence; host-level-only hosts."""

from __future__ import annotations

import pytest

from guardian.catalog.coverage import AMOUNT, UNKNOWN, app_coverage, coverage
from guardian.catalog.index import Catalog

CATALOG = Catalog.load()
RULES = [(a.id, r) for a in CATALOG.apps.values() for r in (*a.rules, *a.gift_lists)]


@pytest.mark.parametrize(("app", "rule"), RULES, ids=[getattr(r, "id", f"{a} gift list") for a, r in RULES])
def test_every_shipped_rule_cites_two_sources_or_says_it_is_low_confidence(app, rule) -> None:
    assert rule.confidence in ("high", "medium", "low"), app
    assert len(rule.sources) >= (1 if rule.confidence == "low" else 2), (app, rule.sources)


def test_every_shipped_app_says_what_it_misses_and_names_its_source() -> None:
    for app in CATALOG.apps.values():
        assert app.source and "endpoints.md" not in app.source, app.id
        assert app.missed, app.id


@pytest.mark.parametrize(
    ("app", "seen", "host_only"),
    [
        ("apple", "host only", ("buy.itunes.apple.com", "p*-buy.itunes.apple.com")),
        ("bilibili", AMOUNT, ("pay.bilibili.com",)),
        ("wechatpay", UNKNOWN, None),
        ("paypal", f"{AMOUNT}; some {UNKNOWN}", ()),
        ("unionpay", AMOUNT, ("cashier.95516.com", "mcashier.95516.com", "appcashier.95516.com")),
        ("douyin", AMOUNT, ()),  # its payment host has a rule (the cashdesk)
    ],
)
def test_what_is_seen_and_what_is_controlled_by_host_only(app, seen, host_only) -> None:
    found = app_coverage(CATALOG.apps[app])
    assert found.seen == seen
    if host_only is not None:
        assert found.host_only == host_only
    assert "payapp.weixin.qq.com" in app_coverage(CATALOG.apps["wechatpay"]).host_only


def test_rules_say_where_they_read() -> None:
    found = {r.id: r for c in coverage(CATALOG) for r in c.rules}
    assert found["douyin.gift.send"].where == (
        "POST live.douyin.com, webcast.amemv.com, webcast*-normal-c-*.amemv.com /webcast/gift/send"
    )
    assert found["twitch.gql.purchase"].where.endswith(
        "operations *purchase* except DismissPurchaseToken, SharePurchaseTokenInChat, Chat_SharePurchase_ChannelData"
    )
    assert found["huya.gift.consumeGift"].where.startswith("WebSocket cdnws.api.huya.com")
    assert found["douyin.checkout.cashdesk"].continues == (
        "douyin.recharge.diamond_buy_external_safe",
        "douyin.recharge.live_diamond_buy_external_safe",
    )
    assert [c.name for c in coverage(CATALOG)] == sorted((c.name for c in coverage(CATALOG)), key=str.lower)
