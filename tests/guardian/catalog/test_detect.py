import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest

from guardian.catalog.detect import MAX_RECIPIENT, Purchase, clean_text, detect
from guardian.catalog.index import Catalog
from guardian.catalog.request import MAX_BODY, Request
from guardian.catalog.rulefile import parse_app
from guardian.household.config import Household
from guardian.household.money import Money

FORM = "application/x-www-form-urlencoded; charset=UTF-8"
JSON = "application/json;charset=UTF-8"
LIVE = "api.live.bilibili.com"
SEND_GOLD = "/xlive/revenue/v1/gift/sendGold"
MULTI = "/xlive/revenue/v2/gift/sendGoldMultiUser"
ORDER = "/xlive/revenue/v1/order/createOrder"
ELEC = "/x/ugcpay/web/v2/trade/elec/pay/quick"
KS_CASHIER = "/rest/k/pay/kscoin/deposit/nlogin/kspay/cashier"

MakeRequest = Callable[..., Request]


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def gold_form(**extra: str) -> bytes:
    fields = {
        "gift_id": "31036",
        "bag_id": "0",
        "gift_num": "10",
        "uid": "1001",
        "ruid": "672328094",
        "send_ruid": "0",
        "coin_type": "gold",
        "biz_code": "Live",
        "biz_id": "21452505",
        "price": "100",
        "csrf": "abc",
        "visit_id": "",
    }
    fields.update(extra)
    return urlencode(fields).encode()


def test_send_gold_form_body(catalog: Catalog, household: Household, make_request: MakeRequest) -> None:
    p = detect(catalog, household, make_request(LIVE, SEND_GOLD, body=gold_form(), content_type=FORM))
    assert p == Purchase("bilibili", "gift", "bilibili.gift.sendGold", Decimal(1000), "gold", cny("1"), "672328094")
    assert p.readable and p.problem is None
    assert str(p.money) == "1.00 CNY"


def test_send_gold_fields_in_the_query_string(
    catalog: Catalog, household: Household, make_request: MakeRequest
) -> None:
    query = {
        "gift_id": "31036",
        "gift_num": "10",
        "ruid": "672328094",
        "coin_type": "gold",
        "price": "100",
        "csrf": "abc",
    }
    p = detect(catalog, household, make_request(LIVE, SEND_GOLD, query, body=b"", content_type=FORM))
    assert (p.rule, p.amount, p.money, p.recipient) == ("bilibili.gift.sendGold", Decimal(1000), cny("1"), "672328094")


def test_send_gold_same_fields_in_query_and_body(
    catalog: Catalog, household: Household, make_request: MakeRequest
) -> None:
    p = detect(
        catalog,
        household,
        make_request(LIVE, SEND_GOLD, {"price": "100", "gift_num": "10"}, gold_form(), content_type=FORM),
    )
    assert p.money == cny("1")


def test_send_gold_multi_user_json_body(catalog: Catalog, household: Household, make_request: MakeRequest) -> None:
    body = json.dumps(
        {
            "gift_id": 31164,
            "gift_num": 3,
            "price": 52000,
            "coin_type": "gold",
            "send_ruid": 42,
            "receive_users": [{"uid": 42}],
        }
    ).encode()
    p = detect(catalog, household, make_request(LIVE, MULTI, body=body, content_type=JSON))
    assert p == Purchase(
        "bilibili", "gift", "bilibili.gift.sendGoldMultiUser", Decimal(156000), "gold", cny("156"), "42"
    )


def test_cheap_gift_keeps_fractions_of_a_yuan(
    catalog: Catalog, household: Household, make_request: MakeRequest
) -> None:
    p = detect(
        catalog, household, make_request(LIVE, SEND_GOLD, body=gold_form(price="1", gift_num="1"), content_type=FORM)
    )
    assert p.money == cny("0.001")
    assert p.money.to_units() == 10


