"""Guardian's host-level control, for traffic the proxy does not decrypt (pinned apps, Apple and Google billing).

Only the host is known, so a connection is judged, not a purchase
(guardian.enforce.hostcontrol): the regular proxy refuses the CONNECT; the
other modes (transparent, WireGuard, local, SOCKS) see no CONNECT and fail the
server connection instead. Pass-through hosts are never decrypted.
"""

from __future__ import annotations

from datetime import UTC, datetime

from mitmproxy import http, tls
from mitmproxy.proxy import server_hooks

from addons import flows
from addons.runtime import Runtime
from guardian.catalog.request import normalize_host
from guardian.enforce import hostcontrol
from guardian.enforce.answers import DECISION_HEADER, REASON_HEADER
from guardian.enforce.guard import Guard
from guardian.enforce.policy import Reason
from guardian.household.config import Child
from guardian.household.devices import device_key

HOST_ONLY_MODES = ("regular", "upstream")  # these see a CONNECT (http_connect judges it); the rest only a connection


def refuse_connect(flow: http.HTTPFlow, reason: Reason) -> None:
    flow.response = http.Response.make(403, b"", {DECISION_HEADER: "blocked", REASON_HEADER: str(reason)})


class HostControl:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def http_connect(self, flow: http.HTTPFlow):
        """Refuse tunnels to an app outside its hours, and to its payment hosts while purchases are not possible."""
        guard = self.runtime.guard
        if guard is None or flow.response:
            return None
        address, user, tunnel = flows.client(flow.client_conn, flow.metadata)
        now = datetime.now(UTC)
        host = normalize_host(flow.request.host)
        reason, child = hostcontrol.quick(guard, host, device_key(address, tunnel=tunnel), user, now, tunnel)
        if reason is not None:
            refuse_connect(flow, reason)
        elif child is not None:
            return self._connect_caps(flow, guard, child, now)
        return None

    async def _connect_caps(self, flow: http.HTTPFlow, guard: Guard, child: Child, now: datetime) -> None:
        reason = await self.runtime.call(hostcontrol.check_caps, guard, child, now)
        if reason is not None:
            refuse_connect(flow, reason)

    def tls_clienthello(self, data: tls.ClientHelloData) -> None:
        """Pass-through hosts (pinned apps) are never decrypted."""
        guard = self.runtime.guard
        if guard is None or data.ignore_connection:
            return
        sni = data.client_hello.sni
        address = data.context.server.address
        host = normalize_host(sni) if sni else normalize_host(address[0]) if address else ""
        if host and guard.passes_through(host):
            data.ignore_connection = True

    def server_connect(self, data: server_hooks.ServerConnectionHookData):
        """Transparent, WireGuard, local and SOCKS modes see no CONNECT: judge pass-through and payment hosts here."""
        guard = self.runtime.guard
        mode = getattr(data.client.proxy_mode, "type_name", "regular")
        if guard is None or data.server.error or mode in HOST_ONLY_MODES:
            return None
        name = data.server.sni or (data.server.address[0] if data.server.address else "")
        host = normalize_host(str(name))
        if not guard.judges_connections_to(host):
            return None
        now = datetime.now(UTC)
        address, _, tunnel = flows.client(data.client)
        reason, child = hostcontrol.quick(guard, host, device_key(address, tunnel=tunnel), None, now, tunnel)
        if reason is not None:
            data.server.error = f"Guardian refused the connection to {host} ({reason})"
            return None
        if child is not None:
            return self._server_caps(data, guard, host, child, now)
        return None

    async def _server_caps(self, data, guard: Guard, host: str, child: Child, now: datetime) -> None:
        reason = await self.runtime.call(hostcontrol.check_caps, guard, child, now)
        if reason is not None:
            data.server.error = f"Guardian refused the connection to {host} ({reason})"
