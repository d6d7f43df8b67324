"""Property tests: any request to a payment endpoint is a Purchase (fail closed); unreadable ones are refused."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.catalog.detect import _CONTROL, MAX_RECIPIENT, _price, detect
from guardian.catalog.fields import Fields
from guardian.catalog.index import Catalog
from guardian.catalog.model import Rule
from guardian.catalog.request import Request, normalize_path
from guardian.enforce.policy import Reason, decide
from guardian.household.config import Child, Household
from guardian.household.money import ABSURD
from guardian.household.periods import Calendar
from guardian.store.spend import Spending

FUZZ = settings(max_examples=300, deadline=None)
CATALOG = Catalog.load()
RULES = [r for app in CATALOG.apps.values() for r in app.rules if r.transport == "http"]
GRAPHQL = [r for r in RULES if r.operations]
HOUSEHOLD = Household(rates={"USD": __import__("decimal").Decimal("7.2")})
CALENDAR = Calendar(ZoneInfo("Asia/Shanghai"), 0)
FIELD_NAMES = sorted(
    {n for r in RULES for n in (*r.amount, *r.recipient, r.requires or "", *(k for k, _ in r.free_when))} - {""}
)
amounts = st.one_of(
    st.integers(-10, 10**12),
    st.text(max_size=12),
    st.sampled_from(["\u202eevil", "a\x00b", "\u3000x"]),
    st.sampled_from(["1.5", "1e3", " 7 ", "0x10", "NaN", "-0", "１２"]),
    st.floats(allow_nan=True),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)


def path_for(rule: Rule, data: st.DataObject) -> str:
    """A concrete path matching the rule's pattern ("*" and "**" filled in)."""
    pattern = rule.path.pattern
    if pattern.startswith("(?:") and pattern.endswith(")|/"):  # "/**": any path, the root included
        pattern = pattern[3:-3]
    for wild in (r"(?:/[^/]+)*", r"/[^/]+"):
        while wild in pattern:
            pattern = pattern.replace(wild, "/" + data.draw(st.from_regex(r"\A[a-z0-9]{1,6}\Z")), 1)
    path = re.sub(r"\\(.)", r"\1", pattern)
    assert rule.path.fullmatch(path), (rule.id, path)
    return path


@st.composite
def payment_requests(draw) -> Request:
    rule = draw(st.sampled_from(RULES))
    fields = draw(st.dictionaries(st.sampled_from(FIELD_NAMES), amounts, max_size=6))
    where = draw(st.sampled_from(["json", "form", "query", "garbage"]))
    query: tuple = ()
    if where == "json":
        body, ctype = json.dumps(fields, default=str).encode(), "application/json"
    elif where == "form":
        body, ctype = "&".join(f"{k}={v}" for k, v in fields.items()).encode(), "application/x-www-form-urlencoded"
    elif where == "query":
        body, ctype, query = b"", "", tuple((k, str(v)) for k, v in fields.items())
    else:
        body, ctype = draw(st.binary(max_size=100)), draw(st.sampled_from(["", "application/json", "text/plain"]))
    method = draw(st.sampled_from(sorted(rule.methods)))
    return Request("10.0.0.2", None, method, rule.host, path_for(rule, draw(st.data())), query, ctype, body)


def unconditional(request: Request) -> bool:
    """Whether every rule for this endpoint makes any request a purchase: no GraphQL operation names, no `when`
    conditions and no free variants (those legitimately pass requests that are not purchases)."""
    rules = CATALOG.rules_matching(request.host, normalize_path(request.path))
    return bool(rules) and not any(r.operations or r.when or r.free_when for r in rules)


def costs_nothing(request: Request) -> bool:
    """Whether a rule of this endpoint reads the request as a zero amount (not a purchase: nothing to pay)."""
    for rule in CATALOG.rules_matching(request.host, normalize_path(request.path)):
        try:
            if _price(rule, Fields(request), CATALOG, None) == 0:
                return True
        except Exception:
            continue
    return False


@FUZZ
@given(payment_requests())
def test_payment_endpoints_fail_closed(request):
    purchase = detect(CATALOG, HOUSEHOLD, request)
    if purchase is None:
        assert not unconditional(request) or costs_nothing(request), request
        return
    if purchase.money is None:
        assert purchase.problem
        child = Child("Mia")  # no caps and no windows at all: still refused
        decision = decide(purchase, child, Spending.zero("CNY"), datetime.now(UTC), CALENDAR)
        assert not decision.allowed and decision.reason in (Reason.UNREADABLE, Reason.UNKNOWN_AMOUNT)
    else:
        assert 0 <= purchase.money.amount <= ABSURD and purchase.money.currency == "CNY"
    if purchase.recipient is not None:
        assert len(purchase.recipient) <= MAX_RECIPIENT and not _CONTROL.search(purchase.recipient)


@FUZZ
@given(
    st.sampled_from(sorted({r.host for r in RULES}) + ["news.example"]),
    st.text(max_size=30),
    st.binary(max_size=60),
    st.sampled_from(["GET", "POST", "PUT", "OPTIONS"]),
)
def test_any_request_to_an_app_host_never_raises(host, path, body, method):
    purchase = detect(CATALOG, HOUSEHOLD, Request("10.0.0.2", None, method, host, "/" + path, (), "", body))
    assert purchase is None or purchase.rule in {r.id for r in RULES}


def _op_name(rule) -> str:
    """A concrete operation name the rule's glob matches (its '*' filled with letters)."""
    return re.sub(r"[^a-z_]", "", rule.operations[0].pattern.split("(?s:")[-1].replace(".*", "x"))


@st.composite
def graphql_batches(draw) -> tuple[Request, str]:
    rule = draw(st.sampled_from(GRAPHQL))
    name = _op_name(rule)
    assert rule.operations[0].fullmatch(name), (rule.id, name)
    spelled = "".join(c.upper() if draw(st.booleans()) else c for c in name)
    gift = {
        "variables": draw(
            st.dictionaries(st.sampled_from(["giftId", "count", "amount", "liveStreamId"]), amounts, max_size=4)
        ),
        "query": f"mutation {spelled} {{ {spelled} {{ result }} }}",
    }
    style = draw(st.sampled_from(["named", "absent", "null"]))
    if style == "named":
        gift["operationName"] = spelled
    elif style == "null":
        gift["operationName"] = None
    harmless = [
        {"operationName": n, "query": f"query {n} {{ me {{ id }} }}", "variables": {}}
        for n in draw(st.lists(st.sampled_from(["LiveDetail", "UserInfo", "Feed", "Comments"]), max_size=4))
    ]
    batch = harmless[:]
    batch.insert(draw(st.integers(0, len(harmless))), gift)
    body = batch if len(batch) > 1 or draw(st.booleans()) else gift
    path = path_for(rule, draw(st.data()))
    return Request(
        "10.0.0.2", None, "POST", rule.host, path, (), "application/json", json.dumps(body, default=str).encode()
    ), style


@FUZZ
@given(graphql_batches())
def test_a_graphql_purchase_anywhere_in_a_batch_is_a_purchase(case):
    request, _ = case
    assert detect(CATALOG, HOUSEHOLD, request) is not None, request
