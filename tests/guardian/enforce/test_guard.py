import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

from guardian.catalog import gifts
from guardian.catalog.index import Catalog
from guardian.catalog.model import Success
from guardian.catalog.request import MAX_BODY, Request
from guardian.enforce.answers import DECISION_HEADER, REASON_HEADER
from guardian.enforce.guard import Guard, outcome
from guardian.enforce.policy import Reason, explain
from guardian.household import configfile
from guardian.household.money import Money
from guardian.store import unrecognised
from guardian.store.ledger import ACCEPTED, FAILED, Ledger
from tests.support.ledgers import spending

SHANGHAI = ZoneInfo("Asia/Shanghai")
SATURDAY_NOON = datetime(2024, 6, 8, 12, 0, tzinfo=SHANGHAI)
FRIDAY_NOON = datetime(2024, 6, 7, 12, 0, tzinfo=SHANGHAI)
CODE = Success("code", (0,))
ELEC = Success("data.status", (4,))
KUAISHOU = Success("result", (1,))

CONFIG = """\
[household]
unknown_devices = "allow"

[[child]]
name = "Mia"
devices = ["10.0.0.2", "user:mia"]

[child.caps]
per_purchase = "30"
day = "50"

[child.windows.apps]
kuaishou = ["sat-sun 09:00-21:00"]
"""

MakeRequest = Callable[..., Request]


@pytest.mark.parametrize(
    ("success", "status", "body", "result"),
    [
        (CODE, 200, b'{"code": 0, "message": "0", "data": {}}', ACCEPTED),
        (CODE, 200, b'{"code": 200013, "message": "balance"}', FAILED),
        (CODE, 200, b'{"code": -101}', FAILED),
        (CODE, 200, b'{"code": "0"}', FAILED),  # a string is not the number the app answers with
        (CODE, 400, b'{"code": 0}', FAILED),
        (CODE, 403, b"", FAILED),
        (CODE, 500, b"<html>oops</html>", FAILED),
        (CODE, 502, None, FAILED),
        (CODE, 200, b"<html>not json</html>", ACCEPTED),  # unclear: spending is not forgiven
        (CODE, 200, b"\xff\xfe\x00", ACCEPTED),
        (CODE, 200, b"", ACCEPTED),
        (CODE, 200, None, ACCEPTED),
        (CODE, 200, b'{"message": "no code"}', ACCEPTED),
        (CODE, 200, b"[1, 2]", ACCEPTED),
        (CODE, 200, b'{"code": 1}' + b" " * MAX_BODY, ACCEPTED),  # too large to read
        (CODE, 204, b"", ACCEPTED),
        (CODE, 302, b"", ACCEPTED),
        (CODE, 399, b'{"code": 0}', ACCEPTED),
        (ELEC, 200, b'{"code": 0, "data": {"status": 4}}', ACCEPTED),
        (ELEC, 200, b'{"code": 0, "data": {"status": -4, "msg": "B \\u5e01\\u4f59\\u989d\\u4e0d\\u8db3"}}', FAILED),
        (ELEC, 200, b'{"code": 0, "data": null}', ACCEPTED),
        (KUAISHOU, 200, b'{"result": 1}', ACCEPTED),
        (KUAISHOU, 200, b'{"result": 0, "error_msg": "x"}', FAILED),
        (None, 200, b'{"code": 99}', ACCEPTED),
        (None, 404, b"", FAILED),
    ],
)
def test_outcome(success: Success | None, status: int, body: bytes | None, result: str) -> None:
    assert outcome(success, status, body) == result


@pytest.fixture
def guard(tmp_path: Path, catalog: Catalog) -> Iterator[Guard]:
    c = configfile.parse(CONFIG, tmp_path / "guardian.toml", catalog.apps)
    ledger = Ledger(c.storage)
    yield Guard(c, catalog, ledger)
    ledger.close()


def gold(price: str = "1000", num: str = "1", **kw: object) -> Callable[[MakeRequest], Request]:
    body = urlencode({"price": price, "gift_num": num, "ruid": "42", "coin_type": "gold"}).encode()
    return lambda make: make(
        "api.live.bilibili.com",
        "/xlive/revenue/v1/gift/sendGold",
        body=body,
        content_type="application/x-www-form-urlencoded",
        **kw,
    )


