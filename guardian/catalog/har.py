"""Reading HAR files (a browser's devtools export, or mitmproxy's `hardump`) into core requests.

Only what detection needs is read: method, URL, content type, body, and the
response body (for gift lists). Bodies may be text or base64.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from guardian.catalog.request import Request, normalize_host


class HarError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Entry:
    index: int
    url: str
    request: Request
    status: int | None
    response_body: bytes | None
    # WebSocket messages in order, (sent by the client, text or bytes) (Chrome's and mitmproxy's `_webSocketMessages`)
    websocket: tuple[tuple[bool, str | bytes], ...] = ()


def _header(headers: object, name: str) -> str:
    if isinstance(headers, list):
        for h in headers:
            if isinstance(h, dict) and str(h.get("name", "")).lower() == name:
                return str(h.get("value", ""))
    return ""


def _content(text: object, encoding: object) -> bytes | None:
    if not isinstance(text, str):
        return None
    if encoding == "base64":
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return None
    return text.encode("utf-8", "surrogateescape")


def _entry(i: int, raw: object) -> Entry:
    if not isinstance(raw, dict) or not isinstance(raw.get("request"), dict):
        raise HarError(f"entry {i}: no request")
    req = raw["request"]
    url = req.get("url")
    if not isinstance(url, str):
        raise HarError(f"entry {i}: the request has no url")
    parts = urlsplit(url)
    headers = req.get("headers", [])
    post = req.get("postData") if isinstance(req.get("postData"), dict) else {}
    ctype = str(post.get("mimeType") or _header(headers, "content-type"))
    body = _content(post.get("text"), post.get("encoding")) if "text" in post else None
    if body is None and isinstance(post.get("params"), list):
        body = urlencode(
            [(p.get("name", ""), p.get("value", "")) for p in post["params"] if isinstance(p, dict)]
        ).encode()
    navigation = _header(headers, "sec-fetch-mode").lower() == "navigate"
    request = Request(
        client="har",
        user=None,
        method=str(req.get("method", "GET")).upper(),
        host=normalize_host(parts.hostname or ""),
        path=parts.path or "/",
        query=tuple(parse_qsl(parts.query, keep_blank_values=True)),
        content_type=ctype,
        body=body if body is not None else b"",
        navigation=navigation,
        method_override=_header(headers, "x-http-method-override") or None,
    )
    resp = raw.get("response") if isinstance(raw.get("response"), dict) else {}
    content = resp.get("content") if isinstance(resp.get("content"), dict) else {}
    status = resp.get("status") if isinstance(resp.get("status"), int) else None
    messages = raw.get("_webSocketMessages") if isinstance(raw.get("_webSocketMessages"), list) else []
    socket = tuple(m for m in (_message(m) for m in messages) if m is not None)
    return Entry(i, url, request, status, _content(content.get("text"), content.get("encoding")), socket)


def _message(m: object) -> tuple[bool, str | bytes] | None:
    """A text (opcode 1) or binary (opcode 2, base64) WebSocket message, and whether the client sent it."""
    if not isinstance(m, dict) or m.get("type") not in ("send", "receive") or not isinstance(m.get("data"), str):
        return None
    opcode = m.get("opcode", 1)
    data = m["data"] if opcode == 1 else _content(m["data"], "base64") if opcode == 2 else None
    return None if data is None else (m["type"] == "send", data)


def read(path: Path) -> list[Entry]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise HarError(f"{path}: cannot read it: {e.strerror or e}") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise HarError(f"{path}: not a HAR file (not JSON: {e})") from None
    entries = doc.get("log", {}).get("entries") if isinstance(doc, dict) and isinstance(doc.get("log"), dict) else None
    if not isinstance(entries, list):
        raise HarError(f"{path}: not a HAR file (no log.entries)")
    try:
        return [_entry(i, e) for i, e in enumerate(entries)]
    except HarError as e:
        raise HarError(f"{path}: {e}") from None
