"""Refusals a web page can read: the CORS headers an app's server gives its own pages, on Guardian's answers.

A page on live.bilibili.com sends a gift with fetch() to api.live.bilibili.com. The browser hands the
page an answer from another origin only with the headers that say it may read it; without them the
child's page shows "blocked by CORS policy" instead of Guardian's message. So Guardian's own answers
(refusals, not the server's answers) get them when the request's Origin is one of the same app's hosts:
that Origin echoed, credentials allowed, the Guardian-* headers exposed. A page of any other site gets
none, as from the app's server.

A request the browser sends only after a preflight (a JSON body, a custom header) needs its OPTIONS
answered first. When Guardian will refuse the request whatever its body (the app's hours, the purchase
hours, a lock, a cap already used up), it answers that preflight so the request comes and is refused in
the app's shape; every other preflight goes to the app's server, as before, so nothing the server would
refuse is ever allowed by Guardian. Comes before the enforcement addon in the script's list.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

from mitmproxy import http

from addons import flows
from addons.runtime import Runtime
from guardian.catalog.model import App
from guardian.catalog.request import Request
from guardian.enforce.answers import cors
from guardian.enforce.guard import Guard

log = logging.getLogger(__name__)


class Cors:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def request(self, flow: http.HTTPFlow):
        if flow.request.data.method != b"OPTIONS":  # ordinary traffic leaves here
            return None
        guard = self.runtime.guard
        headers = flow.request.headers
        method = headers.get("access-control-request-method", "")
        if guard is None or flow.response or not flow.live or not method or "origin" not in headers:
            return None
        app, host = flows.app_host(guard, flow.request)
        origin = None if app is None else guard.page_origin(app, headers.get("origin"))
        if origin is None:
            return None
        names = headers.get("access-control-request-headers", "")
        now = datetime.now(UTC)
        try:
            asked = replace(flows.to_request(flow, host), method=method.strip().upper())
            closed = guard.preflight_closed(app, asked, origin, names, now)
        except Exception:
            log.exception("Guardian could not read a preflight to %s; the app's server answers it", host)
            return None
        if closed is not None:
            flows.respond(flow, closed)
            return None
        if not guard.pays_at(asked):
            return None
        return self._purchase(flow, guard, app, asked, origin, names, now)

    async def _purchase(
        self, flow: http.HTTPFlow, guard: Guard, app: App, asked: Request, origin: str, names: str, now
    ):
        try:
            answer = await self.runtime.call(guard.preflight_purchase, app, asked, origin, names, now)
        except Exception:
            log.exception("Guardian could not judge a preflight to %s; the app's server answers it", asked.host)
            return
        if answer is not None:
            flows.respond(flow, answer)

    def response(self, flow: http.HTTPFlow) -> None:
        guard = self.runtime.guard
        if guard is None or not flow.metadata.get(flows.ANSWERED):
            return
        origin = flow.request.headers.get("origin")
        if origin is None:
            return
        app, _ = flows.app_host(guard, flow.request)
        own = None if app is None else guard.page_origin(app, origin)
        if own is not None:
            flow.response.headers.update(cors(own))
