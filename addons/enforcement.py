"""Guardian's enforcement: app windows and purchases in the request hook, a purchase's outcome in response and error.

A purchase is judged and recorded on the database thread while its flow waits;
one that needs a parent is held (only that flow waits) until the parent answers
or the child's `ask.wait` runs out. A request to a payment host that cannot be
read is refused (fail closed).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from mitmproxy import http

from addons import flows
from addons.runtime import Runtime
from guardian.catalog import bodies
from guardian.catalog.detect import Purchase
from guardian.catalog.request import Request
from guardian.enforce.answers import DECISION_HEADER, Verdict
from guardian.enforce.guard import Guard
from guardian.enforce.policy import Reason

log = logging.getLogger(__name__)
META = "guardian"  # flow.metadata: (attempt id, rule) of an allowed purchase, settled by its answer
POLL_SECONDS = 0.4  # how often a held purchase looks for the parent's answer


class Enforcement:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def request(self, flow: http.HTTPFlow):
        # Deliberately not `async def`: ordinary traffic returns here after one or two dict look-ups;
        # only a purchase gets a coroutine, which mitmproxy awaits.
        guard = self.runtime.guard
        if guard is None or flow.response or not flow.live:
            return None
        app, host = flows.app_host(guard, flow.request)
        if app is None:
            return None
        try:
            req = flows.to_request(flow, host)
            now = datetime.now(UTC)
            closed = guard.app_closed(app, req.client, req.user, now, req.navigation, req.tunnel)
            if closed is not None:
                flows.respond(flow, closed)
                return None
            flow.metadata[flows.APP_HOST] = host
            purchase = guard.detect(req)
        except Exception:
            log.exception("Guardian could not read a request to %s; refusing it", host)
            if guard.has_payment_rules(host):  # only payment hosts; other app traffic is not ours to break
                flows.respond(flow, guard.refusal(app.id, Reason.UNREADABLE, navigation=False))
            return None
        if purchase is None:
            flow.metadata[flows.UNMATCHED] = (app.id, req)
            return None
        return self._judge(flow, guard, req, purchase, now)

    async def _judge(self, flow: http.HTTPFlow, guard: Guard, req: Request, purchase: Purchase, now: datetime) -> None:
        try:
            verdict = await self.runtime.call(guard.judge, req, purchase, now)
        except Exception:
            log.exception("Guardian could not record a purchase; refusing it")
            flows.respond(flow, guard.refusal(purchase.app, Reason.UNREADABLE, req.navigation))
            return
        if verdict.wait and verdict.approval is not None:
            verdict = await self._hold(flow, guard, req, purchase, verdict)
        if verdict.answer is not None:
            flows.respond(flow, verdict.answer)
        else:
            flow.metadata[META] = (verdict.attempt_id, purchase.rule)

    async def _hold(
        self, flow: http.HTTPFlow, guard: Guard, req: Request, purchase: Purchase, verdict: Verdict
    ) -> Verdict:
        """Hold this one request (nothing else waits) until the parent answers or `verdict.wait` runs out."""
        loop = asyncio.get_running_loop()
        end = loop.time() + verdict.wait
        try:
            while loop.time() < end:
                await asyncio.sleep(min(POLL_SECONDS, max(0.0, end - loop.time())))
                if flow.client_conn.timestamp_end is not None:
                    break  # the child's app gave up: keep the question (and any yes) for its next try
                state = await self.runtime.call(guard.approval_state, verdict.approval)
                if state != "pending":
                    return await self.runtime.call(guard.judge, req, purchase, datetime.now(UTC))
        except Exception:
            log.exception("Guardian lost track of approval #%s; the child is told a parent was asked", verdict.approval)
        return verdict  # no answer in time: refused as waiting-for-parent, the question stays with the parent

    def response(self, flow: http.HTTPFlow) -> None:
        meta = flow.metadata.get(META)
        guard = self.runtime.guard
        if meta is None or guard is None:
            return
        flow.response.headers[DECISION_HEADER] = "allowed"
        # Queued without holding the answer back: the database thread runs its work in order,
        # so a purchase settles before the next one from the same client is judged.
        attempt_id, rule = meta
        resp = flow.response
        raw = resp.raw_content
        body = None if raw is None else bodies.decode(raw, resp.headers.get("content-encoding"))
        self.runtime.submit(guard.settle, attempt_id, rule, resp.status_code, body, what="record a purchase's outcome")

    def error(self, flow: http.HTTPFlow):
        meta = flow.metadata.get(META)
        guard = self.runtime.guard
        if meta is None or guard is None or flow.response is not None:
            return None
        if flow.server_conn.timestamp_tcp_setup is None:  # the app's server was never reached
            return self.runtime.attempt(guard.never_reached, meta[0], what="record a purchase that was never sent")
        return None  # it may have been received: it keeps counting
