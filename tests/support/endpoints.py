"""One fixture per catalog endpoint: the request an app sends and the purchase Guardian must see.

Used twice: written into a HAR file for `guardian detect`, and sent through the
real proxy to the fake app servers. `before` lists gift-list URLs the app
downloads first (their answers are in tests/support/fakeapps.py GIFT_LISTS).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from tests.support.fakeapps import GIFT_LISTS

# The household these expectations assume: CNY, with rates for the other currencies.
RATES = 'rates = { USD = "7.2", GBP = "9", ROBUX = "0.09", BITS = "0.1", TIKTOK_COINS = "0.1" }'


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: str
    expected: dict  # app, kind, rule, amount, currency, household_amount, recipient, status
    form: dict | None = None
    json_body: object = None
    before: tuple[str, ...] = ()
    headers: dict = field(default_factory=dict)

    def body(self) -> tuple[str, bytes]:
        if self.form is not None:
            return "application/x-www-form-urlencoded", urlencode(self.form).encode()
        if self.json_body is not None:
            return "application/json", json.dumps(self.json_body).encode()
        return "", b""


def _p(app, kind, rule, amount=None, currency=None, household=None, recipient=None, status="priced") -> dict:
    return dict(
        app=app,
        kind=kind,
        rule=rule,
        amount=amount,
        currency=currency,
        household_amount=household,
        recipient=recipient,
        status=status,
    )


def _unknown(app, kind, rule, recipient=None) -> dict:
    return _p(app, kind, rule, recipient=recipient, status="unknown")


BILI = "https://api.live.bilibili.com"
BILI_LIST = f"{BILI}/xlive/web-room/v1/giftPanel/roomGiftList?room_id=1"
DOUYIN_LIST = "https://live.douyin.com/webcast/gift/list/?aid=6383&room_id=7"
TIKTOK_LIST = "https://webcast.tiktok.com/webcast/gift/list/?aid=1988"
KS_LIST = "https://live.kuaishou.com/live_api/emoji/allgifts"
DOUYU_LIST = "https://open.douyucdn.cn/api/RoomApi/room/9999"
ALIPAY_BIZ = json.dumps(
    {"out_trade_no": "T1", "total_amount": "88.88", "subject": "coins", "product_code": "FAST_INSTANT_TRADE_PAY"}
)

ENDPOINTS = [
    Endpoint(
        "bilibili sendGold (form)",
        "POST",
        f"{BILI}/xlive/revenue/v1/gift/sendGold",
        _p("bilibili", "gift", "bilibili.gift.sendGold", "2", "CNY", "2", "42"),
        form={"gift_id": "31039", "price": "1000", "gift_num": "2", "ruid": "42", "coin_type": "gold", "biz_id": "1"},
    ),
    Endpoint(
        "bilibili sendGoldMultiUser (all in the query)",
        "POST",
        f"{BILI}/xlive/revenue/v2/gift/sendGoldMultiUser?gift_id=31036&price=5000&gift_num=1&ruid=43&coin_type=gold",
        _p("bilibili", "gift", "bilibili.gift.sendGoldMultiUser", "5", "CNY", "5", "43"),
    ),
    Endpoint(
        "bilibili Super Chat createOrder",
        "POST",
        f"{BILI}/xlive/revenue/v1/order/createOrder",
        _p("bilibili", "superchat", "bilibili.superchat.createOrder", "30", "CNY", "30", "44"),
        form={"pay_gold": "30000", "goods_id": "12", "goods_num": "1", "context_id": "44", "context_type": "1"},
    ),
    Endpoint(
        "bilibili battery createOrder (B-coins)",
        "POST",
        f"{BILI}/xlive/revenue/v1/order/createOrder",
        _p("bilibili", "recharge", "bilibili.battery.createOrder", "10", "CNY", "10", "45"),
        form={"pay_bp": "10000", "goods_id": "1", "goods_num": "10", "context_id": "45", "context_type": "11"},
    ),
    Endpoint(
        "bilibili createQrCodeOrder",
        "POST",
        f"{BILI}/xlive/revenue/v1/order/createQrCodeOrder",
        _p("bilibili", "recharge", "bilibili.battery.createQrCodeOrder", "6", "CNY", "6"),
        form={"pay_cash": "6000"},
    ),
    Endpoint(
        "bilibili 充电 quick",
        "POST",
        "https://api.bilibili.com/x/ugcpay/web/v2/trade/elec/pay/quick",
        _p("bilibili", "tip", "bilibili.elec.quick", "5", "CNY", "5", "7"),
        form={"bp_num": "5", "up_mid": "7", "csrf": "x"},
    ),
    Endpoint(
        "bilibili 充电 QR code",
        "POST",
        "https://api.bilibili.com/x/ugcpay/web/v2/trade/elec/pay/qr_code/create",
        _p("bilibili", "tip", "bilibili.elec.qr_code", "3", "CNY", "3", "8"),
        form={"bp_num": "3", "up_mid": "8"},
    ),
    Endpoint(
        "douyin gift send (priced from the gift list)",
        "POST",
        "https://live.douyin.com/webcast/gift/send/?aid=6383",
        _p("douyin", "gift", "douyin.gift.send", "240", "CNY", "240", "77"),
        form={"gift_id": "3389", "count": "2", "room_id": "5", "to_user_id": "77"},
        before=(DOUYIN_LIST,),
    ),
    Endpoint(
        "douyin recharge",
        "GET",
        "https://www.douyin.com/webcast/wallet_api/diamond_buy_external_safe/?diamond_id=888888&way=0&aid=1128&customized_price=600",
        _p("douyin", "recharge", "douyin.recharge.diamond_buy_external_safe", "6", "CNY", "6"),
    ),
    Endpoint(
        "douyin live recharge",
        "POST",
        "https://live.douyin.com/webcast/wallet_api/diamond_buy_external_safe/?customized_price=700",
        _p("douyin", "recharge", "douyin.recharge.live_diamond_buy_external_safe", "7", "CNY", "7"),
    ),
    Endpoint(
        "douyin cashdesk",
        "GET",
        "https://tp-pay.snssdk.com/cashdesk/?total_amount=1200&trade_type=H5",
        _p("douyin", "checkout", "douyin.checkout.cashdesk", "12", "CNY", "12"),
    ),
    Endpoint(
        "kuaishou SendTokenGift (priced from the gift list)",
        "POST",
        "https://live.kuaishou.com/live_graphql",
        _p("kuaishou", "gift", "kuaishou.gift.SendTokenGift", "13.2", "CNY", "13.2", "ls-1"),
        json_body={
            "operationName": "SendTokenGift",
            "variables": {"giftId": 9, "count": 2, "liveStreamId": "ls-1", "comboKey": "k"},
            "query": "mutation SendTokenGift($giftId: Int) { sendTokenGift { result } }",
        },
        before=(KS_LIST,),
    ),
    Endpoint(
        "kuaishou recharge",
        "POST",
        "https://pay.ssl.kuaishou.com/rest/k/pay/kscoin/deposit/nlogin/kspay/cashier",
        _p("kuaishou", "recharge", "kuaishou.recharge.kspay_cashier", "30", "CNY", "30"),
        json_body={"ksCoin": 300, "fen": 3000, "kpf": "PC_WEB"},
    ),
    Endpoint(
        "douyu donate (priced from the room's gift list)",
        "POST",
        "https://www.douyu.com/japi/prop/donate/mainsite/v1",
        _p("douyu", "gift", "douyu.gift.donate", "100", "CNY", "100", "9999"),
        form={"propId": "20001", "propCount": "1", "roomId": "9999", "bizExt": '{"yzxq":{}}'},
        before=(DOUYU_LIST,),
    ),
    Endpoint(
        "tiktok gift send (priced in coins)",
        "POST",
        "https://webcast.tiktok.com/webcast/gift/send/?aid=1988",
        _p("tiktok", "gift", "tiktok.gift.send", "3", "TIKTOK_COINS", "0.3", "88"),
        form={"gift_id": "463", "count": "3", "room_id": "1", "to_user_id": "88"},
        before=(TIKTOK_LIST,),
    ),
    Endpoint(
        "tiktok coin purchase",
        "POST",
        "https://webcast.tiktok.com/webcast/wallet_api/diamond_buy_external/",
        _unknown("tiktok", "recharge", "tiktok.recharge.diamond_buy_external"),
        form={"diamond_id": "1"},
    ),
    Endpoint(
        "tiktok LIVE subscription",
        "POST",
        "https://webcast.tiktok.com/webcast/sub/contract/create/",
        _unknown("tiktok", "subscription", "tiktok.subscription.contract_create"),
        form={"anchor_id": "1"},
    ),
    Endpoint(
        "twitch GQL purchase",
        "POST",
        "https://gql.twitch.tv/gql",
        _unknown("twitch", "checkout", "twitch.gql.purchase"),
        json_body={"operationName": "PurchaseBitsOffer", "variables": {"offerId": "x"}, "extensions": {}},
    ),
    Endpoint(
        "twitch GQL subscription",
        "POST",
        "https://gql.twitch.tv/gql",
        _unknown("twitch", "subscription", "twitch.gql.subscribe"),
        json_body=[
            {"operationName": "ChannelPage", "variables": {}},
            {"operationName": "CreateSubscriptionPaymentIntent", "variables": {}},
        ],
    ),
    Endpoint(
        "youtube Super Chat cart",
        "POST",
        "https://www.youtube.com/youtubei/v1/ypc/get_cart?prettyPrint=false",
        _unknown("youtube", "checkout", "youtube.ypc.get_cart"),
        json_body={"context": {}, "params": "Cg0KC2FiY2RlZmdoaWpr"},
    ),
    Endpoint(
        "youtube complete transaction",
        "POST",
        "https://www.youtube.com/youtubei/v1/ypc/complete_transaction",
        _unknown("youtube", "checkout", "youtube.ypc.complete_transaction"),
        json_body={"context": {}, "params": "x"},
    ),
    Endpoint(
        "youtube app cart",
        "POST",
        "https://youtubei.googleapis.com/youtubei/v1/ypc/get_cart",
        _unknown("youtube", "checkout", "youtube.app.ypc.get_cart"),
        json_body={"context": {}},
    ),
    Endpoint(
        "roblox product purchase (Robux)",
        "POST",
        "https://economy.roblox.com/v1/purchases/products/123456",
        _p("roblox", "checkout", "roblox.purchase.product", "100", "ROBUX", "9", "555"),
        json_body={"expectedCurrency": 1, "expectedPrice": 100, "expectedSellerId": 555},
    ),
    Endpoint(
        "steam wallet top-up",
        "POST",
        "https://store.steampowered.com/steamaccount/addfunds",
        _p("steam", "recharge", "steam.recharge.addfunds", "5", "GBP", "45"),
        form={"amount": "500", "currency": "GBP", "sessionid": "s"},
    ),
    Endpoint(
        "steam checkout",
        "POST",
        "https://store.steampowered.com/checkout/inittransaction/",
        _unknown("steam", "checkout", "steam.checkout.inittransaction"),
        form={"gidShoppingCart": "1", "sessionid": "s"},
    ),
    Endpoint(
        "alipay page pay (page load)",
        "GET",
        "https://openapi.alipay.com/gateway.do?"
        + urlencode({"method": "alipay.trade.page.pay", "app_id": "2021001", "biz_content": ALIPAY_BIZ, "sign": "x"}),
        _p("alipay", "checkout", "alipay.trade.page.pay", "88.88", "CNY", "88.88", "2021001"),
        headers={"Accept": "text/html", "Sec-Fetch-Mode": "navigate"},
    ),
    Endpoint(
        "alipay wap pay (form post)",
        "POST",
        "https://openapi.alipay.com/gateway.do?charset=utf-8",
        _p("alipay", "checkout", "alipay.trade.page.pay", "12.5", "CNY", "12.5", "2021002"),
        form={
            "method": "alipay.trade.wap.pay",
            "app_id": "2021002",
            "biz_content": json.dumps({"total_amount": "12.50", "out_trade_no": "T2"}),
        },
    ),
    Endpoint(
        "paypal order (two purchase units)",
        "POST",
        "https://www.paypal.com/v2/checkout/orders",
        _p("paypal", "checkout", "paypal.orders.create", "7.5", "USD", "54"),
        json_body={
            "intent": "CAPTURE",
            "purchase_units": [
                {"amount": {"currency_code": "USD", "value": "5.00"}},
                {"amount": {"currency_code": "USD", "value": "2.50"}},
            ],
        },
    ),
    Endpoint(
        "paypal API order",
        "POST",
        "https://api-m.paypal.com/v2/checkout/orders",
        _p("paypal", "checkout", "paypal.api.orders.create", "20", "CNY", "20"),
        json_body={"intent": "CAPTURE", "purchase_units": [{"amount": {"currency_code": "CNY", "value": "20.00"}}]},
    ),
    Endpoint(
        "stripe confirm",
        "POST",
        "https://api.stripe.com/v1/payment_intents/pi_123/confirm",
        _unknown("stripe", "checkout", "stripe.payment_intents.confirm"),
        form={"client_secret": "pi_123_secret_x", "payment_method": "pm_1"},
    ),
]


def har_entry(
    method: str,
    url: str,
    content_type: str = "",
    body: bytes = b"",
    response: object = None,
    headers: dict | None = None,
) -> dict:
    """One HAR 1.2 entry, as a browser's devtools writes it."""
    parts = urlsplit(url)
    request = {
        "method": method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "headers": [{"name": "Host", "value": parts.hostname}]
        + [{"name": k, "value": v} for k, v in (headers or {}).items()],
        "queryString": [],
        "cookies": [],
        "headersSize": -1,
        "bodySize": len(body),
    }
    if body:
        request["postData"] = {"mimeType": content_type, "text": body.decode()}
    text = json.dumps(response) if response is not None else ""
    return {
        "startedDateTime": "2026-11-29T10:00:00.000Z",
        "time": 1,
        "request": request,
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "headers": [],
            "cookies": [],
            "content": {"size": len(text), "mimeType": "application/json", "text": text},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(text),
        },
        "cache": {},
        "timings": {"send": 0, "wait": 1, "receive": 0},
    }  # fmt: skip


def gift_list_answer(url: str) -> object:
    path = urlsplit(url).path.rstrip("/")
    return next(v for k, v in GIFT_LISTS.items() if path.startswith(k.rstrip("/")))


def har(entries: list[dict]) -> dict:
    return {"log": {"version": "1.2", "creator": {"name": "tests", "version": "1"}, "entries": entries}}


def endpoint_entries(endpoint: Endpoint) -> list[dict]:
    """The endpoint's gift lists (with their answers) followed by its request."""
    entries = [har_entry("GET", url, response=gift_list_answer(url)) for url in endpoint.before]
    ctype, body = endpoint.body()
    entries.append(har_entry(endpoint.method, endpoint.url, ctype, body, headers=endpoint.headers))
    return entries