def test_free_silver_gifts_are_not_purchases(catalog: Catalog, household: Household, make_request: MakeRequest) -> None:
    for path in (SEND_GOLD, MULTI):
        body = gold_form(coin_type="silver", price="0")
        assert detect(catalog, household, make_request(LIVE, path, body=body, content_type=FORM)) is None
    # Silver in the query is just as free.
    assert (
        detect(
            catalog, household, make_request(LIVE, SEND_GOLD, {"coin_type": "silver", "price": "1", "gift_num": "1"})
        )
        is None
    )


def test_silver_in_one_place_and_gold_in_another_is_unreadable(
    catalog: Catalog, household: Household, make_request: MakeRequest
) -> None:
    p = detect(
        catalog,
        household,
        make_request(LIVE, SEND_GOLD, {"coin_type": "silver"}, gold_form(coin_type="gold"), content_type=FORM),
    )
    assert (p.rule, p.money, p.problem) == (
        "bilibili.gift.sendGold",
        None,
        "the field 'coin_type' appears with different values",
    )


def test_superchat_create_order_uses_pay_gold(
    catalog: Catalog, household: Household, make_request: MakeRequest
) -> None:
    body = urlencode(
        {
            "platform": "pc",
            "pay_gold": "30000",
            "goods_id": "12",
            "goods_num": "1",
            "context_id": "21452505",
            "context_type": "1",
            "ruid": "672328094",
            "biz_extra": '{"msg":"hi","level":1}',
        }
    ).encode()
    p = detect(catalog, household, make_request(LIVE, ORDER, body=body, content_type=FORM))
    assert p == Purchase(
        "bilibili", "superchat", "bilibili.superchat.createOrder", Decimal(30000), "gold", cny("30"), "672328094"
    )


def test_battery_create_order_uses_pay_bp(catalog: Catalog, household: Household, make_request: MakeRequest) -> None:
    body = urlencode(
        {
            "platform": "pc",
            "pay_bp": "5000",
            "goods_id": "1",
            "goods_num": "5",
            "context_id": "21452505",
            "context_type": "11",
            "csrf": "abc",
        }
    ).encode()
    p = detect(catalog, household, make_request(LIVE, ORDER, body=body, content_type=FORM))
    assert p == Purchase(
        "bilibili", "recharge", "bilibili.battery.createOrder", Decimal(5000), "B-coin/1000", cny("5"), "21452505"
    )


def test_create_order_without_an_amount_field_is_unreadable(
    catalog: Catalog, household: Household, make_request: MakeRequest
) -> None:
    p = detect(catalog, household, make_request(LIVE, ORDER, body=b"platform=pc&goods_id=1", content_type=FORM))
    assert p is not None and not p.readable
    assert (p.app, p.amount, p.money) == ("bilibili", None, None)
    assert p.rule in ("bilibili.superchat.createOrder", "bilibili.battery.createOrder")
    assert p.problem == "none of the amount fields this endpoint uses is present"


def test_elec_tip_bp_num(catalog: Catalog, household: Household, make_request: MakeRequest) -> None:
    body = urlencode(
        {"bp_num": "5", "is_bp_remains_prior": "true", "up_mid": "2", "otype": "up", "oid": "2", "csrf": "x"}
    ).encode()
    p = detect(catalog, household, make_request("api.bilibili.com", ELEC, body=body, content_type=FORM))
    assert p == Purchase("bilibili", "tip", "bilibili.elec.quick", Decimal(5), "B-coin", cny("5"), "2")


