"""Reading TARS (also called JCE) binary data: the encoding of Tencent's TARS RPC, which Huya's clients speak.

Grammar. A struct is a run of fields; each field is a head and a value. The head is one byte
``tag << 4 | type``, or, for tags from 15 up, the byte ``0xF0 | type`` followed by the tag. Types::

    0 int8   1 int16   2 int32   3 int64     big-endian, signed; writers use the smallest that fits
    4 float  5 double                        IEEE 754, big-endian
    6 string1 (u8 length)   7 string4 (u32 length)
    8 map    9 list         an int field (tag 0) giving the size, then the items (keys tag 0, values tag 1)
    10 struct begin  11 struct end
    12 zero                                  the number 0, no payload
    13 simple list                           a head (tag 0, int8), an int size (tag 0), then raw bytes

A struct here becomes a dict from tag to value, nested structs dicts, lists lists, maps `Pairs`
(a list of key, value pairs, as written), simple lists bytes. Reading is strict, because a payment frame that could be
read two ways must be refused rather than guessed: tags must rise within a struct (a reader that
seeks fields by tag would miss a field written out of order), sizes must fit in what is left,
nesting is bounded, and nothing may follow the last field.
"""

from __future__ import annotations

import struct

INT8, INT16, INT32, INT64, FLOAT, DOUBLE, STRING1, STRING4, MAP, LIST, BEGIN, END, ZERO, SIMPLE = range(14)
MAX_DEPTH = 24
_INTS = {INT8: ">b", INT16: ">h", INT32: ">i", INT64: ">q"}
_FLOATS = {FLOAT: ">f", DOUBLE: ">d"}


class TarsError(ValueError):
    """The data is not TARS, or could be read more than one way."""


class Pairs(list):
    """A map's (key, value) pairs in the order written."""


class Reader:
    def __init__(self, data: bytes, depth: int = 0):
        self.data = data
        self.pos = 0
        self.depth = depth

    def _take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise TarsError(f"a field runs past the end at byte {self.pos}")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def head(self) -> tuple[int, int]:
        (byte,) = self._take(1)
        tag, kind = byte >> 4, byte & 0x0F
        if tag == 15:
            (tag,) = self._take(1)
        if kind > SIMPLE:
            raise TarsError(f"unknown type {kind} at byte {self.pos - 1}")
        return tag, kind

    def value(self, kind: int) -> object:
        if kind in _INTS:
            fmt = _INTS[kind]
            return struct.unpack(fmt, self._take(struct.calcsize(fmt)))[0]
        if kind == ZERO:
            return 0
        if kind in _FLOATS:
            fmt = _FLOATS[kind]
            return struct.unpack(fmt, self._take(struct.calcsize(fmt)))[0]
        if kind in (STRING1, STRING4):
            size = self._take(1)[0] if kind == STRING1 else int.from_bytes(self._take(4), "big")
            return self._take(size).decode("utf-8", "replace")
        if kind == SIMPLE:
            tag, inner = self.head()
            if inner != INT8:
                raise TarsError("a byte list whose element type is not int8")
            return self._take(self.size())
        if kind == BEGIN:
            return self.nested().fields(until_end=True)
        if kind in (LIST, MAP):
            size = self.size()
            if kind == LIST:
                return [self.item() for _ in range(size)]
            return Pairs((self.item(), self.item()) for _ in range(size))
        raise TarsError(f"a struct end where a value was expected at byte {self.pos}")

    def size(self) -> int:
        tag, kind = self.head()
        count = self.value(kind) if kind in _INTS or kind == ZERO else None
        if not isinstance(count, int) or count < 0 or count > len(self.data) - self.pos:
            raise TarsError(f"a size that is not a count of what follows at byte {self.pos}")
        return count

    def item(self) -> object:
        _, kind = self.head()
        return self.value(kind)

    def nested(self) -> Reader:
        if self.depth >= MAX_DEPTH:
            raise TarsError("structs nested too deep")
        self.depth += 1
        return self

    def fields(self, until_end: bool = False) -> dict[int, object]:
        found: dict[int, object] = {}
        last = -1
        while self.pos < len(self.data):
            tag, kind = self.head()
            if kind == END:
                if not until_end:
                    raise TarsError(f"a struct end outside a struct at byte {self.pos - 1}")
                self.depth -= 1
                return found
            if tag <= last:
                raise TarsError(f"field {tag} after field {last}")
            found[tag] = self.value(kind)
            last = tag
        if until_end:
            raise TarsError("a struct that does not end")
        return found


def read_fields(data: bytes) -> dict[int, object]:
    """The fields of a top-level struct (a stream of fields without begin and end), every byte read."""
    return Reader(data).fields()


def first_int(data: bytes, tag: int) -> int | None:
    """The int at `tag` if it is the first field, else None: what a reader seeking that tag gets, at no cost."""
    try:
        reader = Reader(data)
        found, kind = reader.head()
        if found != tag or not (kind in _INTS or kind == ZERO):
            return None
        return reader.value(kind)
    except TarsError:
        return None
