"""The core's view of one HTTP request, built by the proxy adapter."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import unquote

# Payment bodies are small; anything larger on a payment endpoint is refused as unreadable.
MAX_BODY = 64 * 1024


@dataclass(frozen=True, slots=True)
class Request:
    client: str  # the device's IP address, or "wireguard:NAME" for a phone in its tunnel
    user: str | None  # proxy-auth user, if the proxy asks for one
    method: str
    host: str
    path: str  # without the query string
    query: tuple[tuple[str, str], ...] = ()
    content_type: str = ""
    body: bytes | None = b""  # None: the body could not be read (too large, bad encoding)
    navigation: bool = False  # a browser page load, which gets an HTML answer
    method_override: str | None = None
    tunnel: str | None = None  # the WireGuard device the request came through (guardian.wireguard)


def normalize_host(host: str) -> str:
    """Lower case, no trailing dot, no port, no IPv6 brackets; normalising the result again changes nothing."""
    for _ in range(8):  # "[a.]" or "a .:1" needs a second pass; an ordinary host returns after the first
        once = _normalize_once(host)
        if once == host:
            break
        host = once
    return host


def _normalize_once(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host[1:]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def normalize_path(path: str) -> str:
    """Decode percent-escapes, drop ;parameters, fold repeated slashes and dot segments, drop a trailing slash,
    lower case.

    Rules match the normalised path, so "/A//b/%2e%2e/c/" or "/a/c;x=1" cannot slip past a rule for "/a/c"
    (many servers ignore path parameters after ";"); back-slashes count as slashes.
    """
    decoded = path
    for _ in range(3):  # double-encoded paths decode again
        nxt = unquote(decoded)
        if nxt == decoded:
            break
        decoded = nxt
    decoded = decoded.replace("\\", "/")  # back-slashes, read as slashes by some servers
    decoded = "/" + "/".join(segment.split(";", 1)[0] for segment in decoded.lstrip("/").split("/"))
    folded = posixpath.normpath(decoded)
    if folded.startswith("//"):
        folded = "/" + folded.lstrip("/")
    return folded.rstrip("/").lower() or "/"
