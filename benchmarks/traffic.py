"""End-to-end load on 127.0.0.1: an origin process, mitmdump configurations, and keep-alive client threads.

The origin runs in its own process (so its threads do not share the client's
GIL), answers HTTP and HTTPS with TCP_NODELAY, and serves both ordinary GETs
(512 bytes of text) and purchase POSTs (the Bilibili success envelope). Its
certificate is self-signed for 127.0.0.1 and api.live.bilibili.com; mitmdump
trusts it through `ssl_verify_upstream_trusted_ca`.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MITMDUMP = Path(sys.executable).parent / "mitmdump"
ADDON = ROOT / "addons" / "guardian_addon.py"
ROUTE = ROOT / "tests" / "support" / "route_addon.py"
READY = re.compile(r"listening at 127\.0\.0\.1:(\d+)")
ORDINARY_HOST = "www.news-example.com"  # a name, so Guardian's host index does its usual work
PURCHASE_HOST = "api.live.bilibili.com"
PURCHASE_PATH = "/xlive/revenue/v2/gift/sendGoldMultiUser"
PURCHASE_BODY = b"price=1000&gift_num=1&ruid=9001&coin_type=gold&csrf=x"
SUCCESS = json.dumps({"code": 0, "message": "0", "ttl": 1, "data": {"status": 4}}).encode()


class Origin(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    page = b"x" * 512

    def _answer(self, body: bytes, ctype: str) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", ctype)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(self.page, "text/plain")

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self._answer(SUCCESS, "application/json")

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64


def _serve(server_pem: str, ports: multiprocessing.Queue) -> None:
    plain = _Server(("127.0.0.1", 0), Origin)
    tls = _Server(("127.0.0.1", 0), Origin)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(server_pem)
    tls.socket = context.wrap_socket(tls.socket, server_side=True)
    ports.put((plain.server_address[1], tls.server_address[1]))
    threading.Thread(target=tls.serve_forever, daemon=True).start()
    plain.serve_forever()


@dataclass
class Origins:
    http_port: int
    https_port: int
    ca: Path
    process: multiprocessing.Process

    @classmethod
    def start(cls, folder: Path) -> Origins:
        sys.path.insert(0, str(ROOT))
        from tests.support.fakeapps import make_certs

        ca, server_pem = make_certs(folder, [PURCHASE_HOST])
        ports: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()
        process = multiprocessing.get_context("fork").Process(target=_serve, args=(str(server_pem), ports), daemon=True)
        process.start()
        http_port, https_port = ports.get(timeout=20)
        return cls(http_port, https_port, ca, process)

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)


@dataclass
class Mitmdump:
    process: subprocess.Popen
    port: int

    @classmethod
    def start(cls, confdir: Path, origins: Origins, extra: list[str]) -> Mitmdump:
        cmd = [
            str(MITMDUMP),
            "--listen-host",
            "127.0.0.1",
            "--listen-port",
            "0",
            "--set",
            f"confdir={confdir}",
            "--set",
            "flow_detail=0",
            "--set",
            f"ssl_verify_upstream_trusted_ca={origins.ca}",
            *extra,
        ]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines: list[str] = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            m = READY.search(line)
            if m:
                # Keep draining the output so a chatty proxy never blocks on a full pipe.
                threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
                return cls(proc, int(m.group(1)))
        raise RuntimeError("mitmdump did not start:\n" + "".join(lines))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def _read_response(f) -> int:
    status = f.readline()
    if not status:
        raise ConnectionError("the proxy closed the connection")
    length = 0
    while (line := f.readline()) not in (b"\r\n", b""):
        if line[:15].lower() == b"content-length:":
            length = int(line.split(b":")[1])
    f.read(length)
    return int(status.split()[1])


def _open(proxy_port: int, mode: str, origins: Origins, ca: Path):
    """A keep-alive connection through the proxy: (socket, file, request bytes)."""
    s = socket.create_connection(("127.0.0.1", proxy_port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if mode == "http":
        target = f"http://127.0.0.1:{origins.http_port}/page"
        return s, s.makefile("rb"), f"GET {target} HTTP/1.1\r\nHost: {ORDINARY_HOST}\r\n\r\n".encode()
    connect = f"127.0.0.1:{origins.https_port}" if mode == "https" else f"{PURCHASE_HOST}:443"
    s.sendall(f"CONNECT {connect} HTTP/1.1\r\nHost: {connect}\r\n\r\n".encode())
    f = s.makefile("rb")
    if _read_response(f) != 200:
        raise ConnectionError("CONNECT refused")
    context = ssl.create_default_context(cafile=str(ca))
    t = context.wrap_socket(s, server_hostname="127.0.0.1" if mode == "https" else PURCHASE_HOST)
    if mode == "https":
        req = f"GET /page HTTP/1.1\r\nHost: {ORDINARY_HOST}\r\n\r\n".encode()
    else:
        req = (
            f"POST {PURCHASE_PATH} HTTP/1.1\r\nHost: {PURCHASE_HOST}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(PURCHASE_BODY)}\r\n\r\n"
        ).encode()
        req += PURCHASE_BODY
    return t, t.makefile("rb"), req


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Rate:
    per_second: float  # requests per wall-clock second
    per_cpu_second: float  # requests per second of the proxy's own CPU time: steady when other work shares the machine


def measure(proxy: Mitmdump, mode: str, origins: Origins, ca: Path, seconds: float, connections: int) -> Rate:
    cpu = cpu_seconds(proxy.process.pid)
    began = time.monotonic()
    count = load(proxy.port, mode, origins, ca, seconds, connections)
    wall = time.monotonic() - began
    used = cpu_seconds(proxy.process.pid) - cpu
    return Rate(count / wall, count / used if used > 0 else float("nan"))


def load(proxy_port: int, mode: str, origins: Origins, ca: Path, seconds: float, connections: int) -> int:
    """Requests answered 200 by the proxy, from `connections` keep-alive connections for `seconds`."""
    counts = [0] * connections
    errors: list[BaseException] = []
    conns = [_open(proxy_port, mode, origins, ca) for _ in range(connections)]
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        s, f, request = conns[i]
        try:
            while time.monotonic() < stop:
                s.sendall(request)
                if _read_response(f) != 200:
                    raise RuntimeError("an answer other than 200")
                counts[i] += 1
        except BaseException as e:  # reported below; a benchmark that hides errors lies
            errors.append(e)
        finally:
            s.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 30)
    if errors:
        raise RuntimeError(f"{mode} load failed: {errors[0]!r}")
    return sum(counts)