@pytest.mark.parametrize("host", ["www.douyin.com", "live.douyin.com"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_douyin_recharge_customized_price_in_fen(
    catalog: Catalog, household: Household, make_request: MakeRequest, host: str, method: str
) -> None:
    query = {"diamond_id": "888888", "way": "0", "aid": "1128", "customized_price": "600", "msToken": "t"}
    p = detect(
        catalog, household, make_request(host, "/webcast/wallet_api/diamond_buy_external_safe/", query, method=method)
    )
    assert (p.app, p.kind, p.amount, p.unit, p.money) == ("douyin", "recharge", Decimal(600), "fen", cny("6"))
    assert p.rule.endswith("diamond_buy_external_safe")


def test_douyin_cashdesk_total_amount(catalog: Catalog, household: Household, make_request: MakeRequest) -> None:
    query = {"app_id": "800", "merchant_id": "1", "total_amount": "1999", "trade_type": "H5", "sign": "s"}
    p = detect(
        catalog, household, make_request("tp-pay.snssdk.com", "/cashdesk/", query, method="GET", navigation=True)
    )
    assert p == Purchase("douyin", "checkout", "douyin.checkout.cashdesk", Decimal(1999), "fen", cny("19.99"))


@pytest.mark.parametrize(
    "path",
    [
        KS_CASHIER,
        "/rest/k/pay/kscoin/deposit/cashier",
        "/rest/k/pay/kscoin/deposit/a/b/c/d/cashier",
        "/REST/k/pay/KSCOIN/deposit/nlogin/kspay/cashier/",
    ],
)
def test_kuaishou_recharge_fen(catalog: Catalog, household: Household, make_request: MakeRequest, path: str) -> None:
    body = json.dumps({"ksCoin": 300, "fen": 3000, "customize": False, "kpn": "KUAISHOU", "kpf": "PC_WEB"}).encode()
    p = detect(catalog, household, make_request("pay.ssl.kuaishou.com", path, body=body, content_type=JSON))
    assert p == Purchase("kuaishou", "recharge", "kuaishou.recharge.kspay_cashier", Decimal(3000), "fen", cny("30"))


@pytest.mark.parametrize(
    ("host", "path", "method"),
    [
        ("www.bilibili.com", SEND_GOLD, "POST"),  # the app, but not a payment host
        (LIVE, "/xlive/web-room/v1/giftPanel/roomGiftList", "GET"),
        (LIVE, "/xlive/revenue/v1/gift/sendGold2", "POST"),
        (LIVE, "/xlive/revenue/v1/gift", "POST"),
        (LIVE, SEND_GOLD + "/x", "POST"),
        (LIVE, SEND_GOLD, "GET"),  # the rule is POST only
        ("evil.example", SEND_GOLD, "POST"),
        ("live.bilibili.com", SEND_GOLD, "POST"),
        ("pay.ssl.kuaishou.com", "/rest/k/pay/kscoin/deposit/nlogin/kspay/cashier/extra", "POST"),
        ("pay.ssl.kuaishou.com", "/rest/k/pay/kscoin/cashier", "POST"),
        ("pay.ssl.kuaishou.com", KS_CASHIER, "GET"),
        ("news.example", "/", "GET"),
    ],
)
def test_other_requests_are_not_purchases(
    catalog: Catalog, household: Household, make_request: MakeRequest, host: str, path: str, method: str
) -> None:
    assert (
        detect(catalog, household, make_request(host, path, body=gold_form(), method=method, content_type=FORM)) is None
    )


@pytest.mark.parametrize(
    "path",
    [
        "/xlive/revenue/v1/gift/sendGold/",
        "//xlive//revenue/v1/gift/./sendGold",
        "/XLIVE/Revenue/V1/gift/SendGold",
        "/xlive/revenue/v1/gift/%73endGold",
        "/xlive/revenue/v1/x/../gift/sendGold",
        "/xlive/revenue/v1/gift/x/%252e%252e/sendGold",
        "/xlive/revenue/v1/gift/sendGold;jsessionid=1",
        "/xlive/revenue/v1/gift/sendGold%3B",
    ],
)
def test_path_tricks_still_match(catalog: Catalog, household: Household, make_request: MakeRequest, path: str) -> None:
    p = detect(catalog, household, make_request(LIVE, path, body=gold_form(), content_type=FORM))
    assert p is not None and p.rule == "bilibili.gift.sendGold" and p.money == cny("1")


@pytest.mark.parametrize("host", ["API.LIVE.BILIBILI.COM", "api.live.bilibili.com.", "Api.Live.Bilibili.Com.:443"])
def test_host_tricks_are_normalised_by_the_caller(
    catalog: Catalog, household: Household, make_request: MakeRequest, host: str
) -> None:
    # make_request normalises like the proxy adapter does; an unnormalised host is not a rule host.
    assert detect(catalog, household, make_request(host, SEND_GOLD, body=gold_form(), content_type=FORM)).money == cny(
        "1"
    )
    raw = Request("10.0.0.2", None, "POST", host, SEND_GOLD, (), FORM, gold_form())
    assert detect(catalog, household, raw) is None


@pytest.mark.parametrize("header", ["POST", "post"])
def test_method_override_counts(catalog: Catalog, household: Household, make_request: MakeRequest, header: str) -> None:
    p = detect(
        catalog,
        household,
        make_request(LIVE, SEND_GOLD, body=gold_form(), method="GET", content_type=FORM, method_override=header),
    )
    assert p is not None and p.money == cny("1")


# Unreadable requests fail closed: a Purchase with no money and the reason why.

UNREADABLE = [
    # (query, body, content type, problem)
    ({}, gold_form(gift_num=""), FORM, "the field 'gift_num': not a plain non-negative number: ''"),
    ({}, b"price=100&ruid=1&coin_type=gold", FORM, "the field 'gift_num' is missing"),
    ({}, b"gift_num=1&ruid=1", FORM, "the gift id field 'gift_id' is missing"),
    ({}, gold_form(gift_num="ten"), FORM, "the field 'gift_num': not a plain non-negative number: 'ten'"),
    ({}, gold_form(gift_num="-1"), FORM, "the field 'gift_num': not a plain non-negative number: '-1'"),
    ({}, gold_form(gift_num="1e3"), FORM, "the field 'gift_num': not a plain non-negative number: '1e3'"),
    ({}, gold_form(gift_num="１０"), FORM, "the field 'gift_num': not a plain non-negative number: '１０'"),
    ({}, gold_form(price="NaN"), FORM, "the field 'price': not a plain non-negative number: 'NaN'"),
    ({}, gold_form(price="Infinity"), FORM, "the field 'price': not a plain non-negative number: 'Infinity'"),
    ({}, b'{"price": 100, "gift_num": -1}', JSON, "the field 'gift_num': amount out of range: -1"),
    ({}, b'{"price": 100, "gift_num": -0.5}', JSON, "the field 'gift_num': amount out of range: Decimal('-0.5')"),
    ({}, b'{"price": NaN, "gift_num": 1}', JSON, "the body is not valid JSON (ValueError)"),
    ({}, b'{"price": Infinity, "gift_num": 1}', JSON, "the body is not valid JSON (ValueError)"),
    ({}, b'{"price": -Infinity, "gift_num": 1}', JSON, "the body is not valid JSON (ValueError)"),
    ({}, b'{"price": 1e999, "gift_num": 1}', JSON, "the field 'price': amount out of range: Decimal('1E+999')"),
    ({}, b'{"price": 100, "gift_num": true}', JSON, "the field 'gift_num': not a number: True"),
    ({}, b'{"price": 100, "gift_num": null}', JSON, "the field 'gift_num' is missing"),
    ({}, b'{"price": 100, "gift_num": {"n": 1}}', JSON, "the field 'gift_num': not a number: dict"),
    ({}, b'{"price": 100, "gift_num": [1]}', JSON, "the field 'gift_num': not a number: list"),
    ({}, b'{"price": "100", "gift_num": "1e2"}', JSON, "the field 'gift_num': not a plain non-negative number: '1e2'"),
    ({}, gold_form(price="100000001"), FORM, "the field 'price': amount out of range: '100000001'"),
    ({}, gold_form(price="100000000", gift_num="100000000"), FORM, "the amount is absurdly large"),
    ({}, b'{"price": 100, "gift_num": 1,', JSON, "the body is not valid JSON (JSONDecodeError)"),
    ({}, b'{"price": 100, "gift_num": 1, "gift_num": 1000}', JSON, "the JSON body repeats the key 'gift_num'"),
    ({"gift_num": "1"}, gold_form(gift_num="1000"), FORM, "the field 'gift_num' appears with different values"),
    (
        {"gift_num": "1"},
        b'{"price": 100, "gift_num": 1000}',
        JSON,
        "the field 'gift_num' appears with different values",
    ),
    (
        [("price", "100"), ("gift_num", "1"), ("gift_num", "1000")],
        b"",
        FORM,
        "the field 'gift_num' appears with different values",
    ),
    ({}, b"price=100&gift_num=1&gift_num=1000", FORM, "the field 'gift_num' appears with different values"),
    ({}, b"price=100&gift_num=1&" + b"x" * MAX_BODY, FORM, "the body is larger than 65536 bytes"),
    ({"price": "100", "gift_num": "1"}, None, FORM, "the body could not be read (too large or badly encoded)"),
    ({}, b"price=100&gift_num=1&msg=\xff", FORM, "the form body is not UTF-8"),
    (
        {"price": "100", "gift_num": "1"},
        b'--B\r\nContent-Disposition: form-data; name="gift_num"\r\n\r\n1000\r\n--B--\r\n',
        "multipart/form-data; boundary=B",
        "multipart bodies are not read on payment endpoints",
    ),
]


@pytest.mark.parametrize(("query", "body", "ctype", "problem"), UNREADABLE)
def test_unreadable_purchases_fail_closed(
    catalog: Catalog,
    household: Household,
    make_request: MakeRequest,
    query: object,
    body: bytes | None,
    ctype: str,
    problem: str,
) -> None:
    p = detect(catalog, household, make_request(LIVE, SEND_GOLD, query, body, content_type=ctype))
    assert p is not None
    assert (p.app, p.kind, p.rule, p.unit) == ("bilibili", "gift", "bilibili.gift.sendGold", "gold")
    assert (p.amount, p.money, p.readable, p.recipient) == (None, None, False, None)
    assert p.problem == problem


def test_unreadable_kuaishou_body(catalog: Catalog, household: Household, make_request: MakeRequest) -> None:
    p = detect(
        catalog,
        household,
        make_request("pay.ssl.kuaishou.com", KS_CASHIER, body=b'{"fen": "3000", "fen": "30"}', content_type=JSON),
    )
    assert (p.rule, p.money, p.problem) == (
        "kuaishou.recharge.kspay_cashier",
        None,
        "the JSON body repeats the key 'fen'",
    )


def test_ambiguous_recipient_is_unreadable(catalog: Catalog, household: Household, make_request: MakeRequest) -> None:
    p = detect(catalog, household, make_request(LIVE, SEND_GOLD, {"ruid": "1"}, gold_form(ruid="2"), content_type=FORM))
    assert (p.money, p.problem) == (None, "the field 'ruid' appears with different values")


# Recipients are attacker-controlled text.


def test_recipient_is_cleaned_and_bounded(catalog: Catalog, household: Household, make_request: MakeRequest) -> None:
    evil = "\u202eevil\x00 na\x1b[31mme\u2066\u200f" + "x" * 200
    p = detect(catalog, household, make_request(LIVE, SEND_GOLD, body=gold_form(ruid=evil), content_type=FORM))
    assert p.recipient == ("evil na[31mme" + "x" * 200)[:MAX_RECIPIENT]
    assert len(p.recipient) == MAX_RECIPIENT == 64


def test_recipient_falls_back_to_the_next_field(
    catalog: Catalog, household: Household, make_request: MakeRequest
) -> None:
    body = urlencode({"price": "100", "gift_num": "1", "send_ruid": "99"}).encode()
    assert detect(catalog, household, make_request(LIVE, MULTI, body=body, content_type=FORM)).recipient == "99"
    body = urlencode({"price": "100", "gift_num": "1"}).encode()
    assert detect(catalog, household, make_request(LIVE, MULTI, body=body, content_type=FORM)).recipient is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        ({"a": 1}, None),
        ([1], None),
        ("", None),
        ("  ", None),
        ("\x00\x01", None),
        ("  mia  ", "mia"),
        (672328094, "672328094"),
        (Decimal("1.5"), "1.5"),
        ("a\tb\nc\rd", "abcd"),
        ("a\x7fb\x85c\x9fd", "abcd"),  # DEL and C1 controls
        ("\u202aa\u202bb\u202cc\u202dd\u202ee", "abcde"),  # embeddings and overrides
        ("\u2066a\u2067b\u2068c\u2069d", "abcd"),  # isolates
        ("\u200ea\u200fb\u061cc", "abc"),  # LRM, RLM, ALM
        ("a\u2028b\u2029c", "abc"),
        ("主播小明", "主播小明"),
        ("x" * 100, "x" * 64),
    ],
)
def test_clean_text(value: object, text: str | None) -> None:
    assert clean_text(value) == text


