"""apprise against local fake services: what each channel is sent, and failures as plain words, never secrets."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from guardian import words
from guardian.notify import addresses
from guardian.notify.desktop import NotifyError
from guardian.notify.messages import Message
from guardian.notify.transport import EN, PhoneNotifier, explain, scrub
from tests.support.channels import Endpoint, Mailbox, Relay, free_port, start_all

WRONG = "wrongSecret1234567890abcdefghijk"  # 32 characters, like a PushPlus token
QUESTION = Message(
    "Mia 请求消费 / asks to spend 30.00 CNY",
    "金额 Amount: 30.00 CNY (3000 gold)\n主播 Streamer id: “7734”\n记录 record #3 1f0c9a3b5d7e8f60",
    link="https://guardian.home:8765/q/12?t=abc",
)


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory):
    endpoints, relay = start_all(tmp_path_factory.mktemp("channels"))
    yield endpoints, relay
    relay.shutdown()
    relay.server_close()
    for e in endpoints.values():
        e.stop()


@pytest.fixture
def fakes(services, monkeypatch: pytest.MonkeyPatch) -> dict[str, Endpoint]:
    endpoints, relay = services
    for name, value in relay.env().items():
        monkeypatch.setenv(name, value)
    for e in endpoints.values():
        e.received.clear()
        e.failures.clear()
    return endpoints


def address(kind: str, e: Endpoint, secret: str | None = None) -> addresses.Address:
    secret = e.secret if secret is None else secret
    if kind == "ntfy":
        return addresses.parse("ntfy", f"{e.base}/kids-topic", secret)
    if kind == "bark":
        return addresses.parse("bark", f"{e.base}/{secret}/")
    if kind == "webhook":
        return addresses.parse("webhook", f"{e.base}/api/webhook/{secret}")
    if kind == "pushplus":
        return addresses.parse("pushplus", f"https://www.pushplus.plus/send?token={secret}")
    if kind == "dingtalk":
        return addresses.parse("dingtalk", f"https://oapi.dingtalk.com/robot/send?access_token={secret}")
    if kind == "feishu":
        return addresses.parse("feishu", f"https://open.feishu.cn/open-apis/bot/v2/hook/{secret}")
    return addresses.parse("wecom", f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={secret}")


@pytest.mark.parametrize("kind", ["ntfy", "bark", "webhook", "pushplus", "dingtalk", "feishu", "wecom"])
def test_each_kind_delivers_the_message_as_its_service_expects(fakes, kind):
    PhoneNotifier(address(kind, fakes[kind])).send(QUESTION)
    [got] = fakes[kind].received
    assert "主播 Streamer id: “7734”" in got.text and "记录 record #3 1f0c9a3b5d7e8f60" in got.text
    assert "Mia" in got.title or "Mia" in got.text  # WeCom folds the title into the text


def test_ntfy_and_bark_carry_the_link_to_tap_and_raise_the_priority_when_urgent(fakes):
    urgent = Message(QUESTION.title, QUESTION.body, QUESTION.link, urgent=True)
    PhoneNotifier(address("ntfy", fakes["ntfy"])).send(urgent)
    PhoneNotifier(address("bark", fakes["bark"])).send(urgent)
    PhoneNotifier(address("ntfy", fakes["ntfy"])).send(Message("calm", "no link"))
    first, calm = fakes["ntfy"].received
    assert first.headers["X-Priority"] == "max" and first.headers["X-Click"] == QUESTION.link  # max: ntfy's 5
    assert "X-Priority" not in calm.headers and "X-Click" not in calm.headers
    [bark] = fakes["bark"].received
    assert bark.body["level"] == "critical" and bark.body["url"] == QUESTION.link


def test_email_reaches_the_mailbox_as_plain_text():
    box = Mailbox()
    try:
        to = addresses.parse("email", f"smtp+plain://guardian@home.lan@127.0.0.1:{box.port}", "", "mum@example.com")
        PhoneNotifier(to).send(QUESTION)
        [(rcpt, mail, _)] = box.messages
        assert rcpt == ["mum@example.com"] and mail["Subject"] == QUESTION.title
        assert mail.get_content_type() == "text/plain" and "“7734”" in mail.get_content()
        box.refusals = 1
        with pytest.raises(NotifyError) as failed:
            PhoneNotifier(to).send(QUESTION)
        assert "The mail server answered 451" in str(failed.value)
    finally:
        box.stop()


@pytest.mark.parametrize(
    ("kind", "words", "permanent"),
    [
        ("ntfy", "ntfy answered 401 Unauthorized: check the topic's access token", True),
        ("bark", "Bark answered 400 Bad Request: check the address", True),
        ("webhook", "The webhook answered 404 Not Found: check the address", True),
        ("pushplus", "PushPlus answered code 903: Invalid user token (check the token)", True),
        ("feishu", "Feishu refused it: code 19001 param invalid", True),
    ],
)
def test_a_refusal_is_plain_words_and_permanent(fakes, kind, words, permanent):
    with pytest.raises(NotifyError) as failed:
        PhoneNotifier(address(kind, fakes[kind], secret=WRONG)).send(QUESTION)
    assert str(failed.value).startswith(words) and failed.value.permanent is permanent
    assert WRONG not in str(failed.value)
    assert fakes[kind].received == []


def test_a_server_error_and_a_closed_port_are_worth_another_try(fakes):
    fakes["ntfy"].fail_next(1, 500)
    with pytest.raises(NotifyError) as failed:
        PhoneNotifier(address("ntfy", fakes["ntfy"])).send(QUESTION)
    assert (
        str(failed.value)
        == "ntfy answered 500 Internal Server Error: the server has a problem; Guardian will try again"
    )
    assert not failed.value.permanent
    port = free_port()
    with pytest.raises(NotifyError) as failed:
        PhoneNotifier(addresses.parse("bark", f"http://127.0.0.1:{port}/SecretKey12345/")).send(QUESTION)
    assert str(failed.value) == (
        f"Could not reach Bark at 127.0.0.1:{port}: connection refused (is the server running, and the address right?)"
    )
    assert not failed.value.permanent


def test_nothing_apprise_or_urllib3_says_reaches_the_log(fakes):
    # The service logs through the root logger (logging.basicConfig in dashboard.serve); even at DEBUG no address
    # reaches it. (pytest's own capture attaches to every logger, so this test brings its own handler.)
    stream = io.StringIO()
    handler, root = logging.StreamHandler(stream), logging.getLogger()
    handler.setLevel(logging.DEBUG)
    root.addHandler(handler)
    level, root.level = root.level, logging.DEBUG
    try:
        with pytest.raises(NotifyError):
            PhoneNotifier(address("bark", fakes["bark"], secret="LeakyKey9876543")).send(QUESTION)
        PhoneNotifier(address("webhook", fakes["webhook"])).send(QUESTION)
    finally:
        root.removeHandler(handler)
        root.level = level
    assert "LeakyKey9876543" not in stream.getvalue() and fakes["webhook"].secret not in stream.getvalue()
    assert len(fakes["webhook"].received) == 1


def test_scrub_hides_every_part_of_the_address_that_could_be_a_secret():
    url = "ntfys://tk_AbCdEf123456@ntfy.example/kids-room?mode=private"
    said = "Failed to send to ntfys://tk_AbCdEf123456@ntfy.example/kids-room: nope"
    assert "tk_AbCdEf123456" not in scrub(said, url) and "kids-room" not in scrub(said, url)


def test_words_for_what_apprise_reported():
    ntfy = addresses.parse("ntfy", "http://192.168.1.5/kids")
    assert explain(ntfy, ["Failed to send ntfy notification to topic 'kids': too many requests, error=42901."], EN) == (
        "ntfy answered 429 Too Many Requests: it limits how often Guardian may send; messages wait and go out grouped",
        False,
    )
    timed_out = ["A Connection error occurred sending ntfy", "Socket Exception: Read timed out. (read timeout=4.0)"]
    assert explain(ntfy, timed_out, EN)[0].endswith("no answer in time (is the server on, and on this network?)")
    assert explain(ntfy, ["something new"], EN) == ("ntfy did not take the message: something new", False)
    refused = ["Failed to send ntfy notification to topic 'kids': unauthorized, error=40101."]
    assert explain(ntfy, refused, words.of("zh")) == ("ntfy 返回 401：请检查主题的访问令牌", True)


def test_an_address_apprise_cannot_read_is_a_permanent_failure():
    broken = addresses.Address("ntfy", "notaservice://nowhere", "ntfy ****", "nowhere")
    with pytest.raises(NotifyError) as failed:
        PhoneNotifier(broken).send(QUESTION)
    assert failed.value.permanent and "add it again" in str(failed.value)


def test_the_relay_answers_only_the_fixed_hosts(tmp_path: Path):
    import urllib.request

    relay = Relay(tmp_path, {})
    try:
        proxy = urllib.request.ProxyHandler({"https": f"http://127.0.0.1:{relay.server_address[1]}"})
        with pytest.raises(OSError):
            urllib.request.build_opener(proxy).open("https://example.com/", timeout=5)
    finally:
        relay.shutdown()
        relay.server_close()
