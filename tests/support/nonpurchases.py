"""Requests on the same apps' hosts that are not purchases and must not count: gift lists, room info, chat, likes,
follows, balance checks, redeeming, backpack sends, free items, and names a GraphQL glob once caught.

Each app with purchase fixtures has at least as many of these (tests/guardian/cli/test_detect.py checks).
"""

from __future__ import annotations

from tests.support import tarsframes as tf
from tests.support.endpoints import NAVIGATE, Endpoint
from tests.support.purchases import BILI, BILI_LIST, DOUYIN_APP_LIST, DOUYIN_LIST, DOUYU_V3_LIST, MAPI, TIKTOK_LIST, WUP

# Every operation name in Twitch's 2018 web bundles that the old globs (*purchase*, *checkout*, *subscribe*,
# *subscription*) caught: page loads, settings, sharing, e-mail and push subscriptions, Prime credits. None spends.
TWITCH_NOT_PURCHASES = [
    "BitsCheckoutRoot", "BitsCheckoutSummaryPage", "BrowserPushNotifications_AddBrowserPushSubscription",
    "ChannelPage_SubscribeBalloon_User", "ChannelPage_SubscribeButton_User", "ChannelSubscribeRedirect",
    "ChatLine_SubsOnlyUpsell_UserSubscriptionProducts", "Chat_SharePurchase_ChannelData", "CheckoutModal_GiftRecipient",
    "CheckoutPayments", "DismissPurchaseToken", "EmotePicker_EmotePicker_UserSubscriptionProducts",
    "ExtensionActionSubscribeToChannel", "GiftSubscribeButton_Gift_Eligibility", "HideSubscriptionGiftCountQuery",
    "MultiStream_SubscribeModal_User", "PostSubscriptionsToggle", "PrimeSubscribe_SpendPrimeSubscriptionCredit",
    "PrimeSubscribe_UserPrimeData", "SharePurchaseTokenInChat", "SideNav_SubscribedChannels",
    "SubsCheckoutPage_GiftRecipient", "SubsNamesSettingPage_UpdateSubscriptionProduct",
    "SubsSettingsSection_UpdateSubscriptionProduct", "SubscriptionsManagement_SubscriptionBenefits",
    "SubscriptionsManagement_SubscriptionProduct", "TurboPageSubscriptionProduct", "UnsubscribeEmail",
    "UnsubscribePage", "UpdatePrimeSettings_PostSubscription", "UpdateUserSubscriptionSettings",
    "UpdateUserSubscriptionSettings_RENAME2",
]  # fmt: skip


def _none(name: str, method: str, url: str, **kw) -> Endpoint:
    return Endpoint(name, method, url, None, **kw)


BILIBILI = [
    _none("bilibili room info", "GET", f"{BILI}/xlive/web-room/v1/index/getInfoByRoom?room_id=1"),
    _none("bilibili gift list", "GET", BILI_LIST),
    _none("bilibili silver gift (sendGold, coin_type silver)", "POST", f"{BILI}/xlive/revenue/v1/gift/sendGold",
          form={"gift_id": "1", "price": "100", "gift_num": "1", "coin_type": "silver", "ruid": "1"}),
    _none("bilibili silver gift (app sendSilverMultiUser)", "POST", f"{BILI}/xlive/revenue/v2/gift/sendSilverMultiUser",
          form={"ruid": "1", "gift_id": "1", "gift_num": "5", "price": "100"}),
    _none("bilibili backpack send (sendBagMultiUser)", "POST", f"{BILI}/xlive/revenue/v2/gift/sendBagMultiUser",
          form={"ruid": "1", "gift_id": "30607", "gift_num": "1", "bag_id": "123", "all_flag": "0"}),
    _none("bilibili legacy silver gift (/gift/v2/live/send)", "POST", f"{BILI}/gift/v2/live/send",
          form={"gift_id": "1", "gift_num": "1", "coin_type": "silver", "price": "100", "ruid": "1"}),
    _none("bilibili B-coins to gold (buyGold, a conversion)", "POST", f"{BILI}/pay/v2/Pay/buyGold",
          form={"coin_num": "10", "platform": "android"}),
    _none("bilibili wallet", "GET", f"{BILI}/xlive/revenue/v1/wallet/myWallet?need_bp=1"),
    _none("bilibili recharge tip check", "GET", f"{BILI}/xlive/app-room/v1/gift/NeedTipRecharge?from=1"),
    _none("bilibili backpack list", "GET", f"{BILI}/xlive/app-room/v1/gift/bag_list?room_id=1"),
    _none("bilibili pay record", "GET", f"{BILI}/xlive/revenue/v2/giftStream/payRecord?page=1"),
    _none("bilibili pay limit config", "GET", f"{BILI}/xlive/revenue/v1/payLimit/getConfig"),
    _none("bilibili chat", "POST", f"{BILI}/msg/send", form={"msg": "hi", "roomid": "1", "csrf": "c"}),
]  # fmt: skip

