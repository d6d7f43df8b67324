"""Bypass attempts through the real proxy: each is recognised (priced) or refused, never silently passed.

The child has a 30 CNY per-purchase cap and every attempt below is a 31 CNY
gift or recharge dressed up to slip past detection. "Recognised" means the
proxy priced it and refused it for the cap (`per-purchase`); "refused" means
it could not read it and refused it (`unreadable`). Either way the app's
server never sees it. Each transport also has a control: the same request at
10 CNY is allowed and reaches the app, so the harness does not block blindly.
"""

from __future__ import annotations

import gzip
import sqlite3
import subprocess
import zlib
from collections.abc import Iterator

import brotli
import pytest
from backports import zstd

from tests.conftest import household_config
from tests.support import fakeapps, rawhttp
from tests.support.proxy import Proxy

pytestmark = pytest.mark.e2e

HOST = "api.live.bilibili.com"
PATH = "/xlive/revenue/v2/gift/sendGoldMultiUser"
KUAISHOU_HOST = "pay.ssl.kuaishou.com"
KUAISHOU_PATH = "/rest/k/pay/kscoin/deposit/nlogin/kspay/cashier"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
RECOGNISED, REFUSED = "per-purchase", "unreadable"


def form(yuan: int = 31) -> bytes:
    return f"price={yuan * 1000}&gift_num=1&ruid=5&coin_type=gold&csrf=x".encode()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory, fake_apps_session: fakeapps.FakeApps) -> Iterator[Proxy]:
    folder = tmp_path_factory.mktemp("bypass")
    config = folder / "guardian.toml"
    config.write_text(household_config('[child.caps]\nper_purchase = "30"\n'), encoding="utf-8")
    p = Proxy(
        config, folder / "mitmproxy", fake_apps_session.ca, fake_apps_session.https_port, fake_apps_session.http_port
    )
    p.start()
    yield p
    p.stop()


def payments_seen(fake_apps: fakeapps.FakeApps) -> list[fakeapps.Seen]:
    with fake_apps.lock:
        return [s for s in fake_apps.seen if "sendgold" in s.path.lower() or "cashier" in s.path.lower()]


def last_row(proxy: Proxy) -> dict:
    conn = sqlite3.connect(proxy.config.parent / "guardian.db")
    conn.row_factory = sqlite3.Row
    try:
        return dict(conn.execute("SELECT * FROM attempts ORDER BY id DESC LIMIT 1").fetchone() or {})
    finally:
        conn.close()


def assert_stopped(proxy: Proxy, fake_apps: fakeapps.FakeApps, answer: tuple[int, dict, bytes], reason: str) -> None:
    status, headers, body = answer
    assert headers.get("guardian-decision") == "blocked", (status, headers, body[:200], proxy.log()[-2000:])
    assert headers.get("guardian-reason") == reason
    assert payments_seen(fake_apps) == []
    row = last_row(proxy)
    assert (row["decision"], row["reason"]) == ("blocked", reason)


def tls(proxy: Proxy, raw: bytes, connect_to: str = f"{HOST}:443", sni: str | None = HOST):
    return rawhttp.tls(proxy.port, connect_to, sni, proxy.ca, raw)


# --- the controls: the harness lets an ordinary, affordable purchase through on every transport


def test_control_plain_http_purchase_is_allowed(proxy, fake_apps):
    status, headers, _ = rawhttp.plain(
        proxy.port, rawhttp.request("POST", f"http://{HOST}{PATH}", HOST, form(10), FORM)
    )
    assert (status, headers.get("guardian-decision")) == (200, "allowed")
    assert len(payments_seen(fake_apps)) == 1


def test_control_https_purchase_is_allowed(proxy, fake_apps):
    status, headers, _ = tls(proxy, rawhttp.request("POST", PATH, HOST, form(10), FORM))
    assert (status, headers.get("guardian-decision")) == (200, "allowed")
    assert len(payments_seen(fake_apps)) == 1


# --- host names


