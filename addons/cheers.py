"""Guardian's WebSocket purchases: a message that spends (a Twitch cheer in chat text, a Huya gift call in a
binary frame) is judged like a request.

A refused message is dropped; one that cannot be read is dropped too (fail
closed). An allowed one is sent on and counts at once. A gift list the server
sends on the socket (Huya's) is read on the database thread before it is passed
on, so the gifts that follow are priced.
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
        message = flow.websocket.messages[-1]
        if not message.from_client:
            return self._learn(message, guard, host)
        if not guard.judges_messages(host) or message.dropped:
            return None
        try:
            purchase = guard.detect_message(host, message.text if message.is_text else message.content)
        except Exception:
            log.exception("Guardian could not read a WebSocket message to %s; dropping it", host)
            message.drop()
            return None
        if purchase is None:
            return None
        return self._judge(message, guard, flows.message_request(flow, host), purchase)

    def _learn(self, message: WebSocketMessage, guard: Guard, host: str):
        if message.is_text or not guard.may_be_gift_list(host, message.content):
            return None
        now = datetime.now(UTC)
        return self.runtime.attempt(guard.learn_gift_list_message, host, message.content, now, what="learn gift prices")

    async def _judge(self, message: WebSocketMessage, guard: Guard, req: Request, purchase: Purchase) -> None:
        try:
            verdict = await self.runtime.call(guard.judge_message, req, purchase, datetime.now(UTC))
        except Exception:
            log.exception("Guardian could not record a WebSocket purchase; dropping it")
            message.drop()
            return
        if verdict.answer is not None:
            message.drop()