DOUYIN = [
    _none("douyin gift list", "GET", DOUYIN_LIST),
    _none("douyin app gift list", "GET", DOUYIN_APP_LIST),
    _none("douyin room info", "GET", "https://live.douyin.com/webcast/room/info/?room_id=5&aid=6383"),
    _none("douyin received gifts", "GET", "https://live.douyin.com/webcast/gift/receive_record/?room_id=5"),
    _none("douyin balance check (diamond_buy/permission)", "GET",
          "https://webcast.amemv.com/webcast/wallet_api/diamond_buy/permission/?aid=1128"),
    _none("douyin chat", "POST", "https://live.douyin.com/webcast/room/chat/?aid=6383",
          form={"room_id": "5", "content": "hi"}),
    _none("douyin favourite gift", "POST", "https://live.douyin.com/webcast/gift/favourite/save/",
          form={"gift_id": "3389"}),
    _none("douyin wish list", "GET", "https://webcast3-normal-c-lq.amemv.com/webcast/wishlist/get/?room_id=7"),
]  # fmt: skip

KUAISHOU = [
    _none("kuaishou gift list (no prices)", "GET", "https://live.kuaishou.com/live_api/emoji/allgifts"),
    _none("kuaishou chat", "POST", "https://live.kuaishou.com/live_api/liveroom/sendComment",
          json_body={"liveStreamId": "ls-1", "content": "hi", "color": None}),
    _none("kuaishou like", "POST", "https://live.kuaishou.com/live_api/liveroom/like",
          json_body={"liveStreamId": "ls-1", "count": 10}),
    _none("kuaishou live detail", "GET", "https://live.kuaishou.com/live_api/liveroom/livedetail?principalId=abc"),
    _none("kuaishou user info with the coin balance", "POST", "https://live.kuaishou.com/live_api/baseuser/userinfo",
          json_body={}),
    _none("kuaishou pay user info", "POST", "https://pay.ssl.kuaishou.com/rest/k/pay/userInfo", json_body={"id": "k1"}),
    _none("kuaishou recharge confirm (order status)", "POST",
          "https://pay.ssl.kuaishou.com/rest/k/pay/kscoin/deposit/nlogin/kspay/confirm",
          json_body={"ksOrderId": "o1", "kpn": "KUAISHOU", "kpf": "PC_WEB"}),
    _none("kuaishou earnings withdrawal (money out)", "POST",
          "https://www.kuaishoupay.com/pay/account/h5/withdraw/apply", form={"amount": "1000"}),
    _none("kuaishou order query", "GET",
          "https://www.kuaishoupay.com/pay/order/pc/trade/query?merchant_id=M1&out_order_no=O1"),
    _none("kuaishou GraphQL room query", "POST", "https://live.kuaishou.com/live_graphql",
          json_body={"operationName": "WebSocketInfoQuery", "variables": {"liveStreamId": "ls-1"},
                     "query": "query WebSocketInfoQuery($liveStreamId: String) { webSocketInfo { token } }"}),
]  # fmt: skip

DOUYU = [
    _none("douyu backpack send (prop donate v1)", "POST", "https://www.douyu.com/japi/prop/donate/mainsite/v1",
          form={"propId": "20001", "propCount": "1", "roomId": "9999", "bizExt": '{"yzxq":{}}'}),
    _none("douyu glow stick from the backpack (prop donate v2)", "POST",
          "https://www.douyu.com/japi/prop/donate/mainsite/v2",
          form={"propId": "268", "propCount": "1", "roomId": "1"}),
    _none("douyu old backpack send", "POST", "https://www.douyu.com/member/prop/send",
          form={"rid": "9999", "prop_id": "268", "num": "1", "sid": "1", "did": "d", "dy": "y"}),
    _none("douyu gift list v3", "GET", DOUYU_V3_LIST),
    _none("douyu backpack list", "GET", "https://www.douyu.com/japi/prop/backpack/web/v1?rid=9999"),
    _none("douyu red packet grab (receiving)", "POST",
          "https://www.douyu.com/japi/interactnc/web/propredpacket/grab_prp", form={"activityid": "1"}),
    _none("douyu room info", "GET", "https://www.douyu.com/betard/9999"),
]  # fmt: skip

