"""Huya's calls (TARS, see tars.py), read far enough to see a gift and its count.

Every binary WebSocket frame is a ``WebSocketCommand``: tag 0 the command (3: a call from the
client, 4: the server's answer to one, 7: a pushed message), tag 1 its data. A call's data, which is
also the whole body of an HTTP POST to wup.huya.com, is a 4-byte big-endian length (counting itself)
and a TARS ``RequestPacket``: tag 1 version, 5 servant, 6 function, 7 the arguments. Version 3
arguments are a map (tag 0) of name to TARS bytes, version 2 a map of name to a one-entry map of type
name to bytes; the request is under ``tReq``, an answer under ``tRsp``, each a struct at tag 0. A gift
is ``PropsUIServer.consumeGift`` (gift id at tag 4, count at 5, streamer at 6) or its 交友-room twin
``consumeGiftSafe`` (3, 4, 5); the catalog's huya.toml says which calls count, with `when` on the
names below.

`decode` gives what a rule reads, with tags as strings::

    {"command": 3, "version": 3, "servant": "propsuiserver", "function": "consumegift",
     "req": {"0": {...}, "4": 20267, "5": 10, "6": 1234567, ...}}

Names are lower-cased, so that a rule cannot be slipped past by "ConsumeGift". The request's
``tId`` (tag 0) holds the child's login cookie and token: it is read, never kept or logged.
"""

from __future__ import annotations

from guardian.catalog import tars
from guardian.catalog.tars import TarsError

CALL, ANSWER = 3, 4
MAX_FRAME = 64 * 1024  # a client call (a gift frame is a few hundred bytes)
MAX_ANSWER = 4 * 1024 * 1024  # the gift list the server sends


def command(data: bytes) -> int | None:
    """The frame's command, read from its first field alone (cheap: for deciding what to decode)."""
    return tars.first_int(data, 0)


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise TarsError(f"the call's {what} is missing")
    return value.lower()


def _tagged(node: object) -> object:
    """Structs with string keys (so that "req.4" reads tag 4), maps as dicts of string keys."""
    if isinstance(node, dict):
        return {str(k): _tagged(v) for k, v in node.items()}
    if isinstance(node, tars.Pairs):
        out: dict[str, object] = {}
        for key, value in node:
            if not isinstance(key, (str, int)) or str(key) in out:
                raise TarsError("a map whose keys are not distinct names or numbers")
            out[str(key)] = _tagged(value)
        return out
    if isinstance(node, list):
        return [_tagged(i) for i in node]
    return node


def _argument(arguments: object, version: int, name: str) -> dict | None:
    """The struct passed as `name` (tReq, tRsp), or None when the call carries none."""
    if not isinstance(arguments, bytes):
        raise TarsError("the call's arguments are not bytes")
    top = tars.read_fields(arguments).get(0, tars.Pairs())
    entries = _tagged(top)
    if not isinstance(entries, dict):
        raise TarsError("the call's arguments are not a map")
    raw = entries.get(name)
    if raw is None:
        return None
    if version != 3:  # version 2: name -> {type name -> bytes}
        if not isinstance(raw, dict) or len(raw) != 1:
            raise TarsError(f"the {name} argument is not one typed value")
        (raw,) = raw.values()
    if not isinstance(raw, bytes):
        raise TarsError(f"the {name} argument is not bytes")
    body = tars.read_fields(raw).get(0)
    if not isinstance(body, dict):
        raise TarsError(f"the {name} argument is not a struct")
    return _tagged(body)


def decode(data: bytes, limit: int = MAX_FRAME) -> dict:
    """A WebSocket frame (a call, an answer or anything else) as a document for rules to read; TarsError when a
    call or an answer cannot be read."""
    if len(data) > limit:
        raise TarsError(f"a frame larger than {limit} bytes")
    frame = tars.read_fields(data)
    kind = frame.get(0, 0)
    if not isinstance(kind, int):
        raise TarsError("the command is not a number")
    if kind not in (CALL, ANSWER):
        return {"command": kind}
    packet = frame.get(1)
    if not isinstance(packet, bytes):
        raise TarsError("a call without its packet")
    return decode_packet(packet, kind)


def decode_packet(packet: bytes, kind: int = CALL, limit: int = MAX_FRAME) -> dict:
    """A call's packet (the WebSocket frame's data, or the body of an HTTP POST to wup.huya.com)."""
    if len(packet) > limit:
        raise TarsError(f"a packet larger than {limit} bytes")
    if len(packet) < 4 or int.from_bytes(packet[:4], "big") != len(packet):
        raise TarsError("the packet's length does not match its size")
    fields = tars.read_fields(packet[4:])
    version = fields.get(1)
    if not isinstance(version, int):
        raise TarsError("the call's version is missing")
    doc: dict = {"command": kind, "version": version}
    doc.update(servant=_text(fields.get(5), "servant"), function=_text(fields.get(6), "function"))
    name = "tReq" if kind == CALL else "tRsp"
    doc["req" if kind == CALL else "rsp"] = _argument(fields.get(7, b""), version, name)
    return doc