@pytest.mark.parametrize(
    "url_host, host_header",
    [
        ("API.LIVE.BILIBILI.COM", "API.LIVE.BILIBILI.COM"),
        (HOST, "Api.Live.Bilibili.Com."),
        (f"{HOST}.", f"{HOST}."),
        ("127.0.0.1", HOST),  # the app's address in the URL, its name in Host
        (HOST, "news.example"),  # the app in the URL (where the proxy connects), another name in Host
    ],
    ids=["upper-case", "trailing-dot-header", "trailing-dot-both", "ip-in-url", "other-host-header"],
)
def test_host_spellings_over_http(proxy, fake_apps, url_host, host_header):
    raw = rawhttp.request("POST", f"http://{url_host}{PATH}", host_header, form(), FORM)
    assert_stopped(proxy, fake_apps, rawhttp.plain(proxy.port, raw), RECOGNISED)


@pytest.mark.parametrize(
    "connect_to, sni, host_header",
    [
        ("127.0.0.1:443", None, HOST),  # IP address in the URL: no SNI, the real Host header
        ("127.0.0.1:443", None, f"{HOST.upper()}."),
        (f"{HOST.upper()}:443", HOST, "API.live.BILIBILI.com"),
    ],
    ids=["ip-no-sni", "ip-upper-trailing-dot", "upper-case"],
)
def test_host_spellings_over_https(proxy, fake_apps, connect_to, sni, host_header):
    raw = rawhttp.request("POST", PATH, host_header, form(), FORM)
    assert_stopped(proxy, fake_apps, tls(proxy, raw, connect_to, sni), RECOGNISED)


def test_two_host_headers(proxy, fake_apps):
    raw = rawhttp.request("POST", PATH, "news.example", form(), {**FORM, "Host": HOST})
    assert raw.count(b"Host:") == 2
    assert_stopped(proxy, fake_apps, tls(proxy, raw, "127.0.0.1:443", None), RECOGNISED)


def test_payment_host_in_url_with_an_app_page_host_header(proxy, fake_apps):
    """The payment API in the URL (where the proxy connects) and another of the app's names in Host."""
    raw = rawhttp.request("POST", f"http://{HOST}{PATH}", "live.bilibili.com", form(), FORM)
    assert_stopped(proxy, fake_apps, rawhttp.plain(proxy.port, raw), RECOGNISED)


# --- paths


@pytest.mark.parametrize(
    "path",
    [
        "/xlive/revenue/v2/gift/%73endGoldMultiUser",
        "/xlive/revenue/v2/gift/%2573endGoldMultiUser",  # double-encoded
        "/xlive//revenue/v2/gift//sendGoldMultiUser",
        "//xlive/revenue/v2/gift/sendGoldMultiUser",
        "/xlive/revenue/v2/gift%2fsendGoldMultiUser",
        "/xlive/revenue/./v2/x/../gift/sendGoldMultiUser",
        "/xlive/revenue/v2/gift/%2e/sendGoldMultiUser",
        "/XLIVE/Revenue/V2/GIFT/SENDGOLDMULTIUSER",
        "/xlive/revenue/v2/gift/sendGoldMultiUser/",
        "/xlive/revenue/v2/gift/sendGoldMultiUser;jsessionid=1",  # path parameters, dropped by Java servers
        "/xlive/revenue;x=1/v2/gift/sendGoldMultiUser",
        "/xlive%5crevenue%5cv2%5cgift%5csendGoldMultiUser",  # back-slashes, read as slashes by some servers
    ],
)
def test_path_spellings(proxy, fake_apps, path):
    raw = rawhttp.request("POST", path, HOST, form(), FORM)
    assert_stopped(proxy, fake_apps, tls(proxy, raw), RECOGNISED)


# --- fields


@pytest.mark.parametrize(
    "query, body, reason",
    [
        ("price=1000&price=31000&gift_num=1&ruid=5", b"", REFUSED),  # which price will the server read?
        ("price=1000&gift_num=1", form(), REFUSED),  # the query and the body disagree
        ("price=31000&price=31000&gift_num=1&ruid=5", b"", RECOGNISED),  # repeated but the same
        ("pr%69ce=31000&gift_num=1", b"", RECOGNISED),  # an encoded key name
        ("", b"price=1000&gift_num=1&price=31000", REFUSED),
    ],
    ids=["query-repeats", "query-vs-body", "same-repeat", "encoded-key", "body-repeats"],
)
def test_repeated_query_and_form_keys(proxy, fake_apps, query, body, reason):
    raw = rawhttp.request("POST", f"{PATH}?{query}", HOST, body, FORM)
    assert_stopped(proxy, fake_apps, tls(proxy, raw), reason)


