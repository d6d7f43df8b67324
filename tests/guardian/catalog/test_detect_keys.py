"""Rule keys added for real clients: quantity, a default currency, GraphQL exclusions, a request price of zero,
`requires` among the rules whose `when` applies, and gift lists with several item paths and price fields."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from guardian.catalog import gifts
from guardian.catalog.detect import detect
from guardian.catalog.index import Catalog
from guardian.catalog.model import RuleError
from guardian.catalog.request import Request
from guardian.catalog.rulefile import parse_app
from guardian.household.config import Household
from tests.support.acme import FILE, HEAD

RULE_HEAD = HEAD + '\n[[rule]]\nid = "x"\nkind = "gift"\nhost = "a.example"\npath = "/"\namount = "n"\n'
HOUSEHOLD = Household(rates={"USD": Decimal("7"), "GBP": Decimal("9")})
SHOP = (
    HEAD
    + """
[[rule]]
id = "acme.cart.priced"
kind = "checkout"
host = "pay.acme.example"
path = "/**/cgi-bin/webscr"
methods = ["GET", "POST"]
when = { cmd = ["_xclick", "_donations"] }
requires = "amount"
amount = "amount"
quantity = "quantity"
currency = "USD"
currency_field = "currency_code"

[[rule]]
id = "acme.cart.typed_in"
kind = "checkout"
host = "pay.acme.example"
path = "/**/cgi-bin/webscr"
methods = ["GET", "POST"]
when = { cmd = ["_xclick", "_donations"] }
unknown_amount = true

[[rule]]
id = "acme.express"
kind = "checkout"
host = "pay.acme.example"
path = "/**/cgi-bin/webscr"
methods = ["GET"]
when = { cmd = ["_express-checkout"] }
requires = "token"
unknown_amount = true

[[rule]]
id = "acme.gql.cheer"
kind = "gift"
host = "gql.acme.example"
path = "/gql"
operations = ["*sendcheer*"]
amount = "variables.input.bits"
unit = "bits"
currency = "USD"
per_currency = "100"

[[rule]]
id = "acme.gql.purchase"
kind = "checkout"
host = "gql.acme.example"
path = "/gql"
operations = ["*purchase*"]
not_operations = ["DismissPurchaseToken", "*SharePurchase*"]
unknown_amount = true