def test_app_for(guard: Guard) -> None:
    assert guard.app_for("api.live.bilibili.com").id == "bilibili"
    assert guard.app_for("news.example") is None


def test_detect_delegates_to_the_catalog(guard: Guard, make_request: MakeRequest) -> None:
    p = guard.detect(gold("1000", "3")(make_request))
    assert (p.rule, p.money) == ("bilibili.gift.sendGold", Money(Decimal(3), "CNY"))
    assert guard.detect(make_request("www.bilibili.com", "/video/BV1")) is None


def test_judge_allows_and_records(guard: Guard, make_request: MakeRequest) -> None:
    request = gold("1000", "10")(make_request)
    verdict = guard.judge(request, guard.detect(request), SATURDAY_NOON)
    assert verdict.decision.allowed and verdict.answer is None
    (row,) = guard.ledger.rows()
    assert (row.id, row.child, row.client_ip, row.amount, row.decision, row.outcome) == (
        verdict.attempt_id,
        "Mia",
        "10.0.0.2",
        "10",
        "allowed",
        "pending",
    )


def test_judge_refuses_in_the_apps_json_shape(guard: Guard, make_request: MakeRequest) -> None:
    request = gold("1000", "31")(make_request)  # 31 CNY, over the per-purchase cap of 30
    verdict = guard.judge(request, guard.detect(request), SATURDAY_NOON)
    assert not verdict.decision.allowed and verdict.decision.reason == Reason.PER_PURCHASE
    answer = verdict.answer
    assert answer.status == 200
    assert answer.headers[DECISION_HEADER] == "blocked"
    assert answer.headers[REASON_HEADER] == "per-purchase"
    assert answer.headers["Content-Type"].startswith("application/json")
    doc = json.loads(answer.body)
    assert doc["code"] == 200013 and doc["data"] is None
    assert explain(Reason.PER_PURCHASE, "zh") in doc["message"]
    (row,) = guard.ledger.rows()
    assert (row.decision, row.reason, row.outcome) == ("blocked", "per-purchase", "never-contacted")


def test_judge_refuses_a_page_load_with_html(guard: Guard, make_request: MakeRequest) -> None:
    query = {"total_amount": "5000", "trade_type": "H5"}
    request = make_request("tp-pay.snssdk.com", "/cashdesk/", query, method="GET", navigation=True)
    verdict = guard.judge(request, guard.detect(request), SATURDAY_NOON)
    assert verdict.decision.reason == Reason.PER_PURCHASE
    assert verdict.answer.status == 403
    assert verdict.answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert verdict.answer.headers[REASON_HEADER] == "per-purchase"
    assert "(Douyin)" in verdict.answer.body.decode()


def test_judge_enforces_the_day_cap_across_calls(guard: Guard, make_request: MakeRequest) -> None:
    decisions = []
    for _ in range(3):
        request = gold("1000", "20")(make_request)
        decisions.append(guard.judge(request, guard.detect(request), SATURDAY_NOON).decision.reason)
    assert decisions == [None, None, Reason.DAY_CAP]