@pytest.mark.parametrize(
    "body",
    [
        b'{"fen": 100, "fen": 3100, "ksCoin": 31}',
        b'{"fen": 3100, "f\\u0065n": 100}',  # the same key, written with an escape
        b'{"order": {"a": 1, "a": 2}, "fen": 3100}',  # a nested duplicate makes the whole body suspect
    ],
)
def test_duplicate_json_keys_are_refused(proxy, fake_apps, body):
    raw = rawhttp.request("POST", KUAISHOU_PATH, KUAISHOU_HOST, body, JSON)
    assert_stopped(proxy, fake_apps, tls(proxy, raw, f"{KUAISHOU_HOST}:443", KUAISHOU_HOST), REFUSED)


# --- bodies


def _deflate_raw(data: bytes) -> bytes:
    c = zlib.compressobj(wbits=-15)
    return c.compress(data) + c.flush()


@pytest.mark.parametrize(
    "encoding, encode, reason",
    [
        ("gzip", gzip.compress, RECOGNISED),
        ("x-gzip", gzip.compress, RECOGNISED),
        ("deflate", zlib.compress, RECOGNISED),
        ("deflate", _deflate_raw, RECOGNISED),
        ("br", brotli.compress, RECOGNISED),
        ("zstd", zstd.compress, RECOGNISED),
        ("GZIP", gzip.compress, RECOGNISED),
        ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b)), RECOGNISED),
        ("gzip", lambda b: gzip.compress(b)[:-9], REFUSED),  # truncated
        ("gzip", lambda b: gzip.compress(b"price=1000&gift_num=1&ruid=5") + gzip.compress(b"&price=31000"), REFUSED),
        ("gzip", lambda b: gzip.compress(b) + b"trailing", REFUSED),
        ("x-unknown", lambda b: b, REFUSED),
        ("rot13", lambda b: b, REFUSED),  # a text codec, not a content-encoding
        ("base64", lambda b: __import__("base64").b64encode(b), REFUSED),
    ],
    ids=[
        "gzip",
        "x-gzip",
        "deflate-zlib",
        "deflate-raw",
        "br",
        "zstd",
        "upper",
        "gzip-twice",
        "truncated",
        "two-members",
        "trailing-bytes",
        "unknown",
        "rot13",
        "base64",
    ],
)
def test_encoded_bodies(proxy, fake_apps, encoding, encode, reason):
    raw = rawhttp.request("POST", PATH, HOST, encode(form()), {**FORM, "Content-Encoding": encoding})
    assert_stopped(proxy, fake_apps, tls(proxy, raw), reason)


@pytest.mark.parametrize(
    "encoding, encode", [("gzip", gzip.compress), ("br", brotli.compress), ("deflate", zlib.compress)]
)
def test_a_compressed_body_that_inflates_past_the_bound_is_refused(proxy, fake_apps, encoding, encode):
    # A few KiB on the wire, 16 MiB once inflated: refused without inflating it all on the event loop.
    bomb = encode(form() + b"&pad=" + b"0" * (16 << 20))
    assert len(bomb) < 64 * 1024
    raw = rawhttp.request("POST", PATH, HOST, bomb, {**FORM, "Content-Encoding": encoding})
    assert_stopped(proxy, fake_apps, tls(proxy, raw), REFUSED)


def test_chunked_body_is_read(proxy, fake_apps):
    raw = rawhttp.request("POST", PATH, HOST, rawhttp.chunked(form()), {**FORM, "Transfer-Encoding": "chunked"})
    assert_stopped(proxy, fake_apps, tls(proxy, raw), RECOGNISED)


