"""Guardian's gift lists: an app's own list of gift prices, learned from its answer as the app downloads it.

A gift is then priced even when the purchase request names only its id. The
enforcement addon marks the requests it let through to an app (`flows.APP_HOST`);
a 200 answer to one of the catalog's gift-list addresses is read on the
database thread, which keeps what it learned across restarts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from mitmproxy import http

from addons import flows
from addons.runtime import Runtime
from guardian.catalog.gifts import MAX_LIST_BODY


class GiftLists:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def response(self, flow: http.HTTPFlow):
        host = flow.metadata.get(flows.APP_HOST)
        guard = self.runtime.guard
        resp = flow.response
        if host is None or guard is None or resp is None or resp.status_code != 200:
            return None
        spec = guard.gift_list(host, flow.request.path)
        raw = resp.raw_content
        if spec is None or raw is None or len(raw) > MAX_LIST_BODY:
            return None
        try:
            body = resp.get_content(strict=True)
        except ValueError:
            return None
        now = datetime.now(UTC)
        return self.runtime.attempt(guard.learn_gift_list, spec, body or b"", now, what="learn gift prices")
