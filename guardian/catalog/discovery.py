"""Unrecognised purchases: requests to a known app that look like payments but match no rule.

They are recorded (never refused) so that the parent sees them and the catalog
can grow. Bounded twice: one note per (host, path shape) per process, and at
most ``MAX_ROWS`` rows in the table (guardian.store.unrecognised). Path segments
that look like ids become ``{id}`` so a client that puts order numbers in paths
makes one row, not many.
"""

from __future__ import annotations

import re

from guardian.catalog.request import Request, normalize_path

MAX_SEEN = 4096
_WORDS = re.compile(
    r"pay|order|gift|recharge|purchase|checkout|buy|donat|wallet|deposit|billing|subscri|cashier|topup|redeem|cheer|coin"
)
_ID = re.compile(r"^(?=.*\d)[0-9a-z_-]{6,}$|^\d+$|^[0-9a-f-]{16,}$")
METHODS = frozenset({"POST", "PUT", "PATCH"})


def shape(path: str) -> str:
    """The path with id-like segments replaced by {id}, bounded in length."""
    parts = ["{id}" if _ID.match(p) else p[:48] for p in normalize_path(path).split("/")]
    return "/".join(parts)[:200] or "/"


def looks_like_purchase(request: Request) -> str | None:
    """The path shape to record when the request looks like a payment, else None."""
    if request.method not in METHODS and (request.method_override or "").upper() not in METHODS:
        return None
    path = request.path.lower()
    if not _WORDS.search(path):
        return None
    return shape(path)


class Seen:
    """Which (host, shape) pairs this process already noted; bounded."""

    def __init__(self) -> None:
        self._seen: set[tuple[str, str]] = set()

    def first(self, host: str, path: str) -> bool:
        key = (host, path)
        if key in self._seen or len(self._seen) >= MAX_SEEN:
            return False
        self._seen.add(key)
        return True