def test_a_renamed_childs_spending_questions_and_alerts_stay_under_her_id(
    tmp_path: Path, catalog: Catalog, make_request: MakeRequest
) -> None:
    from guardian.store import approvals, outbox

    path = tmp_path / "guardian.toml"
    before = configfile.parse(CONFIG + '[child.ask]\napps = ["douyin"]\n', path, catalog.apps)
    ledger = Ledger(before.storage)
    try:
        request = gold("1000", "30")(make_request)
        assert (
            Guard(before, catalog, ledger)
            .judge(request, Guard(before, catalog, ledger).detect(request), SATURDAY_NOON)
            .decision.allowed
        )
        # The parent renames Mia to Lily: the dashboard writes id = "Mia" first.
        text = CONFIG.replace('name = "Mia"', 'id = "Mia"\nname = "Lily"')
        after = configfile.parse(text + '[child.ask]\napps = ["douyin"]\n', path, catalog.apps)
        guard = Guard(after, catalog, ledger)
        over = gold("1000", "21")(make_request)  # 30 + 21 > the day cap of 50: the 30 spent before still counts
        verdict = guard.judge(over, guard.detect(over), SATURDAY_NOON)
        assert verdict.decision.reason == Reason.DAY_CAP
        assert [r.child for r in ledger.rows()] == ["Mia", "Mia"]
        note = outbox.pending(ledger.conn)[-1]
        assert note.child == "Mia" and note.title.startswith("已为 Lily 拦截")  # the household's Chinese
        query = {"total_amount": "500", "trade_type": "H5"}
        held = make_request("tp-pay.snssdk.com", "/cashdesk/", query, method="GET")
        guard.judge(held, guard.detect(held), SATURDAY_NOON)
        (question,) = approvals.pending(ledger.conn)
        assert question.child == "Mia" and outbox.pending(ledger.conn)[-1].title.startswith("Lily 请求消费")
        # 30 + 20 uses up the day cap of 50 spent under both names: a preflight is answered for the refusal.
        full = gold("1000", "20")(make_request)
        assert guard.judge(full, guard.detect(full), SATURDAY_NOON).decision.allowed
        send = make_request("api.live.bilibili.com", "/xlive/revenue/v1/gift/sendGold")
        answer = guard.preflight_purchase(
            catalog.apps["bilibili"], send, "https://live.bilibili.com", "", SATURDAY_NOON
        )
        assert answer is not None and answer.headers[REASON_HEADER] == "day-cap"
    finally:
        ledger.close()


def test_judge_unreadable(guard: Guard, make_request: MakeRequest) -> None:
    request = gold("1000", "lots")(make_request)
    purchase = guard.detect(request)
    verdict = guard.judge(request, purchase, SATURDAY_NOON)
    assert verdict.decision.reason == Reason.UNREADABLE
    assert json.loads(verdict.answer.body)["code"] == 200013


def test_judge_identifies_the_child_by_proxy_user(guard: Guard, make_request: MakeRequest) -> None:
    request = gold("1000", "31", client="10.0.0.77", user="mia")(make_request)
    verdict = guard.judge(request, guard.detect(request), SATURDAY_NOON)
    assert verdict.decision.reason == Reason.PER_PURCHASE
    assert guard.ledger.rows()[0].proxy_user == "mia"


def test_unlisted_device_is_allowed_and_recorded(guard: Guard, make_request: MakeRequest) -> None:
    request = gold("1000", "500", client="10.0.0.99")(make_request)
    verdict = guard.judge(request, guard.detect(request), SATURDAY_NOON)
    assert verdict.decision.allowed and verdict.answer is None
    (row,) = guard.ledger.rows()
    assert (row.child, row.client_ip, row.amount) == (None, "10.0.0.99", "500")


def test_judge_refuses_outside_the_app_window(guard: Guard, make_request: MakeRequest) -> None:
    body = json.dumps({"ksCoin": 10, "fen": 100}).encode()
    request = make_request(
        "pay.ssl.kuaishou.com",
        "/rest/k/pay/kscoin/deposit/nlogin/kspay/cashier",
        body=body,
        content_type="application/json",
    )
    verdict = guard.judge(request, guard.detect(request), FRIDAY_NOON)
    assert verdict.decision.reason == Reason.APP_WINDOW
    assert json.loads(verdict.answer.body)["result"] == 0
    assert guard.judge(request, guard.detect(request), SATURDAY_NOON).decision.allowed


def test_settle_uses_the_rules_success_test(guard: Guard, make_request: MakeRequest) -> None:
    body = urlencode({"bp_num": "20", "up_mid": "7"}).encode()
    request = make_request(
        "api.bilibili.com",
        "/x/ugcpay/web/v2/trade/elec/pay/quick",
        body=body,
        content_type="application/x-www-form-urlencoded",
    )
    purchase = guard.detect(request)
    verdict = guard.judge(request, purchase, SATURDAY_NOON)
    # 充电 answers code 0 with data.status -4 when the balance is short: a failure that stops counting.
    assert guard.settle(verdict.attempt_id, purchase.rule, 200, b'{"code": 0, "data": {"status": -4}}') == FAILED
    spent = spending(guard.ledger, "Mia", SATURDAY_NOON, guard.calendar, "CNY")
    assert spent.day == Money(Decimal(0), "CNY")
    verdict = guard.judge(request, purchase, SATURDAY_NOON)
    assert guard.settle(verdict.attempt_id, purchase.rule, 200, b'{"code": 0, "data": {"status": 4}}') == ACCEPTED
    assert spending(guard.ledger, "Mia", SATURDAY_NOON, guard.calendar, "CNY").day == Money(Decimal(20), "CNY")