def test_chunked_gzip_body_is_read(proxy, fake_apps):
    body = rawhttp.chunked(gzip.compress(form()), size=5)
    raw = rawhttp.request(
        "POST", PATH, HOST, body, {**FORM, "Transfer-Encoding": "chunked", "Content-Encoding": "gzip"}
    )
    assert_stopped(proxy, fake_apps, tls(proxy, raw), RECOGNISED)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_the_size_bound_is_refused(proxy, fake_apps, chunked):
    body = form() + b"&pad=" + b"x" * 70_000
    headers = {**FORM, "Transfer-Encoding": "chunked"} if chunked else FORM
    raw = rawhttp.request("POST", PATH, HOST, rawhttp.chunked(body, 4096) if chunked else body, headers)
    assert_stopped(proxy, fake_apps, tls(proxy, raw), REFUSED)


@pytest.mark.parametrize(
    "body, ctype",
    [
        (form(), "application/json"),  # a form body labelled JSON
        (b'{"fen": 3100}', "application/x-www-form-urlencoded"),  # JSON labelled as a form
        (
            b'--b\r\nContent-Disposition: form-data; name="fen"\r\n\r\n3100\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
        ),
        ("fen=3100".encode("utf-16"), "application/x-www-form-urlencoded"),
    ],
    ids=["form-as-json", "json-as-form", "multipart", "utf16-form"],
)
def test_mislabelled_bodies_are_refused(proxy, fake_apps, body, ctype):
    raw = rawhttp.request("POST", KUAISHOU_PATH, KUAISHOU_HOST, body, {"Content-Type": ctype})
    assert_stopped(proxy, fake_apps, tls(proxy, raw, f"{KUAISHOU_HOST}:443", KUAISHOU_HOST), REFUSED)


# --- methods


@pytest.mark.parametrize("header", ["X-HTTP-Method-Override", "X-Method-Override", "X-HTTP-Method"])
def test_method_override_headers_are_recognised(proxy, fake_apps, header):
    raw = rawhttp.request("GET", f"{PATH}?price=31000&gift_num=1&ruid=5", HOST, b"", {header: "post"})
    assert_stopped(proxy, fake_apps, tls(proxy, raw), RECOGNISED)


def test_method_override_query_parameter_is_recognised(proxy, fake_apps):
    raw = rawhttp.request("GET", f"{PATH}?_method=POST&price=31000&gift_num=1&ruid=5", HOST, b"")
    assert_stopped(proxy, fake_apps, tls(proxy, raw), RECOGNISED)


# --- HTTP/2


@pytest.fixture(scope="module")
def h2_proxy(tmp_path_factory: pytest.TempPathFactory, fake_apps_session: fakeapps.FakeApps) -> Iterator[Proxy]:
    """The fake app servers speak HTTP/1.1 only; a lazy proxy negotiates h2 with the client before it connects
    upstream, as it does with real app servers that speak h2."""
    folder = tmp_path_factory.mktemp("bypass-h2")
    config = folder / "guardian.toml"
    config.write_text(household_config('[child.caps]\nper_purchase = "30"\n'), encoding="utf-8")
    p = Proxy(
        config,
        folder / "mitmproxy",
        fake_apps_session.ca,
        fake_apps_session.https_port,
        fake_apps_session.http_port,
        extra=["--set", "connection_strategy=lazy"],
    )
    p.start()
    yield p
    p.stop()


def curl_h2(proxy: Proxy, url: str, body: bytes, *headers: str) -> str:
    """POST with curl over HTTP/2 through the proxy; the answer's status line and headers, lower case."""
    out = subprocess.run(
        [
            "curl",
            "-sS",
            "--http2",
            "-x",
            proxy.url,
            "--cacert",
            str(proxy.ca),
            "-D",
            "-",
            "-o",
            "/dev/null",
            "--data-binary",
            "@-",
            "-H",
            "Content-Type: application/x-www-form-urlencoded",
            *[a for h in headers for a in ("-H", h)],
            url,
        ],
        input=body,
        capture_output=True,
        timeout=30,
    )
    head = out.stdout.decode("latin-1").lower()
    assert "http/2 200" in head, (out, proxy.log()[-2000:])  # h2 between the client and the proxy
    return head