def test_clean_text_limit() -> None:
    assert clean_text("abcdef", limit=3) == "abc"


# Apps priced in another currency use the household's rates.

USD_APP = """\
app = "acme"
currency = "USD"
hosts = ["*.acme.example"]
refusal = { json = '{"error": "$message"}' }
[[rule]]
id = "acme.tip"
kind = "tip"
host = "pay.acme.example"
path = "/tip"
amount = "cents"
unit = "cent"
per_currency = "100"
"""


def test_foreign_currency_is_converted(make_request: MakeRequest) -> None:
    catalog = Catalog([parse_app(USD_APP, Path("acme.toml"))])
    household = Household(currency="CNY", rates={"USD": Decimal("7.2")})
    p = detect(catalog, household, make_request("pay.acme.example", "/tip", {"cents": "500"}))
    assert (p.amount, p.unit, p.money) == (Decimal(500), "cent", cny("36"))


def test_foreign_currency_without_a_rate_is_unreadable(make_request: MakeRequest) -> None:
    catalog = Catalog([parse_app(USD_APP, Path("acme.toml"))])
    p = detect(catalog, Household(currency="CNY"), make_request("pay.acme.example", "/tip", {"cents": "500"}))
    assert (p.money, p.status) == (None, "unreadable")
    assert p.problem == "no rate for USD in household.rates, so no household amount can be given"
    assert (p.amount, p.value, p.currency) == (Decimal(500), Decimal(5), "USD")  # what was read is kept


