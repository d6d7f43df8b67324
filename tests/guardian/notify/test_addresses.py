"""What a parent pastes for each kind of channel, the apprise URL it becomes, and what the dashboard may show."""

import pytest

from guardian.household.routes import KINDS, Limits
from guardian.notify.addresses import NTFY_SH, mask, parse

PUSHPLUS = "a" * 28 + "b1c2"  # 32 characters, like a real token


@pytest.mark.parametrize(
    ("kind", "address", "token", "to", "url", "shown"),
    [
        ("pushplus", PUSHPLUS, "", "", f"pushplus://{PUSHPLUS}?format=text", "PushPlus ****1c2"),
        (
            "pushplus",
            f"https://www.pushplus.plus/send?token={PUSHPLUS}&title=x",
            "",
            "",
            f"pushplus://{PUSHPLUS}?format=text",
            "PushPlus ****1c2",
        ),
        (
            "bark",
            "https://api.day.app/Xy7Kq2Lm9Pz4Rt1Vw8Nb3c/",
            "",
            "",
            "barks://api.day.app/Xy7Kq2Lm9Pz4Rt1Vw8Nb3c?image=no&format=text",
            "Bark https://api.day.app/****b3c",
        ),
        (
            "bark",
            "http://192.168.1.5:8080/Xy7Kq2Lm9Pz4Rt1Vw8Nb3c/推送内容",
            "",
            "",
            "bark://192.168.1.5:8080/Xy7Kq2Lm9Pz4Rt1Vw8Nb3c?image=no&format=text",
            "Bark http://192.168.1.5:8080/****b3c",
        ),
        (
            "ntfy",
            "http://192.168.1.5/kids-4f9a2c",
            "",
            "",
            "ntfy://192.168.1.5/kids-4f9a2c?mode=private&image=no&format=text",
            "ntfy http://192.168.1.5/****c",
        ),
        (
            "ntfy",
            "https://ntfy.sh/kids-room-4f9a2c",
            "tk_0123456789abcdefghij",
            "",
            "ntfys://tk_0123456789abcdefghij@ntfy.sh/kids-room-4f9a2c?mode=private&image=no&format=text&auth=token",
            "ntfy https://ntfy.sh/****a2c +token",
        ),
        (
            "dingtalk",
            "https://oapi.dingtalk.com/robot/send?access_token=9f3e1d2c4b5a69788796a5b4c3d2e1f0",
            "SEC0123456789abcdef",
            "",
            "dingtalk://SEC0123456789abcdef@9f3e1d2c4b5a69788796a5b4c3d2e1f0/?format=text",
            "DingTalk ****1f0 +sign",
        ),
        (
            "feishu",
            "https://open.feishu.cn/open-apis/bot/v2/hook/2f6c8d4e-1a3b-4c5d-9e7f-0a1b2c3d4e5f",
            "",
            "",
            "feishu://2f6c8d4e-1a3b-4c5d-9e7f-0a1b2c3d4e5f?format=text",
            "Feishu ****e5f",
        ),
        (
            "wecom",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
            "",
            "",
            "wecombot://693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa?format=text",
            "WeCom ****aaa",
        ),
        (
            "email",
            "smtps://mum@qq.com@smtp.qq.com",
            "app-password",
            "dad@example.com",
            "mailtos://mum%40qq.com:app-password@smtp.qq.com:465/?smtp=smtp.qq.com&from=mum@qq.com"
            "&to=dad@example.com&format=text&mode=ssl",
            "email → ****@example.com (smtp.qq.com:465)",
        ),
        (
            "email",
            "smtp+plain://nas.lan:2525",
            "",
            "dad@example.com",
            "mailto://nas.lan:2525/?smtp=nas.lan&from=guardian@nas.lan&to=dad@example.com&format=text",
            "email → ****@example.com (nas.lan:2525)",
        ),
        (
            "webhook",
            "http://192.168.1.2:8123/api/webhook/guardian-7f3a9c?src=g",
            "",
            "",
            "json://192.168.1.2:8123/api/webhook/guardian-7f3a9c?-src=g",
            "webhook http://192.168.1.2:8123/****a9c",
        ),
    ],
)
def test_what_the_parent_pastes_becomes_a_url_with_no_images_and_a_masked_form(kind, address, token, to, url, shown):
    parsed = parse(kind, f"  {address} ", token, to)
    assert (parsed.kind, parsed.url, parsed.shown) == (kind, url, shown)
    for secret in (token, address.rsplit("/", 1)[-1].split("=")[-1]):
        if len(secret) > 12:
            assert secret not in parsed.shown and secret not in parsed.server


def test_every_url_that_can_fetch_an_image_says_no():
    for kind, address in (("ntfy", "http://n.lan/t"), ("bark", "http://b.lan/KEY12345/")):
        assert "image=no" in parse(kind, address).url


def test_limits_follow_the_service():
    assert parse("ntfy", "https://ntfy.sh/kids-4f9a2c").limits() == NTFY_SH == Limits(12, 250)
    assert parse("ntfy", "http://192.168.1.5/kids").limits() == KINDS["ntfy"]
    assert parse("pushplus", PUSHPLUS).limits() == Limits(5, 200)


@pytest.mark.parametrize(
    ("kind", "address", "to", "error"),
    [
        ("sms", "123", "", "unknown kind of channel 'sms'"),
        ("ntfy", "", "", "the address is missing"),
        ("ntfy", "x" * 501, "", "the address is too long"),
        ("pushplus", "short", "", "The PushPlus token should be letters, digits, '-' or '_' only"),
        ("bark", "https://api.day.app/", "", "no device key in the address"),
        ("bark", "ftp://api.day.app/KEY12345", "", "not an address like https://api.day.app/KEY/"),
        ("ntfy", "http://192.168.1.5/a/b", "", "expected the topic's address"),
        ("ntfy", "http://192.168.1.5/bad topic!", "", "The ntfy topic should be"),
        ("ntfy", "http://evil host/kids", "", "not an address like"),
        ("email", "smtp.qq.com", "dad@example.com", "expected the mail server like"),
        ("email", "smtps://mum@smtp.qq.com", "dad", "the recipient should be an email address"),
        ("webhook", "http://user:pw@192.168.1.2/hook", "", "put no user name or password"),
    ],
)
def test_mistakes_say_what_to_fix(kind, address, to, error):
    with pytest.raises(ValueError) as e:
        parse(kind, address, "", to)
    assert str(e.value).startswith(error)


def test_mask_keeps_only_a_tail():
    assert mask("abcdefghijklmnop") == "****nop" and mask("abcdefg") == "****g" and mask("abc") == "****"
