"""Local stand-ins for the apps' servers, on 127.0.0.1, answering like the real ones.

One HTTPS and one HTTP listener serve every app host (the proxy's test routing
addon sends all upstream connections here). Each request that arrives is
recorded, so a test can tell whether the app's server ever saw a purchase.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# What each app's server says on success, by host suffix.
SUCCESS = {
    "bilibili.com": {"code": 0, "message": "0", "ttl": 1, "data": {"status": 4, "order_id": "fake-1"}},
    "douyin.com": {"status_code": 0, "data": {"order_id": "fake-1"}, "extra": {}},
    "snssdk.com": {"status_code": 0, "data": {}},
    "kuaishou.com": {"result": 1, "ksOrderId": "fake-1", "merchantId": "fake"},
    "douyu.com": {"error": 0, "msg": "success", "data": {}},
    "tiktok.com": {"status_code": 0, "data": {}, "extra": {}},
    "twitch.tv": {"data": {}},
    "youtube.com": {"responseContext": {}},
    "googleapis.com": {"responseContext": {}},
    "roblox.com": {"purchased": True, "reason": "Success", "productId": 1},
    "steampowered.com": {"success": 1, "transid": "fake-1"},
    "alipay.com": {"alipay_trade_page_pay_response": {"code": "10000", "msg": "Success"}},
    "95516.com": {"respCode": "00", "respMsg": "success"},
    "kuaishoupay.com": {"result": 1, "code": "SUCCESS"},
    "amemv.com": {"status_code": 0, "data": {}, "extra": {}},
    "douyucdn.cn": {"error": 0, "data": {}},
    "paypal.com": {"id": "fake-order", "status": "CREATED"},
    "stripe.com": {"id": "pi_fake", "object": "payment_intent", "status": "succeeded"},
    "apple.com": {"status": 0},
    "google.com": {"status": 0},
}

# Answers by path (checked before SUCCESS): the apps' gift lists and their GraphQL success shapes.
GIFT_LISTS = {
    "/xlive/web-room/v1/giftPanel/roomGiftList": {
        "code": 0,
        "message": "0",
        "ttl": 1,
        "data": {
            "gift_config": {
                "base_config": {
                    "list": [
                        {"id": 31036, "name": "小花花", "price": 100, "coin_type": "gold"},
                        {"id": 31039, "name": "牛哇牛哇", "price": 1000, "coin_type": "gold"},
                        {"id": 1, "name": "辣条", "price": 100, "coin_type": "silver"},
                    ]
                }
            }
        },
    },
    "/webcast/gift/list": {
        "status_code": 0,
        "data": {
            "gifts": [
                {"id": 463, "name": "Rose", "diamond_count": 1},
                {"id": 3389, "name": "Sports car", "diamond_count": 1200},
            ],
            "pages": [  # the panel's pages, as the app and newer web clients get them
                {"page_name": "礼物", "gifts": [{"id": 4550, "name": "墨镜", "diamond_count": 52}]},
                {"page_name": "特权", "gifts": [{"id": 4551, "name": "灯牌", "gift_price": 1}]},
            ],
        },
    },
    # Kuaishou's web gift list: names and pictures by id, no prices (OrdinaryRoad KuaishouApis.GiftInfo).
    "/live_api/emoji/allgifts": {"result": 1, "data": {"9": {"giftName": "棒棒糖", "giftUrl": "https://x/9.jpg"}}},
    "/api/RoomApi/room/": {
        "error": 0,
        "data": {
            "gift": [
                {"id": "20001", "name": "飞机", "type": "2", "pc": 10000},
                {"id": "20002", "name": "赞", "type": "2", "pc": 100},
                {"id": "191", "name": "鱼丸", "type": "1", "pc": 100},
            ]
        },
    },
    "/api/gift/v3/web/list": {
        "error": 0,
        "data": {
            "giftList": [
                {"id": 20001, "name": "飞机", "priceInfo": {"price": 10000, "priceType": "2", "returnNum": 0}},
                {"id": 20006, "name": "办卡", "priceInfo": {"price": 600, "priceType": "2", "returnNum": 0}},
            ]
        },
    },
}
BY_PATH = {
    **GIFT_LISTS,
    "/live_graphql": {
        "data": {"sendTokenGift": {"result": 1, "ksCoin": 0, "styleType": None, "__typename": "SendGiftResult"}}
    },
}


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def make_certs(folder: Path, hosts: list[str]) -> tuple[Path, Path]:
    """A CA (for the proxy to trust) and a server certificate for `hosts`; returns (ca.pem, server.pem with key)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Guardian test apps CA"))
        .issuer_name(_name("Guardian test apps CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(h) for h in hosts]
    names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("fake apps"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_pem = folder / "apps-ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    server_pem = folder / "apps-server.pem"
    server_pem.write_bytes(
        cert.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_pem, server_pem


@dataclass
class Seen:
    method: str
    host: str
    path: str
    query: dict[str, str]
    body: bytes
    headers: dict[str, str]


@dataclass
class FakeApps:
    https_port: int = 0
    http_port: int = 0
    ca: Path | None = None
    seen: list[Seen] = field(default_factory=list)
    # path -> (status, JSON) to answer instead of the app's success envelope
    answers: dict[str, tuple[int, object]] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)  # exact path -> an HTML page to serve there
    lock: threading.Lock = field(default_factory=threading.Lock)
    ws_messages: list[str] = field(default_factory=list)  # text frames received on WebSockets
    ws_binary: list[bytes] = field(default_factory=list)  # binary frames received on WebSockets
    ws_greetings: dict[str, list[bytes]] = field(default_factory=dict)  # host -> binary frames sent on connecting

    def received(self, path_part: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if path_part in s.path]

    def reset(self) -> None:
        with self.lock:
            self.seen.clear()
            self.answers.clear()
            self.pages.clear()
            self.ws_messages.clear()
            self.ws_binary.clear()
            self.ws_greetings.clear()


def _handler(apps: FakeApps) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            host = (self.headers.get("host") or "").split(":")[0].lower()
            with apps.lock:
                apps.seen.append(
                    Seen(
                        self.command,
                        host,
                        url.path,
                        dict(parse_qsl(url.query)),
                        body,
                        {k.lower(): v for k, v in self.headers.items()},
                    )
                )
                override = next((v for k, v in apps.answers.items() if k in url.path), None)
                page = apps.pages.get(url.path)
            if self.headers.get("upgrade", "").lower() == "websocket":
                return _websocket(self, apps)
            if page is not None:
                status, doc = 200, None
            elif override is not None:
                status, doc = override
            else:
                status = 200
                doc = next((v for k, v in BY_PATH.items() if url.path.rstrip("/").startswith(k.rstrip("/"))), None)
                doc = doc if doc is not None else next((v for k, v in SUCCESS.items() if host.endswith(k)), None)
            if page is not None:
                payload, ctype = page.encode(), "text/html; charset=utf-8"
            elif doc is None:
                payload, ctype = f"hello from {host}{url.path}".encode(), "text/plain"
            else:
                payload, ctype = json.dumps(doc).encode(), "application/json"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            self._cors(host)
            self.end_headers()
            self.wfile.write(payload)

        def _cors(self, host: str) -> None:
            """As the apps' servers do: their own sites' pages (same site suffix) may read answers, with cookies."""
            origin = self.headers.get("origin", "")
            site = next((k for k in SUCCESS if host.endswith(k)), None)
            page = urlsplit(origin).hostname or ""
            if site is not None and (page == site or page.endswith("." + site)):
                self.send_header("Access-Control-Allow-Origin", origin)
                self.send_header("Access-Control-Allow-Credentials", "true")
                self.send_header("Vary", "Origin")

        def do_OPTIONS(self) -> None:  # noqa: N802 (http.server's naming)
            """A CORS preflight, answered as the apps' servers answer them: for their own sites' pages only."""
            url = urlsplit(self.path)
            host = (self.headers.get("host") or "").split(":")[0].lower()
            headers = {k.lower(): v for k, v in self.headers.items()}
            with apps.lock:
                apps.seen.append(Seen("OPTIONS", host, url.path, dict(parse_qsl(url.query)), b"", headers))
            self.send_response(204)
            self._cors(host)
            if "access-control-request-method" in headers:
                self.send_header("Access-Control-Allow-Methods", headers["access-control-request-method"])
            if "access-control-request-headers" in headers:
                self.send_header("Access-Control-Allow-Headers", headers["access-control-request-headers"])
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    return Handler


def _websocket(handler: BaseHTTPRequestHandler, apps: FakeApps) -> None:
    """Accept a WebSocket (RFC 6455), send the host's greeting frames, and record the client's frames until it
    closes."""
    key = handler.headers.get("sec-websocket-key", "")
    accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
    handler.send_response(101)
    handler.send_header("Upgrade", "websocket")
    handler.send_header("Connection", "Upgrade")
    handler.send_header("Sec-WebSocket-Accept", accept)
    handler.end_headers()
    host = (handler.headers.get("host") or "").split(":")[0].lower()
    with apps.lock:
        greetings = list(apps.ws_greetings.get(host, ()))
    for data in greetings:  # server frames are not masked
        size = len(data)
        head = bytes([0x82, size]) if size < 126 else bytes([0x82, 126]) + size.to_bytes(2, "big")
        handler.wfile.write(head + data)
    handler.wfile.flush()
    read = handler.rfile.read
    while True:
        head = read(2)
        if len(head) < 2:
            return
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            length = int.from_bytes(read(2), "big")
        elif length == 127:
            length = int.from_bytes(read(8), "big")
        mask = read(4) if head[1] & 0x80 else b"\0\0\0\0"
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(read(length)))
        if opcode == 1:
            with apps.lock:
                apps.ws_messages.append(payload.decode("utf-8", "replace"))
        elif opcode == 2:
            with apps.lock:
                apps.ws_binary.append(payload)
        elif opcode == 8:
            handler.wfile.write(b"\x88\x00")
            handler.wfile.flush()
            handler.close_connection = True
            return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def start(folder: Path, hosts: list[str]) -> tuple[FakeApps, list[_Server]]:
    ca, server_pem = make_certs(folder, hosts)
    apps = FakeApps(ca=ca)
    handler = _handler(apps)
    https = _Server(("127.0.0.1", 0), handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(server_pem)
    https.socket = context.wrap_socket(https.socket, server_side=True)
    plain = _Server(("127.0.0.1", 0), handler)
    apps.https_port, apps.http_port = https.server_address[1], plain.server_address[1]
    for server in (https, plain):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return apps, [https, plain]