TIKTOK = [
    _none("tiktok gift list", "GET", TIKTOK_LIST),
    _none("tiktok room info", "GET", "https://webcast.tiktok.com/webcast/room/info/?room_id=1"),
    _none("tiktok balance check", "GET", "https://webcast.tiktok.com/webcast/wallet_api/diamond_buy/permission/"),
    _none("tiktok chat", "POST", "https://webcast.tiktok.com/webcast/room/chat/", form={"content": "hi"}),
]

TWITCH = [
    _none(f"twitch GQL {name}", "POST", "https://gql.twitch.tv/gql", json_body={"operationName": name, "variables": {}})
    for name in TWITCH_NOT_PURCHASES
]

YOUTUBE = [
    _none("youtube offers (get_offers)", "POST", "https://www.youtube.com/youtubei/v1/ypc/get_offers",
          json_body={"context": {}}),
    _none("youtube next", "POST", "https://www.youtube.com/youtubei/v1/next", json_body={"context": {}}),
    _none("youtube live chat message", "POST", "https://www.youtube.com/youtubei/v1/live_chat/send_message",
          json_body={"context": {}, "richMessage": {"textSegments": [{"text": "hi"}]}}),
    _none("youtube browse", "POST", "https://youtubei.googleapis.com/youtubei/v1/browse", json_body={"context": {}}),
]  # fmt: skip

ROBLOX = [
    _none("roblox free item (expectedPrice 0)", "POST", "https://economy.roblox.com/v2/user-products/990/purchase",
          json_body={"expectedCurrency": 1, "expectedPrice": 0, "expectedSellerId": 1}),
    _none("roblox free collectible (expectedPrice 0)", "POST",
          "https://apis.roblox.com/marketplace-sales/v1/item/4f1c-cc/purchase-item",
          json_body={"collectibleItemId": "4f1c-cc", "expectedCurrency": 1, "expectedPrice": 0, "expectedSellerId": 1}),
    _none("roblox resellers", "GET", "https://apis.roblox.com/marketplace-sales/v1/item/4f1c-aa/resellers?limit=10"),
    _none("roblox resale data", "GET", "https://apis.roblox.com/marketplace-sales/v1/item/4f1c-aa/resale-data"),
    _none("roblox putting one's own item on sale", "PATCH",
          "https://apis.roblox.com/marketplace-sales/v1/item/4f1c-aa/instance/i-1/resale",
          json_body={"collectibleProductId": "p-1", "isOnSale": True, "price": 500}),
    _none("roblox Robux balance", "GET", "https://economy.roblox.com/v1/users/77/currency"),
    _none("roblox transactions", "GET", "https://economy.roblox.com/v2/users/77/transactions?transactionType=Purchase"),
    _none("roblox asset details", "GET", "https://economy.roblox.com/v2/assets/123/details"),
]  # fmt: skip

STEAM = [
    _none("steam wallet code redemption", "POST", "https://store.steampowered.com/account/ajaxredeemwalletcode/",
          form={"wallet_code": "AAAAA-BBBBB-CCCCC", "sessionid": "s"}),
    _none("steam cart", "GET", "https://store.steampowered.com/cart/"),
    _none("steam account", "GET", "https://store.steampowered.com/account/"),
]  # fmt: skip

ALIPAY = [
    _none("alipay quick login on the legacy gateway", "GET", MAPI + "?service=alipay.auth.authorize"
          "&target_service=user.auth.quick.login&partner=2088000000000001&return_url=https%3A%2F%2Fs.example%2F",
          headers=NAVIGATE),
    _none("alipay legacy order query", "POST", MAPI, form={"service": "single_trade_query", "out_trade_no": "T3"}),
    _none("alipay legacy notify verify", "GET", MAPI + "?service=notify_verify&partner=2088&notify_id=n"),
    _none("alipay legacy timestamp", "GET", MAPI + "?service=query_timestamp&partner=2088"),
    _none("alipay legacy refund", "POST", MAPI, form={"service": "refund_fastpay_by_platform_pwd", "batch_num": "1"}),
    _none("alipay legacy shipping confirmation", "POST", MAPI,
          form={"service": "send_goods_confirm_by_platform", "trade_no": "1"}),
    _none("alipay open platform order query", "POST", "https://openapi.alipay.com/gateway.do",
          form={"method": "alipay.trade.query", "biz_content": "{}"}),
]  # fmt: skip