def test_settle_http_error_and_app_error(guard: Guard, make_request: MakeRequest) -> None:
    request = gold("1000", "10")(make_request)
    purchase = guard.detect(request)
    first = guard.judge(request, purchase, SATURDAY_NOON).attempt_id
    second = guard.judge(request, purchase, SATURDAY_NOON).attempt_id
    third = guard.judge(request, purchase, SATURDAY_NOON).attempt_id
    assert guard.settle(first, purchase.rule, 502, b"") == FAILED
    assert guard.settle(second, purchase.rule, 200, b'{"code": 200013, "message": "x"}') == FAILED
    assert guard.settle(third, purchase.rule, 200, b"garbled") == ACCEPTED
    assert {r.id: r.outcome for r in guard.ledger.rows()} == {first: FAILED, second: FAILED, third: ACCEPTED}
    assert spending(guard.ledger, "Mia", SATURDAY_NOON, guard.calendar, "CNY").day == Money(Decimal(10), "CNY")


def test_app_closed(guard: Guard) -> None:
    kuaishou, bilibili = guard.catalog.apps["kuaishou"], guard.catalog.apps["bilibili"]
    answer = guard.app_closed(kuaishou, "10.0.0.2", None, FRIDAY_NOON, navigation=False)
    assert answer is not None
    assert answer.headers[REASON_HEADER] == "app-window"
    assert json.loads(answer.body)["result"] == 0
    page = guard.app_closed(kuaishou, "10.0.0.2", None, FRIDAY_NOON, navigation=True)
    assert page.status == 403 and b"Kuaishou" in page.body
    assert guard.app_closed(kuaishou, "10.0.0.2", None, SATURDAY_NOON, navigation=False) is None
    assert guard.app_closed(bilibili, "10.0.0.2", None, FRIDAY_NOON, navigation=False) is None
    assert guard.app_closed(kuaishou, "10.0.0.99", None, FRIDAY_NOON, navigation=False) is None  # unlisted, allowed
    assert guard.app_closed(kuaishou, "10.0.0.99", "mia", FRIDAY_NOON, navigation=False) is not None


def test_app_closed_uses_the_household_clock(guard: Guard) -> None:
    kuaishou = guard.catalog.apps["kuaishou"]
    # Saturday 08:30 in Shanghai is Saturday 00:30 UTC: the window opens at 09:00 local.
    assert guard.app_closed(kuaishou, "10.0.0.2", None, datetime(2024, 6, 8, 0, 30, tzinfo=UTC), False) is not None
    assert guard.app_closed(kuaishou, "10.0.0.2", None, datetime(2024, 6, 8, 1, 0, tzinfo=UTC), False) is None


# --- the questions the proxy adapter asks (addons/): it never reaches past the guard


@pytest.mark.parametrize(
    ("names", "app", "host"),
    [
        (["api.live.bilibili.com"], "bilibili", "api.live.bilibili.com"),
        (["API.Live.Bilibili.com.", "api.live.bilibili.com:443"], "bilibili", "api.live.bilibili.com"),
        (["203.0.113.5", "api.live.bilibili.com"], "bilibili", "api.live.bilibili.com"),  # an address, the app's Host
        (["www.bilibili.com", "api.live.bilibili.com"], "bilibili", "api.live.bilibili.com"),  # rules win
        (["www.bilibili.com", "203.0.113.5"], "bilibili", "www.bilibili.com"),
        (["news.example", "news.example:443"], None, ""),
        ([], None, ""),
    ],
)
def test_app_host(guard: Guard, names: list[str], app: str | None, host: str) -> None:
    found, name = guard.app_host(names)
    assert (None if found is None else found.id, name) == (app, host)


def test_host_questions(guard: Guard) -> None:
    assert guard.has_payment_rules("api.live.bilibili.com") and not guard.has_payment_rules("www.bilibili.com")
    assert guard.passes_through("p25-buy.itunes.apple.com") and not guard.passes_through("pay.bilibili.com")
    assert guard.judges_connections_to("p25-buy.itunes.apple.com")  # pass-through
    assert guard.judges_connections_to("pay.bilibili.com")  # a payment host
    assert not guard.judges_connections_to("api.live.bilibili.com") and not guard.judges_connections_to("news.example")


