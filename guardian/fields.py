"""Reading named fields from a request's query string, form body or JSON body.

A field name is a key (``gift_num``) or, for JSON, a dotted path
(``purchase_units.0.amount.value``). A field found with two different values
(repeated query keys, query and body disagreeing, duplicate JSON keys) is
ambiguous: a payment endpoint fails closed on it rather than guess which copy
the app's server will believe.
"""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import parse_qsl

from guardian.request import MAX_BODY, Request


class Unreadable(ValueError):
    """The request cannot be read well enough to price it."""


class _Duplicate(ValueError):
    pass


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out and out[key] != value:
            raise _Duplicate(key)
        out[key] = value
    return out


def _constant(name: str) -> object:
    raise ValueError(f"{name} is not a number")


def parse_json(body: bytes) -> object:
    """JSON with exact decimals, no NaN or Infinity, and no conflicting duplicate keys."""
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_constant, object_pairs_hook=_pairs)
    except _Duplicate as e:
        raise Unreadable(f"the JSON body repeats the key {str(e)[:40]!r}") from None
    except (ValueError, RecursionError, UnicodeDecodeError) as e:
        raise Unreadable(f"the body is not valid JSON ({type(e).__name__})") from None


class Fields:
    """Every place a request carries named values, parsed once."""

    def __init__(self, request: Request):
        self.multi: dict[str, list[str]] = {}
        for key, value in request.query:
            self.multi.setdefault(key, []).append(value)
        self.json: object = None
        body = request.body
        if body is None:
            raise Unreadable("the body could not be read (too large or badly encoded)")
        if len(body) > MAX_BODY:
            raise Unreadable(f"the body is larger than {MAX_BODY} bytes")
        if not body.strip():
            return
        ctype = request.content_type.lower()
        stripped = body.lstrip()
        if "json" in ctype or (not ctype.startswith("application/x-www-form-urlencoded") and stripped[:1] in (b"{", b"[")):
            self.json = parse_json(body)
        elif "multipart" in ctype:
            # Checked before the "=" heuristic: a multipart body always holds `name="..."`.
            raise Unreadable("multipart bodies are not read on payment endpoints")
        elif "form-urlencoded" in ctype or b"=" in body:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise Unreadable("the form body is not UTF-8") from None
            for key, value in parse_qsl(text, keep_blank_values=True):
                self.multi.setdefault(key, []).append(value)

    def get(self, name: str) -> object | None:
        """The field's single value, None when absent; Unreadable when ambiguous."""
        found: list[object] = list(self.multi.get(name, ()))
        value = _walk(self.json, name)
        if value is not _MISSING:
            found.append(value)
        if not found:
            return None
        first = found[0]
        if any(_norm(v) != _norm(first) for v in found[1:]):
            raise Unreadable(f"the field {name!r} appears with different values")
        return first

    def json_items(self) -> list[object]:
        """The JSON body as a list of operations (a GraphQL batch is a list)."""
        if isinstance(self.json, list):
            return self.json
        return [] if self.json is None else [self.json]


_MISSING = object()


def _walk(doc: object, path: str) -> object:
    node = doc
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def walk(doc: object, path: str) -> object | None:
    value = _walk(doc, path)
    return None if value is _MISSING else value


def _norm(value: object) -> str:
    return str(value).strip()