PAYPAL = [
    _none("paypal JS SDK", "GET", "https://www.paypal.com/sdk/js?client-id=x&currency=USD"),
    _none("paypal smart buttons", "GET", "https://www.paypal.com/smart/buttons?token=x"),
    _none("paypal page GraphQL", "POST", "https://www.paypal.com/graphql", json_body={"query": "query { x }"}),
    _none("paypal sign-in", "GET", "https://www.paypal.com/signin", headers=NAVIGATE),
    _none("paypal account summary", "GET", "https://www.paypal.com/myaccount/summary", headers=NAVIGATE),
    _none("paypal add to cart", "GET", "https://www.paypal.com/cgi-bin/webscr?cmd=_cart&add=1&business=s%40e.com"
          "&item_name=a&amount=3.00", headers=NAVIGATE),
    _none("paypal view cart", "GET", "https://www.paypal.com/cgi-bin/webscr?cmd=_cart&display=1&business=s%40e.com",
          headers=NAVIGATE),
    _none("paypal hermes (continues a checkout already judged)", "GET",
          "https://www.paypal.com/webapps/hermes?token=7NE30839A8472264Y&useraction=commit&flowType=WPS",
          headers=NAVIGATE),
    _none("paypal order capture (completes an order already judged)", "POST",
          "https://www.paypal.com/v2/checkout/orders/5O190127TN364715T/capture", json_body={}),
    _none("paypal donate landing page", "GET", "https://www.paypal.com/donate?hosted_button_id=ABC", headers=NAVIGATE),
]  # fmt: skip

STRIPE = [
    _none("stripe.js", "GET", "https://js.stripe.com/v3/"),
    _none("stripe payment method", "POST", "https://api.stripe.com/v1/payment_methods",
          form={"type": "card", "card[token]": "tok_x"}),
]  # fmt: skip

WECHATPAY = [
    _none("wechat pay help centre", "GET", "https://payapp.weixin.qq.com/kfweb/helpcenter/index", headers=NAVIGATE),
    _none("wechat pay host root", "GET", "https://wx.tenpay.com/", headers=NAVIGATE),
]

HUYA = [
    _none("huya WUP fan sign-in", "POST", "https://wup.huya.com/",
          raw=(WUP, tf.packet("wupui", "setFansSign", tf.user_id() + tf.integer(1, 1234567)))),
    _none("huya WUP badge query", "POST", "https://wup.huya.com/",
          raw=(WUP, tf.packet("liveui", "queryBadgeInfoList", tf.user_id() + tf.integer(1, 42)))),
    _none("huya WUP gift list request", "POST", "https://wup.huya.com/",
          raw=(WUP, tf.packet("PropsUIServer", "getPropsList", tf.user_id() + tf.integer(1, 5)))),
    _none("huya WUP backpack gift (pay policy 3)", "POST", "https://cdn.wup.huya.com/",
          raw=(WUP, tf.consume_gift(4, 10, policy=3))),
    _none("huya room page", "GET", "https://www.huya.com/kaerlol", headers=NAVIGATE),
]  # fmt: skip

UNIONPAY = [
    _none("unionpay card opening (txnType 79)", "POST", "https://gateway.95516.com/gateway/api/frontTransReq.do",
          form={"txnType": "79", "txnSubType": "00", "bizType": "000301", "merId": "1", "currencyCode": "156"}),
    _none("unionpay order query", "POST", "https://gateway.95516.com/gateway/api/queryTrans.do",
          form={"txnType": "00", "orderId": "1", "merId": "1"}),
    _none("unionpay cashier page (continues a payment judged at the gateway)", "GET",
          "https://cashier.95516.com/b2c/showCard.action?transNumber=1", headers=NAVIGATE),
]  # fmt: skip

NON_PURCHASES = [
    *BILIBILI, *DOUYIN, *KUAISHOU, *DOUYU, *TIKTOK, *TWITCH, *YOUTUBE, *ROBLOX, *STEAM, *ALIPAY, *PAYPAL, *STRIPE,
    *WECHATPAY, *HUYA, *UNIONPAY,
]  # fmt: skip
BY_APP = {
    "bilibili": BILIBILI, "douyin": DOUYIN, "kuaishou": KUAISHOU, "douyu": DOUYU, "tiktok": TIKTOK, "twitch": TWITCH,
    "youtube": YOUTUBE, "roblox": ROBLOX, "steam": STEAM, "alipay": ALIPAY, "paypal": PAYPAL, "stripe": STRIPE,
    "wechatpay": WECHATPAY, "huya": HUYA, "unionpay": UNIONPAY,
}  # fmt: skip
