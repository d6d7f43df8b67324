"""One fixture per catalog request shape: the request an app sends and the purchase Guardian must see (or None).

Used twice: written into a HAR file for `guardian detect`, and sent through the real proxy to the fake app
servers. `before` lists gift-list URLs the app downloads first (their answers are in tests/support/fakeapps.py
GIFT_LISTS). Purchase fixtures are in ENDPOINTS (requests.py data, by app); requests on the same hosts that must
not count (gift lists, room info, chat, likes, balances, redeeming, free items) are in NON_PURCHASES
(nonpurchases.py). Huya's WebSocket frames are in sockets.py.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from tests.support.fakeapps import GIFT_LISTS

# The household these expectations assume: CNY, with rates for the other currencies.
RATES = 'rates = { USD = "7.2", GBP = "9", ROBUX = "0.09", BITS = "0.1", TIKTOK_COINS = "0.1" }'
NAVIGATE = {"Accept": "text/html", "Sec-Fetch-Mode": "navigate"}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: str
    expected: dict | None  # app, kind, rule, amount, currency, household_amount, recipient, status; None: no purchase
    form: dict | None = None
    json_body: object = None
    before: tuple[str, ...] = ()
    headers: dict = field(default_factory=dict)
    raw: tuple[str, bytes] | None = None  # (content type, body) for bodies that are neither a form nor JSON

    def body(self) -> tuple[str, bytes]:
        if self.raw is not None:
            return self.raw
        if self.form is not None:
            return "application/x-www-form-urlencoded", urlencode(self.form).encode()
        if self.json_body is not None:
            return "application/json", json.dumps(self.json_body).encode()
        return "", b""

    @property
    def app(self) -> str:
        return self.expected["app"] if self.expected else urlsplit(self.url).hostname or ""


def priced(app, kind, rule, amount=None, currency=None, household=None, recipient=None, status="priced") -> dict:
    return dict(
        app=app,
        kind=kind,
        rule=rule,
        amount=amount,
        currency=currency,
        household_amount=household,
        recipient=recipient,
        status=status,
    )


def unknown(app, kind, rule, recipient=None) -> dict:
    return priced(app, kind, rule, recipient=recipient, status="unknown")


def har_entry(
    method: str,
    url: str,
    content_type: str = "",
    body: bytes = b"",
    response: object = None,
    headers: dict | None = None,
) -> dict:
    """One HAR 1.2 entry, as a browser's devtools writes it."""
    parts = urlsplit(url)
    request = {
        "method": method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "headers": [{"name": "Host", "value": parts.hostname}]
        + [{"name": k, "value": v} for k, v in (headers or {}).items()],
        "queryString": [],
        "cookies": [],
        "headersSize": -1,
        "bodySize": len(body),
    }
    if body:
        try:
            request["postData"] = {"mimeType": content_type, "text": body.decode()}
        except UnicodeDecodeError:  # binary (a Huya WUP call): base64, as mitmproxy's hardump writes it
            request["postData"] = {
                "mimeType": content_type,
                "text": base64.b64encode(body).decode(),
                "encoding": "base64",
            }
    text = json.dumps(response) if response is not None else ""
    return {
        "startedDateTime": "2026-11-29T10:00:00.000Z",
        "time": 1,
        "request": request,
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "headers": [],
            "cookies": [],
            "content": {"size": len(text), "mimeType": "application/json", "text": text},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(text),
        },
        "cache": {},
        "timings": {"send": 0, "wait": 1, "receive": 0},
    }  # fmt: skip


def gift_list_answer(url: str) -> object:
    path = urlsplit(url).path.rstrip("/")
    return next(v for k, v in GIFT_LISTS.items() if path.startswith(k.rstrip("/")))


def har(entries: list[dict]) -> dict:
    return {"log": {"version": "1.2", "creator": {"name": "tests", "version": "1"}, "entries": entries}}


def endpoint_entries(endpoint: Endpoint) -> list[dict]:
    """The endpoint's gift lists (with their answers) followed by its request."""
    entries = [har_entry("GET", url, response=gift_list_answer(url)) for url in endpoint.before]
    ctype, body = endpoint.body()
    entries.append(har_entry(endpoint.method, endpoint.url, ctype, body, headers=endpoint.headers))
    return entries
