"""What Guardian's addons read from a mitmproxy flow: who sent it, which app it is for, and the core's Request.

`client` and `app_host` run for every request: they read raw fields and return
after a dict look-up or two for traffic that is not an app's.
"""

from __future__ import annotations

from mitmproxy import connection, http

from guardian.catalog import bodies
from guardian.catalog.model import App
from guardian.catalog.request import MAX_BODY, Request
from guardian.enforce.answers import Answer
from guardian.enforce.guard import Guard
from guardian.household.devices import device_key
from guardian.setup.wireguard import tunnel_name

# What the enforcement addon tells the others about a request it let through to the app (flow.metadata keys).
APP_HOST = "guardian-app-host"  # the app's host (the gift lists addon looks at the answer)
UNMATCHED = "guardian-unmatched"  # (app id, Request) when it was no purchase; the discovery addon takes it
ANSWERED = "guardian-answered"  # True when Guardian answered instead of the app's server (the CORS addon looks)


def client(conn: connection.Client, metadata: dict | None = None) -> tuple[str, str | None, str | None]:
    """Who is on the other end: (address, proxy user, WireGuard tunnel); see guardian.household.devices.device_key."""
    mode = conn.proxy_mode
    tunnel = tunnel_name(mode.data) if mode.type_name == "wireguard" else None  # one listener per device
    auth = metadata.get("proxyauth") if metadata else None
    user = auth[0] if isinstance(auth, tuple) and auth else None
    peer = conn.peername
    return (peer[0] if peer else "unknown"), user, tunnel


def app_host(guard: Guard, req: http.Request) -> tuple[App | None, str]:
    """The app a request is for and the host that says so: the target, the authority or any Host header.

    Read from the raw fields, each name once: pretty_host's regex alone would cost more than the rest of the
    hook for ordinary traffic.
    """
    data = req.data
    names = [data.host]
    if data.authority:
        name = data.authority.decode("utf-8", "surrogateescape")
        if name != data.host:
            names.append(name)
    for key, value in data.headers.fields:
        if len(key) == 4 and key.lower() == b"host":
            name = value.decode("utf-8", "surrogateescape")
            if name not in names:
                names.append(name)
    return guard.app_host(names)


def to_request(flow: http.HTTPFlow, host: str) -> Request:
    req = flow.request
    address, user, tunnel = client(flow.client_conn, flow.metadata)
    return Request(
        client=device_key(address, tunnel=tunnel),  # inside a tunnel every phone is 10.0.0.1: the tunnel names it
        user=user,
        method=req.method.upper(),
        host=host,
        path=req.path.split("?", 1)[0],
        query=tuple(req.query.items(multi=True)),
        content_type=req.headers.get("content-type", ""),
        body=_body(req),
        navigation=_navigation(req),
        method_override=_method_override(req),
        tunnel=tunnel,
    )


def message_request(flow: http.HTTPFlow, host: str) -> Request:
    """The request a WebSocket message travels on: who sent it, and where."""
    address, user, tunnel = client(flow.client_conn, flow.metadata)
    path = flow.request.path.split("?", 1)[0]
    return Request(device_key(address, tunnel=tunnel), user, flow.request.method.upper(), host, path, tunnel=tunnel)


def respond(flow: http.HTTPFlow, answer: Answer) -> None:
    """Answer instead of the app's server, which is never contacted."""
    flow.response = http.Response.make(answer.status, answer.body, answer.headers)
    flow.metadata[ANSWERED] = True


def _navigation(req: http.Request) -> bool:
    if req.headers.get("sec-fetch-mode", "").lower() == "navigate":
        return True
    return req.method == "GET" and req.headers.get("accept", "").lower().startswith("text/html")


def _body(req: http.Request) -> bytes | None:
    raw = req.raw_content
    if raw is None or len(raw) > MAX_BODY:
        return None
    # Bounded: a small compressed body is never inflated past MAX_BODY on the event loop.
    return bodies.decode(raw, req.headers.get("content-encoding"))


def _method_override(req: http.Request) -> str | None:
    h = req.headers
    return (
        h.get("x-http-method-override")
        or h.get("x-method-override")
        or h.get("x-http-method")
        or req.query.get("_method")
    )
