"""Reading a mitmproxy flow into the core's values: who sent it, which app it is for, the Request."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from mitmproxy.proxy.mode_specs import ProxyMode
from mitmproxy.test import tflow, tutils

from addons import flows
from guardian.catalog.index import Catalog
from guardian.catalog.request import MAX_BODY
from guardian.enforce.answers import Answer
from guardian.enforce.guard import Guard
from guardian.household import configfile
from guardian.store.ledger import Ledger
from tests.conftest import household_config
from tests.support.one_addon import flow

CATALOG = Catalog.load()


@pytest.fixture
def guard(tmp_path: Path):
    config = configfile.parse(household_config(), tmp_path / "guardian.toml", CATALOG.apps)
    ledger = Ledger(config.storage)
    yield Guard(config, CATALOG, ledger)
    ledger.close()


def test_client_is_the_address_the_proxy_user_and_the_tunnel():
    plain = tflow.tclient_conn()
    plain.peername = ("192.168.1.7", 1)
    assert flows.client(plain) == ("192.168.1.7", None, None)
    assert flows.client(plain, {"proxyauth": ("mia", "secret")}) == ("192.168.1.7", "mia", None)
    assert flows.client(plain, {"proxyauth": "garbage"}) == ("192.168.1.7", None, None)
    phone = tflow.tclient_conn()
    phone.peername = ("10.0.0.1", 1)
    phone.proxy_mode = ProxyMode.parse("wireguard:/home/x/wireguard/mia-phone.conf@51821")
    assert flows.client(phone) == ("10.0.0.1", None, "mia-phone")
    gone = tflow.tclient_conn()
    gone.peername = None
    assert flows.client(gone) == ("unknown", None, None)


@pytest.mark.parametrize(
    ("host", "authority", "host_headers", "app", "found"),
    [
        (
            "api.live.bilibili.com",
            "api.live.bilibili.com",
            ["api.live.bilibili.com"],
            "bilibili",
            "api.live.bilibili.com",
        ),
        ("203.0.113.5", "", ["api.live.bilibili.com"], "bilibili", "api.live.bilibili.com"),  # an IP, the app's Host
        ("api.live.bilibili.com", "", ["news.example"], "bilibili", "api.live.bilibili.com"),
        ("www.bilibili.com", "", ["news.example", "api.live.bilibili.com"], "bilibili", "api.live.bilibili.com"),
        ("news.example", "news.example:443", ["news.example"], None, ""),
    ],
)
def test_app_host_reads_every_name_the_request_gives(guard, host, authority, host_headers, app, found):
    req = tutils.treq(
        host=host, authority=authority.encode(), headers=tuple((b"Host", h.encode()) for h in host_headers)
    )
    got, name = flows.app_host(guard, req)
    assert (None if got is None else got.id, name) == (app, found)


def test_to_request_reads_the_flow_into_the_core_request():
    body = gzip.compress(b"price=1000&gift_num=1")
    f = flow(
        "post",
        "api.live.bilibili.com",
        "/xlive/revenue/v1/gift/sendGold?_method=PUT&a=1&a=2",
        body,
        client="::ffff:192.168.1.7",
        content_type="application/x-www-form-urlencoded",
        content_encoding="gzip",
        sec_fetch_mode="navigate",
    )
    f.metadata["proxyauth"] = ("mia", "secret")
    req = flows.to_request(f, "api.live.bilibili.com")
    assert (req.client, req.user, req.tunnel, req.method, req.host, req.path) == (
        "192.168.1.7",
        "mia",
        None,
        "POST",
        "api.live.bilibili.com",
        "/xlive/revenue/v1/gift/sendGold",
    )
    assert req.query == (("_method", "PUT"), ("a", "1"), ("a", "2"))
    assert (req.body, req.content_type, req.navigation, req.method_override) == (
        b"price=1000&gift_num=1",
        "application/x-www-form-urlencoded",
        True,
        "PUT",
    )


def test_a_phones_request_belongs_to_its_tunnel_and_a_huge_body_is_unreadable():
    f = flow("POST", "api.live.bilibili.com", "/x", b"x" * (MAX_BODY + 1), client="10.0.0.1", accept="text/html")
    f.client_conn.proxy_mode = ProxyMode.parse("wireguard:/keys/mia-phone.conf@51821")
    req = flows.to_request(f, "api.live.bilibili.com")
    assert (req.client, req.tunnel, req.body, req.navigation) == ("wireguard:mia-phone", "mia-phone", None, False)
    message = flows.message_request(f, "irc-ws.chat.twitch.tv")
    assert (message.client, message.tunnel, message.method, message.path, message.body) == (
        "wireguard:mia-phone",
        "mia-phone",
        "POST",
        "/x",
        b"",
    )


def test_respond_answers_instead_of_the_server():
    f = flow("GET", "www.bilibili.com", "/")
    flows.respond(f, Answer(403, {"Guardian-Reason": "app-window"}, b"no"))
    assert (f.response.status_code, f.response.headers["Guardian-Reason"], f.response.content) == (
        403,
        "app-window",
        b"no",
    )
