"""Fake phone-channel services on 127.0.0.1, speaking each protocol as apprise sends it.

- `Endpoint`: one small HTTP server per kind (ntfy, Bark, PushPlus, DingTalk, Feishu, WeCom, a JSON
  webhook) that checks the request's shape, records it and answers as the real service does
  (including its refusals: a wrong ntfy token is 401 with ntfy's JSON, a wrong PushPlus token is
  HTTP 200 with code 903). `fail_next(n, status)` makes the next n requests fail (HTTP 500 …).
- `Relay`: the services with a fixed host (www.pushplus.plus, oapi.dingtalk.com, open.feishu.cn,
  qyapi.weixin.qq.com) are reached the way a process reaches any host through a proxy: HTTPS_PROXY
  points at this CONNECT proxy, which ends TLS with a certificate for those names (its CA given as
  REQUESTS_CA_BUNDLE) and hands the request to that kind's endpoint. Nothing leaves the machine.
- `Mailbox`: an aiosmtpd server.
"""

from __future__ import annotations

import json
import socket
import socketserver
import ssl
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

from tests.support.fakeapps import make_certs

FIXED_HOSTS = {
    "www.pushplus.plus": "pushplus",
    "oapi.dingtalk.com": "dingtalk",
    "open.feishu.cn": "feishu",
    "qyapi.weixin.qq.com": "wecom",
}


@dataclass
class Received:
    kind: str
    path: str
    headers: dict[str, str]
    body: dict
    at: float  # time.time() when it arrived

    @property
    def title(self) -> str:
        return str(self.body.get("title", ""))

    @property
    def text(self) -> str:
        """The message's text as the service shows it."""
        b = self.body
        for key in ("message", "body", "content"):
            if isinstance(b.get(key), str):
                return b[key]
        if isinstance(b.get("text"), dict):
            return b["text"].get("content", "")
        if isinstance(b.get("content"), dict):
            return b["content"].get("text", "")
        return ""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