def test_refusal_is_the_apps_own(guard: Guard) -> None:
    answer = guard.refusal("kuaishou", Reason.UNREADABLE, navigation=False)
    assert answer.headers[REASON_HEADER] == "unreadable" and json.loads(answer.body)["result"] == 0
    assert guard.refusal("kuaishou", Reason.UNREADABLE, navigation=True).status == 403


def test_gift_list(guard: Guard) -> None:
    spec = guard.gift_list("live.douyin.com", "/webcast/gift/list/?aid=6383")
    assert spec is not None and spec.app == "douyin"
    assert guard.gift_list("live.douyin.com", "/webcast/gift/send/") is None
    assert guard.gift_list("api.live.bilibili.com", "/webcast/gift/list/") is None


def test_learned_gift_prices_are_kept_and_loaded_again(guard: Guard, catalog: Catalog) -> None:
    guard.prices = gifts.PriceBook(catalog)
    spec = guard.gift_list("live.douyin.com", "/webcast/gift/list/")
    body = b'{"data": {"gifts": [{"id": 77, "diamond_count": 52}, {"id": 78, "diamond_count": 1}]}}'
    assert guard.learn_gift_list(spec, body, SATURDAY_NOON) == 2
    assert guard.learn_gift_list(spec, b"<html>", SATURDAY_NOON) == 0  # not a gift list: logged, nothing learned
    fresh = Guard(guard.config, catalog, guard.ledger, gifts.PriceBook(catalog))
    fresh.load_learned_prices()
    assert fresh.prices.price("douyin", "77") == Decimal(52)


def test_unrecognised_purchase_like_requests(guard: Guard, make_request: MakeRequest) -> None:
    order = make_request("www.douyu.com", "/japi/prop/newgift/order/123456", method="POST")
    assert guard.unrecognised(order) == "/japi/prop/newgift/order/{id}"
    assert guard.unrecognised(make_request("www.douyu.com", "/japi/prop/newgift/order/1", method="GET")) is None
    assert guard.unrecognised(gold()(make_request)) is None  # a rule matches it: not unrecognised
    guard.record_unrecognised("douyu", "www.douyu.com", "POST", "/japi/prop/newgift/order/{id}", SATURDAY_NOON)
    [row] = unrecognised.recent(guard.ledger.conn)
    assert (row.app, row.host, row.method, row.path) == (
        "douyu",
        "www.douyu.com",
        "POST",
        "/japi/prop/newgift/order/{id}",
    )


def test_an_allowed_purchase_that_never_reached_the_server_stops_counting(
    guard: Guard, make_request: MakeRequest
) -> None:
    request = gold("1000", "10")(make_request)
    verdict = guard.judge(request, guard.detect(request), SATURDAY_NOON)
    guard.never_reached(verdict.attempt_id)
    assert [r.outcome for r in guard.ledger.rows()] == ["never-contacted"]
    assert spending(guard.ledger, "Mia", SATURDAY_NOON, guard.calendar, "CNY").day == Money(Decimal(0), "CNY")


def test_websocket_messages_are_judged_and_an_allowed_one_is_settled_at_once(
    tmp_path: Path, catalog: Catalog, make_request: MakeRequest
) -> None:
    rated = CONFIG.replace('unknown_devices = "allow"\n', 'unknown_devices = "allow"\nrates = { BITS = "0.1" }\n')
    c = configfile.parse(rated, tmp_path / "guardian.toml", catalog.apps)
    guard = Guard(c, catalog, Ledger(c.storage))
    assert guard.judges_messages("irc-ws.chat.twitch.tv") and not guard.judges_messages("gql.twitch.tv")
    assert guard.detect_message("irc-ws.chat.twitch.tv", "PRIVMSG #mia :hello") is None
    request = make_request("irc-ws.chat.twitch.tv", "/", method="GET")
    small = guard.detect_message("irc-ws.chat.twitch.tv", "PRIVMSG #mia :Cheer100")  # 10 CNY
    big = guard.detect_message("irc-ws.chat.twitch.tv", "PRIVMSG #mia :Cheer400")  # 40 CNY, over 30 per purchase
    assert (small.rule, small.amount, small.money) == ("twitch.cheer", Decimal(100), Money(Decimal(10), "CNY"))
    allowed, refused = (guard.judge_message(request, p, SATURDAY_NOON) for p in (small, big))
    assert allowed.answer is None and refused.answer.headers[REASON_HEADER] == "per-purchase"
    assert {r.id: r.outcome for r in guard.ledger.rows()} == {
        allowed.attempt_id: "accepted",
        refused.attempt_id: "never-contacted",
    }
    guard.ledger.close()


