"""Guardian's discovery: requests to a known app that look like payments but that no rule matched.

They are recorded for the parent's Apps page, never refused; the first one per
host and path shape in this process (guardian.catalog.discovery). The
enforcement addon hands over each app request that was no purchase
(`flows.UNMATCHED`); this addon comes after it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from mitmproxy import http

from addons import flows
from addons.runtime import Runtime
from guardian.catalog import discovery


class Discovery:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.noted = discovery.Seen()  # survives config reloads

    def request(self, flow: http.HTTPFlow) -> None:
        unmatched = flow.metadata.pop(flows.UNMATCHED, None)
        guard = self.runtime.guard
        if unmatched is None or guard is None:
            return
        app_id, req = unmatched
        shape = guard.unrecognised(req)
        if shape is not None and self.noted.first(req.host, shape):
            now = datetime.now(UTC)
            args = (app_id, req.host, req.method, shape, now)
            self.runtime.submit(guard.record_unrecognised, *args, what="record an unrecognised request")
