"""Writing Huya's TARS frames the way its web client's Taf.js does (smallest integer type, ZERO for 0), for tests.

The reader under test is guardian/catalog/tars.py and huya.py; this writer is deliberately separate code.
"""

from __future__ import annotations

import struct

INT8, INT16, INT32, INT64, FLOAT, DOUBLE, STRING1, STRING4, MAP, LIST, BEGIN, END, ZERO, SIMPLE = range(14)
COOKIE = "udb_n=SECRET-TOKEN; yyuid=42"  # what the real tId carries: must never reach the ledger or a log


def head(tag: int, kind: int) -> bytes:
    return bytes([tag << 4 | kind]) if tag < 15 else bytes([0xF0 | kind, tag])


def integer(tag: int, value: int) -> bytes:
    if value == 0:
        return head(tag, ZERO)
    for kind, fmt, low, high in ((INT8, ">b", -(2**7), 2**7), (INT16, ">h", -(2**15), 2**15),
                                 (INT32, ">i", -(2**31), 2**31), (INT64, ">q", -(2**63), 2**63)):  # fmt: skip
        if low <= value < high:
            return head(tag, kind) + struct.pack(fmt, value)
    raise ValueError(value)


def string(tag: int, text: str) -> bytes:
    raw = text.encode()
    if len(raw) > 255:
        return head(tag, STRING4) + struct.pack(">I", len(raw)) + raw
    return head(tag, STRING1) + bytes([len(raw)]) + raw


def blob(tag: int, raw: bytes) -> bytes:
    return head(tag, SIMPLE) + head(0, INT8) + integer(0, len(raw)) + raw


def struct_(tag: int, body: bytes) -> bytes:
    return head(tag, BEGIN) + body + head(0, END)


def vector(tag: int, items: list[bytes]) -> bytes:
    """`items` are values written at tag 0 each."""
    return head(tag, LIST) + integer(0, len(items)) + b"".join(items)


def mapping(tag: int, pairs: list[tuple[bytes, bytes]]) -> bytes:
    """`pairs` are (key at tag 0, value at tag 1)."""
    return head(tag, MAP) + integer(0, len(pairs)) + b"".join(k + v for k, v in pairs)


def user_id(uid: int = 42, cookie: str = COOKIE) -> bytes:
    return struct_(0, integer(0, uid) + string(1, "") + string(2, "TOKEN") + string(3, "webh5") + string(4, cookie))


def packet(servant: str, function: str, argument: bytes, *, version: int = 3, name: str = "tReq") -> bytes:
    """A RequestPacket with its 4-byte length; `argument` is the struct's fields (written at tag 0)."""
    value = struct_(0, argument)
    if version == 3:
        arguments = mapping(0, [(string(0, name), blob(1, value))])
    else:
        arguments = mapping(0, [(string(0, name), mapping(1, [(string(0, "HUYA.Req"), blob(1, value))]))])
    body = (
        integer(1, version) + integer(2, 0) + integer(3, 0) + integer(4, -1) + string(5, servant)
        + string(6, function) + blob(7, arguments) + integer(8, 0) + mapping(9, []) + mapping(10, [])
    )  # fmt: skip
    return struct.pack(">I", len(body) + 4) + body


def command(kind: int, data: bytes = b"") -> bytes:
    return integer(0, kind) + blob(1, data) + integer(2, 0) + string(3, "")


def consume_gift(
    gift: int, count: int, presenter: int = 1234567, *, policy: int = 64, function: str = "consumeGift", **kw
) -> bytes:
    """The web player's gift call (HUYA.ConsumeGiftReq), as a call's packet."""
    if function == "consumeGiftSafe":  # 交友 rooms: room at 1, then gift 3, count 4, streamer 5
        fields = (
            user_id() + integer(1, 99) + integer(2, 0) + integer(3, gift) + integer(4, count) + integer(5, presenter)
            + integer(6, presenter) + string(7, "pay-1") + string(8, "") + integer(9, policy) + integer(10, 5)
        )  # fmt: skip
    else:
        fields = (
            user_id() + integer(1, 77) + integer(2, 77) + integer(3, 0) + integer(4, gift) + integer(5, count)
            + integer(6, presenter) + string(7, "pay-1") + string(8, "") + integer(9, policy) + integer(10, 5)
            + string(11, "<expand><prop nobel_level='0'/></expand>") + integer(12, 5) + string(13, "mia")
            + integer(14, 0) + mapping(15, []) + string(16, "Mia") + string(17, "Streamer") + string(18, "sign")
        )  # fmt: skip
    return packet(kw.get("servant", "PropsUIServer"), function, fields, version=kw.get("version", 3))


def gift_frame(gift: int, count: int, presenter: int = 1234567, **kw) -> bytes:
    return command(3, consume_gift(gift, count, presenter, **kw))


def props_list(items: list[tuple[int, int]]) -> bytes:
    """The server's answer to PropsUIServer.getPropsList: (gift id, gold beans) per PropsItem."""
    props = [struct_(0, integer(1, gid) + string(2, f"gift {gid}") + integer(3, beans // 10) + integer(4, beans))
             for gid, beans in items]  # fmt: skip
    return command(4, packet("PropsUIServer", "getPropsList", vector(1, props) + string(2, "md5"), name="tRsp"))


def call(servant: str, function: str, fields: bytes = b"") -> bytes:
    return command(3, packet(servant, function, fields))
