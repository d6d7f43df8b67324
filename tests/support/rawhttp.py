"""Hand-written HTTP/1.1 through the proxy, for requests no polite client would send.

`plain` sends bytes as-is to the proxy (absolute-form HTTP); `tls` opens a
CONNECT tunnel, does TLS with a chosen SNI (or none) trusting the proxy's CA,
and sends the bytes inside. Both return (status, headers, body) of the answer.
"""

from __future__ import annotations

import socket
import ssl
from pathlib import Path


def _read_response(f) -> tuple[int, dict[str, str], bytes]:
    status_line = f.readline()
    if not status_line:
        raise ConnectionError("the proxy closed the connection without answering")
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while (line := f.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int(f.readline().split(b";")[0], 16)
            if size == 0:
                f.readline()
                break
            body += f.read(size)
            f.readline()
    else:
        body = f.read(int(headers.get("content-length", "0")))
    return status, headers, body


def plain(proxy_port: int, request: bytes, timeout: float = 20) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", proxy_port), timeout=timeout) as s:
        s.sendall(request)
        return _read_response(s.makefile("rb"))


def tls(
    proxy_port: int, connect_to: str, sni: str | None, ca: Path, request: bytes, timeout: float = 20
) -> tuple[int, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", proxy_port), timeout=timeout) as s:
        s.sendall(f"CONNECT {connect_to} HTTP/1.1\r\nHost: {connect_to}\r\n\r\n".encode())
        f = s.makefile("rb")
        status, _, _ = _read_response(f)
        if status != 200:
            return status, {}, b""
        context = ssl.create_default_context(cafile=str(ca))
        context.check_hostname = False  # an IP or odd name; the chain is still checked against the proxy's CA
        with context.wrap_socket(s, server_hostname=sni) as t:
            t.sendall(request)
            return _read_response(t.makefile("rb"))


def request(method: str, target: str, host: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    """An HTTP/1.1 request; Content-Length is added unless the headers say chunked."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    extra = dict(headers or {})
    if "Transfer-Encoding" not in extra:
        extra.setdefault("Content-Length", str(len(body)))
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def chunked(body: bytes, size: int = 7) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