@pytest.mark.parametrize(
    ("origin", "own"),
    [
        ("https://live.bilibili.com", True),
        ("https://www.bilibili.com", True),
        ("http://live.bilibili.com:8080", True),
        ("https://LIVE.bilibili.com.", True),
        ("https://evil.example", False),
        ("https://bilibili.com.evil.example", False),
        ("https://live.douyin.com", False),  # another app's page
        ("null", False),  # a sandboxed page or a file
        ("", False),
        (None, False),
        ("file://live.bilibili.com", False),
        ("https://live.bilibili.com/path", False),
        ("https://user@live.bilibili.com", False),
        ("https://live.bilibili.com\r\nX: y", False),
        ("https://" + "a." * 200 + "bilibili.com", False),  # too long to be a real one
    ],
)
def test_a_page_origin_is_the_apps_own_or_none(guard: Guard, origin: str | None, own: bool) -> None:
    app = guard.catalog.apps["bilibili"]
    assert guard.page_origin(app, origin) == (origin if own else None)


def test_pays_at_reads_method_host_and_path(guard: Guard, make_request: MakeRequest) -> None:
    assert guard.pays_at(make_request("api.live.bilibili.com", "/xlive/revenue/v1/gift/sendGold"))
    assert not guard.pays_at(make_request("api.live.bilibili.com", "/xlive/revenue/v1/gift/sendGold", method="GET"))
    assert not guard.pays_at(make_request("api.live.bilibili.com", "/xlive/web-room/v1/index/getInfoByRoom"))


def test_a_preflight_is_answered_only_when_the_request_will_be_refused(guard: Guard, make_request: MakeRequest):
    bilibili, kuaishou = guard.catalog.apps["bilibili"], guard.catalog.apps["kuaishou"]
    origin = "https://live.bilibili.com"
    send = make_request("api.live.bilibili.com", "/xlive/revenue/v1/gift/sendGold")
    # Open and under the caps: the app's server answers, as always.
    assert guard.preflight_closed(bilibili, send, origin, "content-type", SATURDAY_NOON) is None
    assert guard.preflight_purchase(bilibili, send, origin, "content-type", SATURDAY_NOON) is None
    # Kuaishou outside its hours (Mia's: weekends only): every request is refused, so its preflight is answered.
    ks = make_request("live.kuaishou.com", "/live_graphql")
    closed = guard.preflight_closed(kuaishou, ks, "https://live.kuaishou.com", "", FRIDAY_NOON)
    assert closed is not None and closed.headers[REASON_HEADER] == "app-window"
    # The day's cap used up: no purchase fits, so the preflight is answered for the refusal to come.
    request = gold("1000", "30")(make_request)
    guard.judge(request, guard.detect(request), SATURDAY_NOON)
    request = gold("1000", "20")(make_request)
    guard.judge(request, guard.detect(request), SATURDAY_NOON)  # 50 of 50
    answer = guard.preflight_purchase(bilibili, send, origin, "content-type", SATURDAY_NOON)
    assert answer is not None and answer.status == 204 and answer.headers[REASON_HEADER] == "day-cap"
    assert answer.headers["Access-Control-Allow-Origin"] == origin
    # Another child's device, an unlisted one, or a method that is not one: the server answers.
    other = make_request("api.live.bilibili.com", "/xlive/revenue/v1/gift/sendGold", client="10.9.9.9")
    assert guard.preflight_purchase(bilibili, other, origin, "", SATURDAY_NOON) is None
    odd = make_request("api.live.bilibili.com", "/xlive/revenue/v1/gift/sendGold", method="PO ST")
    assert guard.preflight_purchase(bilibili, odd, origin, "", SATURDAY_NOON) is None