@dataclass
class Endpoint:
    kind: str
    secret: str = "unset"  # the token, key or topic the service accepts
    received: list[Received] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)  # statuses for the next requests
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: _Server | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return self.server.server_address[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Endpoint:
        self.server = _Server(("127.0.0.1", 0), _handler(self))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def fail_next(self, count: int, status: int = 500) -> None:
        with self.lock:
            self.failures += [status] * count

    def texts(self) -> list[str]:
        with self.lock:
            return [r.text for r in self.received]

    def answer(self, path: str, headers: dict[str, str], body: dict) -> tuple[int, dict]:
        """Check the request as the real service would, record what it accepts."""
        with self.lock:
            if self.failures:
                return self.failures.pop(0), {"error": "internal error"}
        status, answer = _PROTOCOLS[self.kind](self, path, headers, body)
        if status == 200 and answer.get("code", 0) in (0, 200) and not answer.get("errcode"):
            with self.lock:
                self.received.append(Received(self.kind, path, headers, body, time.time()))
        return status, answer


def _ntfy(e: Endpoint, path: str, headers: dict, body: dict) -> tuple[int, dict]:
    # ntfy's JSON publishing: POST / with {"topic", "title", "message"}; a token as "Authorization: Bearer".
    assert path == "/" and set(body) <= {"topic", "title", "message"}, (path, body)
    assert "X-Icon" not in headers, "image=no: the phone must fetch no icon"
    if headers.get("Authorization", "") != f"Bearer {e.secret}":
        return 401, {"code": 40101, "http": 401, "error": "unauthorized", "link": "https://ntfy.sh/docs/publish/"}
    return 200, {"id": "x", "time": int(time.time()), "event": "message", "topic": body["topic"]}


def _bark(e: Endpoint, path: str, headers: dict, body: dict) -> tuple[int, dict]:
    assert path == "/push" and "device_key" in body and "body" in body, (path, body)
    assert "icon" not in body, "image=no: the phone must fetch no icon"
    if body["device_key"] != e.secret:
        return 400, {"code": 400, "message": "failed to get device token: device not registered"}
    return 200, {"code": 200, "message": "success", "timestamp": int(time.time())}


def _pushplus(e: Endpoint, path: str, headers: dict, body: dict) -> tuple[int, dict]:
    assert path == "/send" and {"token", "title", "content", "template"} <= set(body), (path, body)
    assert body["template"] == "txt", "plain text: nothing rendered as HTML in WeChat"
    if body["token"] != e.secret:
        return 200, {"code": 903, "msg": "无效的用户token", "data": None}
    return 200, {"code": 200, "msg": "请求成功", "data": "abc"}


def _dingtalk(e: Endpoint, path: str, headers: dict, body: dict) -> tuple[int, dict]:
    query = parse_qs(urlsplit(path).query)
    assert urlsplit(path).path == "/robot/send" and body.get("msgtype") == "text", (path, body)
    if query.get("access_token") != [e.secret]:
        return 200, {"errcode": 300001, "errmsg": "token is not exist"}
    return 200, {"errcode": 0, "errmsg": "ok"}


def _feishu(e: Endpoint, path: str, headers: dict, body: dict) -> tuple[int, dict]:
    assert path.startswith("/open-apis/bot/v2/hook/") and body.get("msg_type") == "text", (path, body)
    if path.rstrip("/").rsplit("/", 1)[-1] != e.secret:
        return 200, {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"}
    return 200, {"code": 0, "msg": "success"}


def _wecom(e: Endpoint, path: str, headers: dict, body: dict) -> tuple[int, dict]:
    assert urlsplit(path).path == "/cgi-bin/webhook/send" and body.get("msgtype") == "text", (path, body)
    if parse_qs(urlsplit(path).query).get("key") != [e.secret]:
        return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
    return 200, {"errcode": 0, "errmsg": "ok"}


def _webhook(e: Endpoint, path: str, headers: dict, body: dict) -> tuple[int, dict]:
    assert {"version", "title", "message", "type"} <= set(body), body
    if e.secret not in path:
        return 404, {"error": "not found"}
    return 200, {}


_PROTOCOLS = {
    "ntfy": _ntfy,
    "bark": _bark,
    "pushplus": _pushplus,
    "dingtalk": _dingtalk,
    "feishu": _feishu,
    "wecom": _wecom,
    "webhook": _webhook,
}


def _handler(endpoint: Endpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                body = json.loads(raw or b"{}")
                status, answer = endpoint.answer(self.path, dict(self.headers), body)
            except (ValueError, AssertionError) as e:  # not the protocol: answer like a confused server
                status, answer = 400, {"error": f"bad request: {e}"[:200]}
            out = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    return Handler


class Relay(socketserver.ThreadingTCPServer):
    """A CONNECT proxy that ends TLS for the fixed hosts and gives each request to that kind's endpoint."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, folder: Path, endpoints: dict[str, Endpoint]):
        folder.mkdir(parents=True, exist_ok=True)
        self.ca, server_pem = make_certs(folder, list(FIXED_HOSTS))
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(server_pem)
        self.endpoints = endpoints
        super().__init__(("127.0.0.1", 0), _Tunnel)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def env(self) -> dict[str, str]:
        """What a process needs to reach the fixed hosts through this relay (and 127.0.0.1 directly)."""
        return {
            "HTTPS_PROXY": f"http://127.0.0.1:{self.server_address[1]}",
            "https_proxy": f"http://127.0.0.1:{self.server_address[1]}",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "REQUESTS_CA_BUNDLE": str(self.ca),
        }


class _Tunnel(socketserver.StreamRequestHandler):
    server: Relay

    def handle(self) -> None:
        line = self.rfile.readline(1024).decode("latin-1")
        while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
            pass
        method, target, _ = (line.split() + ["", "", ""])[:3]
        host = target.rsplit(":", 1)[0]
        endpoint = self.server.endpoints.get(FIXED_HOSTS.get(host, ""))
        if method != "CONNECT" or endpoint is None:
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return  # a test never reaches any other host
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        with self.server.context.wrap_socket(self.connection, server_side=True) as tls:
            _handler(endpoint)(tls, self.client_address, endpoint.server)


class Mailbox:
    """An SMTP server (aiosmtpd) that keeps every message; `refuse_next` answers 451 to the next ones."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.messages: list[tuple[list[str], object, float]] = []
        self.refusals = 0
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        if self.refusals:
            self.refusals -= 1
            return "451 Requested action aborted: local error in processing"
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default), time.time())
        )
        return "250 OK"

    def texts(self) -> list[str]:
        return [m.get_content() for _, m, _ in self.messages]

    def stop(self) -> None:
        self.controller.stop()


def start_all(folder: Path) -> tuple[dict[str, Endpoint], Relay]:
    """One endpoint per HTTP kind (each with its own secret) and the relay for the fixed hosts."""
    endpoints = {
        kind: Endpoint(kind, secret=f"{kind}Secret{n:04d}x{'0' * 24}"[:32]).start() for n, kind in enumerate(_PROTOCOLS)
    }
    return endpoints, Relay(folder, endpoints)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
