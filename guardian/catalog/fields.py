"""Reading named fields from a request's query string, form body or JSON body.

A field name is a key (``gift_num``) or, for JSON, a dotted path
(``purchase_units.0.amount.value``). ``*`` stands for every element of a list
(``purchase_units.*.amount.value``, read with `get_all`). A path may go on
inside a field whose value is itself JSON text: ``biz_content.total_amount``
reads ``total_amount`` from the JSON string in the form field ``biz_content``.
A field found with two different values
(repeated query keys, query and body disagreeing, duplicate JSON keys) is
ambiguous: a payment endpoint fails closed on it rather than guess which copy
the app's server will believe.
"""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import parse_qsl

from guardian.catalog.request import MAX_BODY, Request


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
        if "json" in ctype or (
            not ctype.startswith("application/x-www-form-urlencoded") and stripped[:1] in (b"{", b"[")
        ):
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

    def _found(self, name: str) -> list[object]:
        found: list[object] = list(self.multi.get(name, ()))
        if not found and "." in name:
            head, rest = name.split(".", 1)
            for raw in self.multi.get(head, ()):
                value = _walk(raw, rest)
                if value is not _MISSING:
                    found.append(value)
        value = _walk(self.json, name)
        if value is not _MISSING:
            found.append(value)
        return found

    def get(self, name: str) -> object | None:
        """The field's single value, None when absent; Unreadable when ambiguous."""
        found = self._found(name)
        if not found:
            return None
        first = found[0]
        if any(_norm(v) != _norm(first) for v in found[1:]):
            raise Unreadable(f"the field {name!r} appears with different values")
        return first

    def get_all(self, name: str) -> list[object]:
        """Every value a path with ``*`` reaches (one per list element); [] when none."""
        if "*" not in name:
            value = self.get(name)
            return [] if value is None else [value]
        found = _walk_all(self.json, name.split(".")) if self.json is not None else []
        head, _, rest = name.partition(".")
        if head != "*" and rest:
            for raw in self.multi.get(head, ()):
                found.extend(_walk_all(raw, rest.split(".")))
        return found

    def json_items(self) -> list[object]:
        """The JSON body as a list of operations (a GraphQL batch is a list)."""
        if isinstance(self.json, list):
            return self.json
        return [] if self.json is None else [self.json]


_MISSING = object()


def _decode(node: str) -> object:
    """JSON text inside a field, decoded to walk further into it; _MISSING when it is not JSON."""
    text = node.strip()
    if text[:1] not in ("{", "["):
        return _MISSING
    if len(text) > MAX_BODY:
        raise Unreadable("a JSON field is too large")
    return parse_json(text.encode())


def _walk(doc: object, path: str) -> object:
    node = doc
    for part in path.split("."):
        if isinstance(node, str):
            node = _decode(node)
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _walk_all(doc: object, parts: list[str]) -> list[object]:
    node = doc
    for i, part in enumerate(parts):
        if isinstance(node, str):
            node = _decode(node)
        if part == "*":
            if not isinstance(node, list):
                return []
            return [v for item in node for v in _walk_all(item, parts[i + 1 :])]
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return []
    return [node]


def walk(doc: object, path: str) -> object | None:
    try:
        value = _walk(doc, path)
    except Unreadable:
        return None
    return None if value is _MISSING else value


class DocFields:
    """The same reading as `Fields`, over one JSON document (a GraphQL operation in a batch)."""

    def __init__(self, doc: object):
        self.json = doc

    def get(self, name: str) -> object | None:
        value = _walk(self.json, name)
        return None if value is _MISSING else value

    def get_all(self, name: str) -> list[object]:
        return _walk_all(self.json, name.split("."))


def _norm(value: object) -> str:
    return str(value).strip()
