"""Guardian's WebSocket purchases: a chat message that spends (a Twitch cheer) is judged like a request.

A refused message is dropped; one that cannot be read is dropped too (fail
closed). An allowed one is sent on and counts at once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from mitmproxy import http
from mitmproxy.websocket import WebSocketMessage

from addons import flows
from addons.runtime import Runtime
from guardian.catalog.detect import Purchase
from guardian.catalog.request import Request, normalize_host
from guardian.enforce.guard import Guard

log = logging.getLogger(__name__)


class Cheers:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def websocket_message(self, flow: http.HTTPFlow):
        guard = self.runtime.guard
        if guard is None or flow.websocket is None:
            return None
        host = normalize_host(flow.request.pretty_host)
        if not guard.judges_messages(host):
            return None
        message = flow.websocket.messages[-1]
        if not message.from_client or not message.is_text or message.dropped:
            return None
        try:
            purchase = guard.detect_message(host, message.text)
        except Exception:
            log.exception("Guardian could not read a WebSocket message to %s; dropping it", host)
            message.drop()
            return None
        if purchase is None:
            return None
        return self._judge(message, guard, flows.message_request(flow, host), purchase)

    async def _judge(self, message: WebSocketMessage, guard: Guard, req: Request, purchase: Purchase) -> None:
        try:
            verdict = await self.runtime.call(guard.judge_message, req, purchase, datetime.now(UTC))
        except Exception:
            log.exception("Guardian could not record a WebSocket purchase; dropping it")
            message.drop()
            return
        if verdict.answer is not None:
            message.drop()
