"""Purchase fixtures: one per request shape the catalog knows, with the purchase Guardian must see.

Field names and shapes follow the public sources cited in each app's rule file (guardian/catalog/apps/).
Amounts differ from fixture to fixture of one app, so no fixture is taken for a later step of another's
payment (`continues`) when they all go through one proxy in order.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from tests.support import tarsframes as tf
from tests.support.endpoints import NAVIGATE, Endpoint, priced, unknown

BILI = "https://api.live.bilibili.com"
BILI_LIST = f"{BILI}/xlive/web-room/v1/giftPanel/roomGiftList?room_id=1"
DOUYIN_LIST = "https://live.douyin.com/webcast/gift/list/?aid=6383&room_id=7"
DOUYIN_APP = "https://webcast3-normal-c-lq.amemv.com"
DOUYIN_APP_LIST = f"{DOUYIN_APP}/webcast/gift/list/?room_id=7&aid=1128"
TIKTOK_LIST = "https://webcast.tiktok.com/webcast/gift/list/?aid=1988"
DOUYU_LIST = "https://open.douyucdn.cn/api/RoomApi/room/9999"
DOUYU_V3_LIST = "https://gift.douyucdn.cn/api/gift/v3/web/list?rid=9999"
ALIPAY_BIZ = json.dumps(
    {"out_trade_no": "T1", "total_amount": "88.88", "subject": "coins", "product_code": "FAST_INSTANT_TRADE_PAY"}
)
WUP = "application/x-wup"
CHEER = "57b0d6bd979e516ae3767f6586e7f23666d612d3a65af1d5436dba130c9426fd"

BILIBILI = [
    Endpoint(
        "bilibili sendGold (form)",
        "POST",
        f"{BILI}/xlive/revenue/v1/gift/sendGold",
        priced("bilibili", "gift", "bilibili.gift.sendGold", "2", "CNY", "2", "42"),
        form={"gift_id": "31039", "price": "1000", "gift_num": "2", "ruid": "42", "coin_type": "gold", "biz_id": "1"},
    ),
    Endpoint(
        "bilibili sendGoldMultiUser (all in the query)",
        "POST",
        f"{BILI}/xlive/revenue/v2/gift/sendGoldMultiUser?gift_id=31036&price=5000&gift_num=1&ruid=43&coin_type=gold",
        priced("bilibili", "gift", "bilibili.gift.sendGoldMultiUser", "5", "CNY", "5", "43"),
    ),
    Endpoint(
        "bilibili app sendGoldMultiUser (no coin_type, receive_users)",
        "POST",
        f"{BILI}/xlive/revenue/v2/gift/sendGoldMultiUser",
        priced("bilibili", "gift", "bilibili.gift.sendGoldMultiUser", "4", "CNY", "4", "46"),
        form={
            "ruid": "46",
            "receive_users": "46",
            "gift_id": "31037",
            "gift_num": "2",
            "price": "2000",
            "biz_code": "Live",
            "biz_id": "21452505",
            "storm_beat_id": "0",
            "mobi_app": "android",
            "ts": "1",
        },
    ),  # fmt: skip
    Endpoint(
        "bilibili legacy web gift send (/gift/v2/Live/send, capital L)",
        "POST",
        f"{BILI}/gift/v2/Live/send",
        priced("bilibili", "gift", "bilibili.gift.legacy_send", "0.3", "CNY", "0.3", "47"),
        form={
            "gift_id": "31036",
            "ruid": "47",
            "send_ruid": "0",
            "gift_num": "3",
            "coin_type": "gold",
            "bag_id": "0",
            "platform": "pc",
            "biz_code": "live",
            "biz_id": "5",
            "storm_beat_id": "0",
            "price": "100",
            "csrf": "c",
        },
        before=(BILI_LIST,),
    ),  # fmt: skip
    Endpoint(
        "bilibili legacy app gift send (price 0: the gift list's price counts)",
        "POST",
        f"{BILI}/gift/v2/live/send",
        priced("bilibili", "gift", "bilibili.gift.legacy_send", "2", "CNY", "2", "48"),
        form={
            "actionKey": "appkey",
            "biz_code": "live",
            "biz_id": "6",
            "coin_type": "gold",
            "gift_id": "31039",
            "gift_num": "2",
            "mobi_app": "android",
            "platform": "android",
            "price": "0",
            "rnd": "1",
            "ruid": "48",
        },
        before=(BILI_LIST,),
    ),  # fmt: skip
    Endpoint(
        "bilibili app interactive paid gift",
        "POST",
        f"{BILI}/xlive/revenue/v2/interactive_pay/send",
        priced("bilibili", "gift", "bilibili.gift.interactive_pay", "1.5", "CNY", "1.5", "55"),
        form={
            "room_id": "6",
            "anchor_id": "56",
            "receiver_uid": "55",
            "gift_id": "31040",
            "gift_num": "1",
            "price": "1500",
            "context_id": "1",
            "gift_scene": "1",
            "biz_code": "Live",
            "biz_id": "6",
        },
    ),  # fmt: skip
    Endpoint(
        "bilibili Super Chat createOrder",
        "POST",
        f"{BILI}/xlive/revenue/v1/order/createOrder",
        priced("bilibili", "superchat", "bilibili.superchat.createOrder", "30", "CNY", "30", "44"),
        form={"pay_gold": "30000", "goods_id": "12", "goods_num": "1", "context_id": "44", "context_type": "1"},
    ),
    Endpoint(
        "bilibili battery createOrder (B-coins)",
        "POST",
        f"{BILI}/xlive/revenue/v1/order/createOrder",
        priced("bilibili", "recharge", "bilibili.battery.createOrder", "10", "CNY", "10", "45"),
        form={"pay_bp": "10000", "goods_id": "1", "goods_num": "10", "context_id": "45", "context_type": "11"},
    ),
    Endpoint(
        "bilibili createQrCodeOrder",
        "POST",
        f"{BILI}/xlive/revenue/v1/order/createQrCodeOrder",
        priced("bilibili", "recharge", "bilibili.battery.createQrCodeOrder", "6", "CNY", "6"),
        form={"pay_cash": "6000"},
    ),
    Endpoint(
        "bilibili 充电 quick",
        "POST",
        "https://api.bilibili.com/x/ugcpay/web/v2/trade/elec/pay/quick",
        priced("bilibili", "tip", "bilibili.elec.quick", "5", "CNY", "5", "7"),
        form={"bp_num": "5", "up_mid": "7", "csrf": "x"},
    ),
    Endpoint(
        "bilibili 充电 QR code",
        "POST",
        "https://api.bilibili.com/x/ugcpay/web/v2/trade/elec/pay/qr_code/create",
        priced("bilibili", "tip", "bilibili.elec.qr_code", "3", "CNY", "3", "8"),
        form={"bp_num": "3", "up_mid": "8"},
    ),
]

DOUYIN = [
    Endpoint(
        "douyin gift send (priced from the gift list)",
        "POST",
        "https://live.douyin.com/webcast/gift/send/?aid=6383",
        priced("douyin", "gift", "douyin.gift.send", "240", "CNY", "240", "77"),
        form={"gift_id": "3389", "count": "2", "room_id": "5", "to_user_id": "77"},
        before=(DOUYIN_LIST,),
    ),
    Endpoint(
        "douyin gift with its own price, no gift list seen",
        "POST",
        "https://live.douyin.com/webcast/gift/send/?aid=6383&room_id=5",
        priced("douyin", "gift", "douyin.gift.send", "1", "CNY", "1", "78"),
        form={"count": "5", "price": "2", "gift_id": "2002", "to_user_id": "78", "send_type": "1"},
    ),
    Endpoint(
        "douyin app gift on a numbered webcast host (priced from a nested gift-list page)",
        "POST",
        f"{DOUYIN_APP}/webcast/gift/send/?room_id=7&aid=1128&device_platform=android",
        priced("douyin", "gift", "douyin.gift.send", "10.4", "CNY", "10.4", "79"),
        form={"gift_id": "4550", "count": "2", "to_user_id": "79", "to_room_id": "7", "send_scene": "1"},
        before=(DOUYIN_APP_LIST,),
    ),
    Endpoint(
        "douyin app gift on webcast.amemv.com, no gift list seen (amount unknown)",
        "POST",
        "https://webcast.amemv.com/webcast/gift/send/?room_id=8&aid=1128",
        unknown("douyin", "gift", "douyin.gift.send", "80"),
        form={"gift_id": "9999001", "count": "1", "to_user_id": "80"},
    ),
    Endpoint(
        "douyin recharge",
        "GET",
        "https://www.douyin.com/webcast/wallet_api/diamond_buy_external_safe/?diamond_id=888888&way=0&aid=1128&customized_price=600",
        priced("douyin", "recharge", "douyin.recharge.diamond_buy_external_safe", "6", "CNY", "6"),
    ),
    Endpoint(
        "douyin live recharge",
        "POST",
        "https://live.douyin.com/webcast/wallet_api/diamond_buy_external_safe/?customized_price=700",
        priced("douyin", "recharge", "douyin.recharge.live_diamond_buy_external_safe", "7", "CNY", "7"),
    ),
    Endpoint(
        "douyin cashdesk",
        "GET",
        "https://tp-pay.snssdk.com/cashdesk/?total_amount=1200&trade_type=H5",
        priced("douyin", "checkout", "douyin.checkout.cashdesk", "12", "CNY", "12"),
    ),
]

KUAISHOU = [
    Endpoint(
        "kuaishou SendTokenGift (no gift list carries prices: amount unknown)",
        "POST",
        "https://live.kuaishou.com/live_graphql",
        unknown("kuaishou", "gift", "kuaishou.gift.SendTokenGift", "ls-1"),
        json_body={
            "operationName": "SendTokenGift",
            "variables": {"giftId": 9, "count": 2, "liveStreamId": "ls-1", "comboKey": "k"},
            "query": "mutation SendTokenGift($giftId: Int) { sendTokenGift { result } }",
        },
    ),
    Endpoint(
        "kuaishou recharge (rest family)",
        "POST",
        "https://pay.ssl.kuaishou.com/rest/k/pay/kscoin/deposit/nlogin/kspay/cashier",
        priced("kuaishou", "recharge", "kuaishou.recharge.kspay_cashier", "30", "CNY", "30"),
        json_body={"ksCoin": 300, "fen": 3000, "kpf": "PC_WEB"},
    ),
    Endpoint(
        "kuaishou recharge (payAPI family)",
        "POST",
        "https://pay.ssl.kuaishou.com/payAPI/k/pay/kscoin/deposit/nlogin/kspay/cashier",
        priced("kuaishou", "recharge", "kuaishou.recharge.payapi_cashier", "3", "CNY", "3"),
        json_body={
            "ksCoin": 30,
            "fen": 300,
            "userId": "1746384",
            "customize": False,
            "kpn": "KUAISHOU",
            "kpf": "PC_WEB",
        },
    ),
    Endpoint(
        "kuaishou H5 recharge on kuaishoupay.com",
        "POST",
        "https://www.kuaishoupay.com/rest/wd/pay/kscoin/deposit/kspay/cashier?kpn=KUAISHOU&kpf=OUTSIDE_IOS_H5",
        priced("kuaishou", "recharge", "kuaishou.recharge.kuaishoupay_cashier", "1", "CNY", "1"),
        json_body={
            "source": "IOS_H5_NORMAL",
            "ksCoin": 10,
            "fen": 100,
            "customize": True,
            "kspayProvider": "ALIPAY",
            "kspayProviderChannelType": "NORMAL",
        },
    ),  # fmt: skip
    Endpoint(
        "kuaishou H5 order (create_pay_order, form)",
        "POST",
        "https://www.kuaishoupay.com/pay/order/h5/trade/create_pay_order",
        priced("kuaishou", "recharge", "kuaishou.order.create_pay_order", "6", "CNY", "6", "M1"),
        form={
            "provider": "WECHAT",
            "merchant_id": "M1",
            "out_order_no": "O1",
            "pay_amount": "600",
            "redirect_url": "https://www.kuaishou.com/",
        },
    ),  # fmt: skip
]

DOUYU = [
    Endpoint(
        "douyu paid gift donate v1 (priced from the v3 gift list)",
        "POST",
        "https://www.douyu.com/japi/gift/donate/mainsite/v1",
        priced("douyu", "gift", "douyu.gift.donate", "100", "CNY", "100", "9999"),
        form={"giftId": "20001", "giftCount": "1", "roomId": "9999", "bizExt": '{"yzxq":{}}'},
        before=(DOUYU_V3_LIST,),
    ),
    Endpoint(
        "douyu paid gift donate v3 (skinId)",
        "POST",
        "https://www.douyu.com/japi/gift/donate/mainsite/v3",
        priced("douyu", "gift", "douyu.gift.donate", "12", "CNY", "12", "6437338"),
        form={"giftId": "20006", "giftCount": "2", "roomId": "6437338", "bizExt": '{"isMainGift":1}', "skinId": "12"},
        before=(DOUYU_V3_LIST,),
    ),
    Endpoint(
        "douyu paid gift priced from the old room API list",
        "POST",
        "https://www.douyu.com/japi/gift/donate/mainsite/v1",
        priced("douyu", "gift", "douyu.gift.donate", "1", "CNY", "1", "9999"),
        form={"giftId": "20002", "giftCount": "1", "roomId": "9999"},
        before=(DOUYU_LIST,),
    ),
]

TIKTOK = [
    Endpoint(
        "tiktok gift send (priced in coins)",
        "POST",
        "https://webcast.tiktok.com/webcast/gift/send/?aid=1988",
        priced("tiktok", "gift", "tiktok.gift.send", "3", "TIKTOK_COINS", "0.3", "88"),
        form={"gift_id": "463", "count": "3", "room_id": "1", "to_user_id": "88"},
        before=(TIKTOK_LIST,),
    ),
    Endpoint(
        "tiktok coin purchase",
        "POST",
        "https://webcast.tiktok.com/webcast/wallet_api/diamond_buy_external/",
        unknown("tiktok", "recharge", "tiktok.recharge.diamond_buy_external"),
        form={"diamond_id": "1"},
    ),
    Endpoint(
        "tiktok LIVE subscription",
        "POST",
        "https://webcast.tiktok.com/webcast/sub/contract/create/",
        unknown("tiktok", "subscription", "tiktok.subscription.contract_create"),
        form={"anchor_id": "1"},
    ),
]


def _cheer(name: str, bits: int, target: str, extra: dict | None = None) -> dict:
    return {"operationName": name, "variables": {"input": {
        "id": "5f5c0c38-7c1e-4d5c-9c3b-1", "targetID": target, "bits": bits, "content": f"Cheer{bits} hi",
        "isAutoModEnabled": True, "shouldCheerAnyway": False, "isAnonymous": False, **(extra or {})}},
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": CHEER}}}  # fmt: skip


TWITCH = [
    Endpoint(
        "twitch GQL cheer (ChatInput_SendCheer in a batch)",
        "POST",
        "https://gql.twitch.tv/gql",
        priced("twitch", "gift", "twitch.gql.cheer", "100", "BITS", "10", "12826"),
        json_body=[_cheer("ChatInput_SendCheer", 100, "12826")],
    ),
    Endpoint(
        "twitch GQL cheer (RoomInput_SendCheer, one operation)",
        "POST",
        "https://gql.twitch.tv/gql",
        priced("twitch", "gift", "twitch.gql.cheer", "50", "BITS", "5", "12827"),
        json_body=_cheer("RoomInput_SendCheer", 50, "12827", {"roomID": "r1"}),
    ),
    Endpoint(
        "twitch GQL challenge contribution (unnamed document)",
        "POST",
        "https://gql.twitch.tv/gql",
        priced("twitch", "gift", "twitch.gql.challenge", "300", "BITS", "30", "ch-1"),
        json_body={
            "query": "mutation { contributeToChallenge(input: $input) { error { code } } }",
            "variables": {"input": {"bits": 300, "challengeID": "ch-1", "userID": "9"}},
        },
    ),
    Endpoint(
        "twitch GQL purchase",
        "POST",
        "https://gql.twitch.tv/gql",
        unknown("twitch", "checkout", "twitch.gql.purchase"),
        json_body={"operationName": "PurchaseBitsOffer", "variables": {"offerId": "x"}, "extensions": {}},
    ),
    Endpoint(
        "twitch GQL subscription bought with purchaseOffer (unnamed, in a batch)",
        "POST",
        "https://gql.twitch.tv/gql",
        unknown("twitch", "checkout", "twitch.gql.purchase"),
        json_body=[
            {"operationName": "ChannelPage", "variables": {}},
            {"query": "mutation { purchaseOffer(input: $input) { id } }", "variables": {"input": {"offerID": "o"}}},
        ],
    ),
    Endpoint(
        "twitch GQL Bits in an extension",
        "POST",
        "https://gql.twitch.tv/gql",
        unknown("twitch", "gift", "twitch.gql.extension_bits"),
        json_body={
            "operationName": "Extension_BeginUseBitsInExtension",
            "variables": {"input": {"channelID": "1", "extensionClientID": "e", "sku": "vote"}},
        },
    ),  # fmt: skip
]

YOUTUBE = [
    Endpoint(
        "youtube Super Chat cart",
        "POST",
        "https://www.youtube.com/youtubei/v1/ypc/get_cart?prettyPrint=false",
        unknown("youtube", "checkout", "youtube.ypc.get_cart"),
        json_body={"context": {}, "params": "Cg0KC2FiY2RlZmdoaWpr"},
    ),
    Endpoint(
        "youtube complete transaction",
        "POST",
        "https://www.youtube.com/youtubei/v1/ypc/complete_transaction",
        unknown("youtube", "checkout", "youtube.ypc.complete_transaction"),
        json_body={"context": {}, "params": "x"},
    ),
    Endpoint(
        "youtube app cart",
        "POST",
        "https://youtubei.googleapis.com/youtubei/v1/ypc/get_cart",
        unknown("youtube", "checkout", "youtube.app.ypc.get_cart"),
        json_body={"context": {}},
    ),
]

ROBLOX = [
    Endpoint(
        "roblox product purchase (Robux)",
        "POST",
        "https://economy.roblox.com/v1/purchases/products/123456",
        priced("roblox", "checkout", "roblox.purchase.product", "100", "ROBUX", "9", "555"),
        json_body={"expectedCurrency": 1, "expectedPrice": 100, "expectedSellerId": 555},
    ),
    Endpoint(
        "roblox v2 user product (JSON)",
        "POST",
        "https://economy.roblox.com/v2/user-products/987/purchase",
        priced("roblox", "checkout", "roblox.purchase.user_product", "400", "ROBUX", "36", "9"),
        json_body={
            "expectedCurrency": 1,
            "expectedPrice": 400,
            "expectedSellerId": 9,
            "requestId": "r",
            "saleLocationType": "Website",
            "saleLocationId": 0,
        },
    ),  # fmt: skip
    Endpoint(
        "roblox v2 user product (form)",
        "POST",
        "https://economy.roblox.com/v2/user-products/988/purchase",
        priced("roblox", "checkout", "roblox.purchase.user_product", "25", "ROBUX", "2.25", "10"),
        form={"expectedCurrency": "1", "expectedPrice": "25", "expectedSellerId": "10"},
    ),
    Endpoint(
        "roblox v2 user product without a body (amount unknown)",
        "POST",
        "https://economy.roblox.com/v2/user-products/989/purchase",
        unknown("roblox", "checkout", "roblox.purchase.user_product.no_price"),
    ),
    Endpoint(
        "roblox collectible purchase-item",
        "POST",
        "https://apis.roblox.com/marketplace-sales/v1/item/4f1c-aa/purchase-item",
        priced("roblox", "checkout", "roblox.marketplace.purchase_item", "1500", "ROBUX", "135", "1"),
        json_body={
            "collectibleItemId": "4f1c-aa",
            "collectibleProductId": "p-1",
            "expectedCurrency": 1,
            "expectedPrice": 1500,
            "expectedPurchaserId": 77,
            "expectedPurchaserType": "User",
            "expectedSellerId": 1,
            "expectedSellerType": "User",
            "idempotencyKey": "k-1",
        },
    ),  # fmt: skip
    Endpoint(
        "roblox collectible purchase-resale",
        "POST",
        "https://apis.roblox.com/marketplace-sales/v1/item/4f1c-bb/purchase-resale",
        priced("roblox", "checkout", "roblox.marketplace.purchase_resale", "200", "ROBUX", "18", "1"),
        json_body={
            "collectibleItemId": "4f1c-bb",
            "collectibleItemInstanceId": "i-1",
            "collectibleProductId": "p-2",
            "expectedCurrency": 1,
            "expectedPrice": 200,
            "expectedPurchaserId": 77,
            "expectedPurchaserType": "User",
            "expectedSellerId": 1,
            "expectedSellerType": None,
            "idempotencyKey": "k-2",
        },
    ),  # fmt: skip
]

STEAM = [
    Endpoint(
        "steam wallet top-up",
        "POST",
        "https://store.steampowered.com/steamaccount/addfunds",
        priced("steam", "recharge", "steam.recharge.addfunds", "5", "GBP", "45"),
        form={"amount": "500", "currency": "GBP", "sessionid": "s"},
    ),
    Endpoint(
        "steam checkout",
        "POST",
        "https://store.steampowered.com/checkout/inittransaction/",
        unknown("steam", "checkout", "steam.checkout.inittransaction"),
        form={"gidShoppingCart": "1", "sessionid": "s"},
    ),
]

MAPI = "https://mapi.alipay.com/gateway.do"
ALIPAY = [
    Endpoint(
        "alipay page pay (page load)",
        "GET",
        "https://openapi.alipay.com/gateway.do?"
        + urlencode({"method": "alipay.trade.page.pay", "app_id": "2021001", "biz_content": ALIPAY_BIZ, "sign": "x"}),
        priced("alipay", "checkout", "alipay.trade.page.pay", "88.88", "CNY", "88.88", "2021001"),
        headers=NAVIGATE,
    ),
    Endpoint(
        "alipay wap pay (form post)",
        "POST",
        "https://openapi.alipay.com/gateway.do?charset=utf-8",
        priced("alipay", "checkout", "alipay.trade.page.pay", "12.5", "CNY", "12.5", "2021002"),
        form={
            "method": "alipay.trade.wap.pay",
            "app_id": "2021002",
            "biz_content": json.dumps({"total_amount": "12.50", "out_trade_no": "T2"}),
        },
    ),
    Endpoint(
        "alipay legacy wap direct pay (total_fee in the URL)",
        "GET",
        MAPI
        + "?"
        + urlencode(
            {
                "_input_charset": "utf-8",
                "subject": "PLUS",
                "payment_type": "1",
                "out_trade_no": "PLUS2017081515555587",
                "partner": "2088421588375865",
                "service": "alipay.wap.create.direct.pay.by.user",
                "total_fee": "0.01",
                "seller_id": "2088421588375865",
                "sign": "x",
                "sign_type": "MD5",
            }
        ),
        priced("alipay", "checkout", "alipay.mapi.direct_pay", "0.01", "CNY", "0.01", "2088421588375865"),
        headers=NAVIGATE,
    ),  # fmt: skip
    Endpoint(
        "alipay legacy direct pay form (price x quantity)",
        "POST",
        MAPI + "?_input_charset=utf-8",
        priced("alipay", "checkout", "alipay.mapi.direct_pay.price", "29.7", "CNY", "29.7", "seller@example.com"),
        form={
            "service": "create_direct_pay_by_user",
            "partner": "2088000000000001",
            "seller_email": "seller@example.com",
            "out_trade_no": "T3",
            "subject": "s",
            "payment_type": "1",
            "price": "9.90",
            "quantity": "3",
            "sign": "x",
        },
    ),  # fmt: skip
    Endpoint(
        "alipay legacy guarantee trade (trade_create_by_buyer)",
        "POST",
        MAPI,
        priced("alipay", "checkout", "alipay.mapi.partner_trade", "50", "CNY", "50", "2088000000000002"),
        form={
            "service": "trade_create_by_buyer",
            "partner": "2088000000000002",
            "out_trade_no": "T4",
            "price": "50.00",
            "quantity": "1",
            "logistics_fee": "0.00",
            "logistics_type": "EXPRESS",
            "payment_type": "1",
        },
    ),  # fmt: skip
    Endpoint(
        "alipay H5 cashier redirect (exterfaceAssign, on its own)",
        "GET",
        "https://mclient.alipay.com/home/exterfaceAssign.htm?"
        + urlencode(
            {
                "_input_charset": "utf-8",
                "total_fee": "11.9",
                "service": "alipay.wap.create.direct.pay.by.user",
                "alipay_exterface_invoke_assign_target": "mapi_direct_trade.htm",
                "partner": "2088000000000003",
            }
        ),
        priced("alipay", "checkout", "alipay.h5.exterface_assign", "11.9", "CNY", "11.9", "2088000000000003"),
        headers=NAVIGATE,
    ),  # fmt: skip
]

PAYPAL = [
    Endpoint(
        "paypal order (two purchase units)",
        "POST",
        "https://www.paypal.com/v2/checkout/orders",
        priced("paypal", "checkout", "paypal.orders.create", "7.5", "USD", "54"),
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
        priced("paypal", "checkout", "paypal.api.orders.create", "20", "CNY", "20"),
        json_body={"intent": "CAPTURE", "purchase_units": [{"amount": {"currency_code": "CNY", "value": "20.00"}}]},
    ),
    Endpoint(
        "paypal buyer approval of a shop's order (checkoutnow)",
        "GET",
        "https://www.paypal.com/checkoutnow?token=5O190127TN364715T",
        unknown("paypal", "checkout", "paypal.checkoutnow"),
        headers=NAVIGATE,
    ),
    Endpoint(
        "paypal sandbox checkoutnow",
        "GET",
        "https://www.sandbox.paypal.com/checkoutnow?token=7NE30839A8472264Y&useraction=commit",
        unknown("paypal", "checkout", "paypal.checkoutnow"),
        headers=NAVIGATE,
    ),
    Endpoint(
        "paypal legacy express checkout",
        "GET",
        "https://www.paypal.com/cgi-bin/webscr?cmd=_express-checkout&token=EC-60U79048BN7719609",
        unknown("paypal", "checkout", "paypal.express_checkout"),
        headers=NAVIGATE,
    ),
    Endpoint(
        "paypal Buy Now button (amount and currency in the URL)",
        "GET",
        "https://www.paypal.com/cgi-bin/webscr?cmd=_xclick&business=shop%40example.com&item_name=Gems&amount=19.99"
        "&currency_code=GBP&shipping=0.00&undefined_quantity=1",
        priced("paypal", "checkout", "paypal.standard.button", "19.99", "GBP", "179.91", "shop@example.com"),
        headers=NAVIGATE,
    ),
    Endpoint(
        "paypal Buy Now form under a locale prefix (quantity, USD by default)",
        "POST",
        "https://www.paypal.com/EN_SG/cgi-bin/webscr",
        priced("paypal", "checkout", "paypal.standard.button", "10", "USD", "72", "shop2@example.com"),
        form={
            "cmd": "_xclick",
            "business": "shop2@example.com",
            "item_name": "Pack",
            "amount": "2.50",
            "quantity": "4",
        },
        headers=NAVIGATE,
    ),  # fmt: skip
    Endpoint(
        "paypal donate link without an amount",
        "GET",
        "https://www.paypal.com/cgi-bin/webscr?cmd=_donations&business=club%40example.org&item_name=Club",
        unknown("paypal", "checkout", "paypal.standard.typed_in", "club@example.org"),
        headers=NAVIGATE,
    ),
    Endpoint(
        "paypal cart upload",
        "POST",
        "https://www.paypal.com/cgi-bin/webscr",
        unknown("paypal", "checkout", "paypal.standard.cart_upload", "shop3@example.com"),
        form={
            "cmd": "_cart",
            "upload": "1",
            "business": "shop3@example.com",
            "item_name_1": "a",
            "amount_1": "3.00",
            "item_name_2": "b",
            "amount_2": "4.00",
        },
        headers=NAVIGATE,
    ),  # fmt: skip
]

STRIPE = [
    Endpoint(
        "stripe confirm",
        "POST",
        "https://api.stripe.com/v1/payment_intents/pi_123/confirm",
        unknown("stripe", "checkout", "stripe.payment_intents.confirm"),
        form={"client_secret": "pi_123_secret_x", "payment_method": "pm_1"},
    ),
]

WECHATPAY = [
    Endpoint(
        "wechat pay H5 cashier (checkmweb)",
        "GET",
        "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx20161110163838f231619da20804912345"
        "&package=1037687096&redirect_url=https%3A%2F%2Fwww.wechatpay.com.cn",
        unknown("wechatpay", "checkout", "wechatpay.h5.checkmweb"),
        headers={**NAVIGATE, "Referer": "https://shop.example/"},
    ),
]

HUYA = [
    Endpoint(
        "huya gift over the WUP gateway (consumeGiftSafe, no gift list seen yet)",
        "POST",
        "https://wup.huya.com/",
        unknown("huya", "gift", "huya.wup.consumeGiftSafe", "1234567"),
        raw=(WUP, tf.consume_gift(20267, 3, function="consumeGiftSafe", policy=2)),
    ),
    Endpoint(
        "huya gift over the WUP gateway (consumeGift, version 2 packet)",
        "POST",
        "https://cdn.wup.huya.com/",
        unknown("huya", "gift", "huya.wup.consumeGift", "7654321"),
        raw=(WUP, tf.consume_gift(20268, 1, 7654321, version=2)),
    ),
]

UNIONPAY = [
    Endpoint(
        "unionpay gateway consume (form)",
        "POST",
        "https://gateway.95516.com/gateway/api/frontTransReq.do",
        priced("unionpay", "checkout", "unionpay.front.consume", "19.99", "CNY", "19.99", "777290058110097"),
        form={
            "version": "5.1.0",
            "encoding": "utf-8",
            "txnType": "01",
            "txnSubType": "01",
            "bizType": "000201",
            "channelType": "08",
            "accessType": "0",
            "currencyCode": "156",
            "merId": "777290058110097",
            "orderId": "1659678893",
            "txnTime": "20220805135453",
            "txnAmt": "1999",
            "frontUrl": "https://s.example/f",
            "backUrl": "https://s.example/b",
            "signMethod": "01",
            "certId": "1",
            "signature": "sig",
        },
        headers=NAVIGATE,
    ),  # fmt: skip
    Endpoint(
        "unionpay test gateway pre-authorisation",
        "POST",
        "https://gateway.test.95516.com/gateway/api/frontTransReq.do",
        priced("unionpay", "checkout", "unionpay.front.consume", "50", "CNY", "50", "777290058110098"),
        form={
            "version": "5.1.0",
            "txnType": "02",
            "txnSubType": "01",
            "bizType": "000201",
            "channelType": "07",
            "currencyCode": "156",
            "merId": "777290058110098",
            "orderId": "2",
            "txnAmt": "5000",
        },
        headers=NAVIGATE,
    ),  # fmt: skip
]

ENDPOINTS = [
    *BILIBILI, *DOUYIN, *KUAISHOU, *DOUYU, *TIKTOK, *TWITCH, *YOUTUBE, *ROBLOX, *STEAM, *ALIPAY, *PAYPAL, *STRIPE,
    *WECHATPAY, *HUYA, *UNIONPAY,
]  # fmt: skip