def test_converted_amount_that_is_absurd_is_unreadable(make_request: MakeRequest) -> None:
    catalog = Catalog(
        [parse_app(USD_APP.replace('per_currency = "100"', 'per_currency = "0.000001"'), Path("acme.toml"))]
    )
    household = Household(currency="CNY", rates={"USD": Decimal("7.2")})
    p = detect(catalog, household, make_request("pay.acme.example", "/tip", {"cents": "1000"}))
    assert (p.money, p.problem) == (None, "the amount is absurdly large")


def test_household_in_the_apps_currency_needs_no_rate(make_request: MakeRequest) -> None:
    catalog = Catalog([parse_app(USD_APP, Path("acme.toml"))])
    p = detect(catalog, Household(currency="USD"), make_request("pay.acme.example", "/tip", {"cents": "250"}))
    assert p.money == Money(Decimal("2.5"), "USD")


def test_an_order_carrying_two_ways_to_pay_is_unreadable(catalog, household, make_request):
    # Pricing pay_gold=0 and ignoring pay_bp would let a 100 CNY battery order through as free.
    purchase = detect(
        catalog,
        household,
        make_request(
            host="api.live.bilibili.com",
            path="/xlive/revenue/v1/order/createOrder",
            query=[("pay_gold", "0"), ("pay_bp", "100000"), ("goods_id", "1")],
        ),
    )
    assert purchase is not None and purchase.money is None
    assert "more than one way to pay" in purchase.problem
