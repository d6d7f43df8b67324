import dataclasses

import pytest

from guardian.catalog.request import MAX_BODY, Request, normalize_host, normalize_path


@pytest.mark.parametrize(
    ("host", "normal"),
    [
        ("api.live.bilibili.com", "api.live.bilibili.com"),
        ("API.Live.Bilibili.COM", "api.live.bilibili.com"),
        ("api.live.bilibili.com.", "api.live.bilibili.com"),
        ("api.live.bilibili.com..", "api.live.bilibili.com"),
        ("api.live.bilibili.com:443", "api.live.bilibili.com"),
        ("API.live.bilibili.com.:8443", "api.live.bilibili.com"),
        ("  www.Douyin.com  ", "www.douyin.com"),
        ("10.0.0.1:80", "10.0.0.1"),
        ("10.0.0.1", "10.0.0.1"),
        ("[::1]:8080", "::1"),
        ("[::1]", "::1"),
        ("[FE80::1]", "fe80::1"),
        ("[fe80::1", "fe80::1"),
        ("::1", "::1"),
        ("2001:DB8::1", "2001:db8::1"),
        ("", ""),
        # Found by the fuzzer: one pass left a space or a dot that a second pass removed.
        ("0 :", "0"),
        ("a .", "a"),
        ("[live.douyin.com.]", "live.douyin.com"),
        ("[[a]", "a"),
    ],
)
def test_normalize_host(host: str, normal: str) -> None:
    assert normalize_host(host) == normal


@pytest.mark.parametrize(
    ("path", "normal"),
    [
        ("/xlive/revenue/v1/gift/sendGold", "/xlive/revenue/v1/gift/sendgold"),
        ("/xlive/revenue/v1/gift/sendGold/", "/xlive/revenue/v1/gift/sendgold"),
        ("/XLIVE/Revenue/V1/gift/SENDGOLD", "/xlive/revenue/v1/gift/sendgold"),
        ("//xlive///revenue/v1//gift/sendGold", "/xlive/revenue/v1/gift/sendgold"),
        ("xlive/revenue/v1/gift/sendGold", "/xlive/revenue/v1/gift/sendgold"),
        ("/xlive/./revenue/v1/gift/./sendGold", "/xlive/revenue/v1/gift/sendgold"),
        ("/xlive/revenue/v1/gift/x/../sendGold", "/xlive/revenue/v1/gift/sendgold"),
        ("/xlive/revenue/v1/gift/%73endGold", "/xlive/revenue/v1/gift/sendgold"),
        ("/xlive%2Frevenue%2fv1/gift/sendGold", "/xlive/revenue/v1/gift/sendgold"),
        ("/xlive/revenue/v1/gift/x/%2e%2e/sendGold", "/xlive/revenue/v1/gift/sendgold"),
        ("/xlive/revenue/v1/gift/x/%252e%252e/sendGold", "/xlive/revenue/v1/gift/sendgold"),  # double-encoded
        ("/xlive/revenue/v1/gift/x/%25252e%25252e/sendGold", "/xlive/revenue/v1/gift/sendgold"),  # triple
        ("%2Fxlive/revenue/v1/gift/sendGold", "/xlive/revenue/v1/gift/sendgold"),
        ("/A//b/%2e%2e/c/", "/a/c"),
        ("/../../etc/passwd", "/etc/passwd"),
        ("/cashdesk/", "/cashdesk"),
        # ;parameters are dropped: many servers route "/a/c;x=1" to "/a/c".
        ("/xlive/revenue/v1/gift/sendGold;jsessionid=abc", "/xlive/revenue/v1/gift/sendgold"),
        ("/xlive;v=2/revenue/v1/gift/sendGold", "/xlive/revenue/v1/gift/sendgold"),
        ("/xlive/revenue/v1/gift/sendGold%3Bx=1", "/xlive/revenue/v1/gift/sendgold"),
        ("/cashdesk;/", "/cashdesk"),
        ("/a/b;x/../c", "/a/c"),
        ("", "/"),
        ("/", "/"),
        ("///", "/"),
        ("/./", "/"),
        ("/..", "/"),
    ],
)
def test_normalize_path(path: str, normal: str) -> None:
    assert normalize_path(path) == normal


def test_normalize_path_is_idempotent() -> None:
    for path in ("/A//b/%2e%2e/c/", "/x/%25252e%25252e/y", "//a/./b/"):
        once = normalize_path(path)
        assert normalize_path(once) == once


def test_request_defaults_and_immutability() -> None:
    r = Request("10.0.0.2", None, "POST", "api.live.bilibili.com", "/x")
    assert (r.query, r.content_type, r.body, r.navigation, r.method_override) == ((), "", b"", False, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.body = b"x"  # type: ignore[misc]


def test_max_body_is_64_kib() -> None:
    assert MAX_BODY == 65536