def test_http2_purchases_are_recognised(h2_proxy, fake_apps):
    control = curl_h2(h2_proxy, f"https://{HOST}{PATH}", form(10))
    assert "guardian-decision: allowed" in control
    assert len(payments_seen(fake_apps)) == 1
    fake_apps.reset()
    for url, body, headers, reason in [
        (f"https://{HOST}{PATH}", form(), (), RECOGNISED),
        (f"https://{HOST.upper()}{PATH.replace('send', '%73end')}", form(), (), RECOGNISED),
        (f"https://{HOST}{PATH}", gzip.compress(form()), ("Content-Encoding: gzip",), RECOGNISED),
        (f"https://{HOST}{PATH}?price=1000", form(), (), REFUSED),
        (f"https://{HOST}{PATH}", form() + b"&pad=" + b"x" * 70_000, (), REFUSED),
    ]:
        head = curl_h2(h2_proxy, url, body, *headers)
        assert f"guardian-reason: {reason}" in head, (url, head)
    assert payments_seen(fake_apps) == []


def test_ordinary_json_with_duplicate_keys_still_passes(proxy, fake_apps):
    """Strictness stays on payment endpoints: other traffic is never harmed."""
    body = b'{"a": 1, "a": 2}'
    status, headers, answer = tls(
        proxy,
        rawhttp.request(
            "POST", "/api/comment", "news.example", gzip.compress(body), {**JSON, "Content-Encoding": "gzip"}
        ),
        "news.example:443",
        "news.example",
    )
    assert status == 200 and "guardian-decision" not in headers
    assert [gzip.decompress(s.body) for s in fake_apps.seen] == [body]


# --- GraphQL (Kuaishou's live_graphql; the gift is priced from a gift list, so unpriced it is refused)

GQL_HOST, GQL_PATH = "live.kuaishou.com", "/live_graphql"
GIFT_OP = {
    "operationName": "SendTokenGift",
    "variables": {"giftId": 9, "count": 2, "liveStreamId": "ls-1"},
    "query": "mutation SendTokenGift($giftId: Int) { sendTokenGift { result } }",
}
HARMLESS = [
    {
        "operationName": "LiveDetail",
        "variables": {"id": "ls-1"},
        "query": "query LiveDetail($id: String) { live { id } }",
    },
    {"operationName": "UserInfo", "variables": {}, "query": "query UserInfo { me { name } }"},
]


def gql(proxy: Proxy, body: object) -> tuple[int, dict, bytes]:
    raw = rawhttp.request("POST", GQL_PATH, GQL_HOST, __import__("json").dumps(body).encode(), JSON)
    return tls(proxy, raw, f"{GQL_HOST}:443", GQL_HOST)


def gql_seen(fake_apps: fakeapps.FakeApps) -> list[fakeapps.Seen]:
    with fake_apps.lock:
        return [s for s in fake_apps.seen if s.path == GQL_PATH]


def test_control_harmless_graphql_batch_passes(proxy, fake_apps):
    status, headers, _ = gql(proxy, HARMLESS)
    assert status == 200 and "guardian-decision" not in headers
    assert len(gql_seen(fake_apps)) == 1


@pytest.mark.parametrize(
    "body",
    [
        HARMLESS + [GIFT_OP],  # the gift after harmless operations in a batch
        [HARMLESS[0], {**GIFT_OP, "operationName": "sendtokengift"}],  # another spelling of its name
        {k: v for k, v in GIFT_OP.items() if k != "operationName"},  # no operationName: the server runs the only one
        {**GIFT_OP, "operationName": None},
        {
            "variables": GIFT_OP["variables"],
            "query": "mutation { sendTokenGift(giftId: 9, count: 2) { result } }",
        },  # anonymous
        HARMLESS + [{"variables": GIFT_OP["variables"], "query": "mutation Gift { sendTokenGift { result } }"}],
    ],
    ids=["batch", "name-case", "no-operation-name", "null-operation-name", "anonymous-mutation", "unnamed-in-batch"],
)
def test_a_hidden_graphql_gift_is_never_passed(proxy, fake_apps, body):
    status, headers, answer = gql(proxy, body)
    assert headers.get("guardian-decision") == "blocked", (status, headers, answer[:200])
    assert gql_seen(fake_apps) == []