[[rule]]
id = "acme.gift"
kind = "gift"
host = "live.acme.example"
path = "/gift/send"
gift_id = "gift_id"
price = "price"
amount = "count"
per_currency = "10"
"""
)
CATALOG = Catalog([parse_app(SHOP, FILE)])


def shop(host: str, path: str, query: dict | None = None, body: object = None, method: str = "GET"):
    ctype, raw = "", b""
    if isinstance(body, dict | list) and host.startswith("gql"):
        ctype, raw = "application/json", json.dumps(body).encode()
    elif isinstance(body, dict):
        ctype, raw = "application/x-www-form-urlencoded", urlencode(body).encode()
    req = Request("10.0.0.2", None, method, host, path, tuple((query or {}).items()), ctype, raw)
    return detect(CATALOG, HOUSEHOLD, req)


@pytest.mark.parametrize(
    ("path", "query", "rule", "value", "currency"),
    [
        ("/cgi-bin/webscr", {"cmd": "_xclick", "amount": "19.99", "currency_code": "GBP"}, "acme.cart.priced",
         "19.99", "GBP"),
        ("/cgi-bin/webscr", {"cmd": "_xclick", "amount": "2.50", "quantity": "4", "currency_code": "USD"},
         "acme.cart.priced", "10", "USD"),
        ("/cgi-bin/webscr", {"cmd": "_donations", "amount": "5"}, "acme.cart.priced", "5", "USD"),  # the default
        ("/EN_SG/cgi-bin/webscr", {"cmd": "_xclick", "amount": "1"}, "acme.cart.priced", "1", "USD"),  # any prefix
        ("/cgi-bin/webscr", {"cmd": "_donations"}, "acme.cart.typed_in", None, None),  # the buyer types it in
        ("/cgi-bin/webscr", {"cmd": "_express-checkout", "token": "EC-1"}, "acme.express", None, None),
    ],
)  # fmt: skip
def test_quantity_and_a_default_currency(path, query, rule, value, currency) -> None:
    p = shop("pay.acme.example", path, query)
    assert (p.rule, None if p.value is None else f"{p.value.normalize():f}", p.currency) == (rule, value, currency)
    assert p.status == ("priced" if value else "unknown")


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ({"cmd": "_xclick", "amount": "1", "quantity": "many"}, "the field 'quantity'"),
        ({"cmd": "_xclick", "amount": "1", "quantity": "1", "currency_code": "EURO"}, "is not a currency code"),
        ({"cmd": "_xclick", "amount": "1", "token": "EC-1"}, None),  # `requires` of a rule whose `when` fails
    ],
)
def test_a_quantity_present_must_be_read_and_only_live_rules_make_two_ways_to_pay(query, problem) -> None:
    p = shop("pay.acme.example", "/cgi-bin/webscr", query)
    if problem is None:
        assert p.status == "priced" and p.rule == "acme.cart.priced"
    else:
        assert p.status == "unreadable" and problem in p.problem


def test_other_commands_on_the_same_path_are_not_purchases() -> None:
    assert shop("pay.acme.example", "/cgi-bin/webscr", {"cmd": "_cart", "add": "1"}) is None
    assert shop("pay.acme.example", "/cgi-bin/webscr", {"cmd": "_express-checkout"}) is None  # no token


@pytest.mark.parametrize(
    ("name", "rule", "status"),
    [
        ("ChatInput_SendCheer", "acme.gql.cheer", "priced"),
        ("RoomInput_SendCheer", "acme.gql.cheer", "priced"),
        ("PurchaseOffer", "acme.gql.purchase", "unknown"),
        ("DismissPurchaseToken", None, None),
        ("Chat_SharePurchase_ChannelData", None, None),
        ("SharePurchaseTokenInChat", None, None),
    ],
)
def test_not_operations_exclude_names_a_glob_would_catch(name, rule, status) -> None:
    body = {"operationName": name, "variables": {"input": {"bits": 250, "targetID": "9"}}}
    p = shop("gql.acme.example", "/gql", body=body, method="POST")
    assert (p and p.rule, p and p.status) == (rule, status)
    if status == "priced":
        assert (p.amount, p.money.amount) == (Decimal(250), Decimal("17.5"))


def test_an_excluded_name_in_an_unnamed_document_does_not_count() -> None:
    body = {"query": "mutation { dismissPurchaseToken(id: 1) { ok } }"}
    assert shop("gql.acme.example", "/gql", body=body, method="POST") is None
    body = {"query": "mutation DismissPurchaseToken { purchaseOffer(x: 1) { ok } }"}
    assert shop("gql.acme.example", "/gql", body=body, method="POST").rule == "acme.gql.purchase"


@pytest.mark.parametrize(
    ("form", "status", "value"),
    [
        ({"gift_id": "7", "count": "2", "price": "30"}, "priced", "6"),  # no gift list yet: the request's price
        ({"gift_id": "7", "count": "2"}, "unknown", None),
        ({"gift_id": "7", "count": "2", "price": "0"}, "unknown", None),  # "free" on its own word: not believed
    ],
)
def test_a_gift_priced_only_by_its_request(form, status, value) -> None:
    p = shop("live.acme.example", "/gift/send", body=form, method="POST")
    assert (p.status, None if p.value is None else f"{p.value.normalize():f}") == (status, value)


def test_not_operations_need_operations() -> None:
    text = (
        HEAD
        + '\n[[rule]]\nid = "x"\nkind = "gift"\nhost = "a.example"\npath = "/"\namount = "n"\nnot_operations = ["A"]\n'
    )
    with pytest.raises(RuleError) as e:
        parse_app(text, FILE)
    assert (e.value.key, e.value.reason) == ("rule[0].not_operations", "only with operations")


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("confidence", '"sure"', "expected one of high, medium, low"),
        ("sources", "3", "expected a name or a list of names, got 3"),
        ("quantity", '""', "expected a field name, got ''"),
    ],
)
def test_bad_new_keys(key, value, reason) -> None:
    text = (
        HEAD + f'\n[[rule]]\nid = "x"\nkind = "gift"\nhost = "a.example"\npath = "/"\namount = "n"\n{key} = {value}\n'
    )
    with pytest.raises(RuleError) as e:
        parse_app(text, FILE)
    assert (e.value.key, e.value.reason) == (f"rule[0].{key}", reason)


def test_a_gift_list_with_nested_pages_and_a_fallback_price_field() -> None:
    spec = Catalog.load().apps["douyin"].gift_lists[0]
    body = {
        "data": {
            "gifts": [{"id": 1, "diamond_count": 1}],
            "pages": [
                {"gifts": [{"id": 2, "diamond_count": 99}, {"id": 3, "gift_price": 520}]},
                {"gifts": [{"id": 4, "diamond_count": 0, "gift_price": 9}]},  # the first present field counts
                {"title": "no gifts"},
            ],
        }
    }
    assert gifts.parse_gift_list(spec, json.dumps(body).encode()) == {
        "1": Decimal(1),
        "2": Decimal(99),
        "3": Decimal(520),
        "4": Decimal(0),
    }
