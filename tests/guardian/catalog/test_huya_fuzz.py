"""Property tests for Huya frames: no input crashes the reader, and nothing a server would take as a paid gift
passes as "not a purchase".

The server's view is modelled by an independent reader with the semantics of Huya's own TARS library (Taf.js:
fields sought by tag, smaller tags skipped, anything after the fields read ignored, defaults for missing ones).
Mutations of real gift frames must never be read by it as a gift while Guardian says None.
"""

from __future__ import annotations

import struct
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.catalog import gifts, huya, messages
from guardian.catalog.detect import _CONTROL, MAX_RECIPIENT
from guardian.catalog.index import Catalog
from guardian.catalog.tars import TarsError
from guardian.household.config import Household
from tests.support import tarsframes as tf

FUZZ = settings(max_examples=400, deadline=None)
CATALOG = Catalog.load()
BOOK = gifts.PriceBook(CATALOG)
BOOK.learn("huya", {"20277": Decimal(10000), "4": Decimal(0)})
GIFT_TAGS = {"consumeGift": (4, 5, 9), "consumeGiftSafe": (3, 4, 9)}


class Seeker:
    """Taf.js's JceInputStream, as far as a gift call needs: read(tag) skips to the tag or returns the default."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def _take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError("short")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def _head(self) -> tuple[int, int]:
        b = self._take(1)[0]
        tag, kind = b >> 4, b & 15
        return (self._take(1)[0], kind) if tag == 15 else (tag, kind)

    def _skip(self, kind: int) -> None:
        sizes = {0: 1, 1: 2, 2: 4, 3: 8, 4: 4, 5: 8}
        if kind in sizes:
            self._take(sizes[kind])
        elif kind == 6:
            self._take(self._take(1)[0])
        elif kind == 7:
            self._take(struct.unpack(">i", self._take(4))[0])
        elif kind == 10:
            while True:
                _, k = self._head()
                self._skip(k)
                if k == 11:
                    return
        elif kind in (11, 12):
            return
        elif kind in (8, 9):
            count = self.int(0, True) * (2 if kind == 8 else 1)
            for _ in range(count):
                self._skip(self._head()[1])
        elif kind == 13:
            self._head()
            self._take(self.int(0, True))
        else:
            raise ValueError("type")

    def _seek(self, tag: int, required: bool) -> bool:
        while self.pos < len(self.data):
            save = self.pos
            t, kind = self._head()
            if tag <= t or kind == 11:
                self.pos = save
                return kind != 11 and t == tag
            self._skip(kind)
        if required:
            raise ValueError("missing")
        return False

    def int(self, tag: int, required: bool = False, default: int = 0) -> int:
        if not self._seek(tag, required):
            return default
        _, kind = self._head()
        fmt = {0: ">b", 1: ">h", 2: ">i", 3: ">q"}.get(kind)
        if kind == 12:
            return 0
        if fmt is None:
            raise ValueError("int type")
        return struct.unpack(fmt, self._take(struct.calcsize(fmt)))[0]

    def string(self, tag: int, required: bool = False) -> str:
        if not self._seek(tag, required):
            return ""
        _, kind = self._head()
        if kind not in (6, 7):
            raise ValueError("string type")
        size = self._take(1)[0] if kind == 6 else struct.unpack(">I", self._take(4))[0]
        return self._take(size).decode("utf-8", "replace")

    def blob(self, tag: int, required: bool = False) -> bytes:
        if not self._seek(tag, required):
            return b""
        _, kind = self._head()
        if kind != 13:
            raise ValueError("bytes type")
        if self._head()[1] != 0:
            raise ValueError("bytes element")
        return self._take(self.int(0, True))

    def struct_at(self, tag: int) -> Seeker:
        if not self._seek(tag, True):
            raise ValueError("missing")
        _, kind = self._head()
        if kind != 10:
            raise ValueError("struct type")
        return Seeker(self.data[self.pos :])

    def bytes_map(self, tag: int) -> dict[str, bytes]:
        if not self._seek(tag, True):
            raise ValueError("missing")
        if self._head()[1] != 8:
            raise ValueError("map type")
        found: dict[str, bytes] = {}
        for _ in range(self.int(0, True)):
            key = self.string(0, True)
            found[key] = self.blob(1, True)
        return found


def server_gift(frame: bytes) -> tuple[str, int, int, int] | None:
    """(function, gift id, count, pay policy) when Huya's server would run a gift call on this frame, else None."""
    try:
        command = Seeker(frame)
        if command.int(0) != 3:
            return None
        packet = command.blob(1)
        if len(packet) < 4 or struct.unpack(">i", packet[:4])[0] < 4:
            return None
        wup = Seeker(packet[4:])
        version = wup.int(1, True)
        wup.int(2, True), wup.int(3, True), wup.int(4, True)
        servant, function = wup.string(5, True), wup.string(6, True)
        arguments = wup.blob(7, True)
        if version != 3 or servant != "PropsUIServer" or function not in GIFT_TAGS:
            return None
        req = Seeker(Seeker(arguments).bytes_map(0)["tReq"]).struct_at(0)
        gift_tag, count_tag, policy_tag = GIFT_TAGS[function]
        gift, count, policy = req.int(gift_tag), req.int(count_tag), req.int(policy_tag)
        return function, gift, count, policy
    except (ValueError, KeyError, struct.error, IndexError):
        return None


@st.composite
def mutated_gifts(draw) -> bytes:
    function = draw(st.sampled_from(sorted(GIFT_TAGS)))
    frame = bytearray(tf.gift_frame(
        draw(st.sampled_from([20277, 4, 99])), draw(st.integers(0, 10**6)), draw(st.integers(0, 2**40)),
        policy=draw(st.sampled_from([64, 3, 2])), function=function,
    ))  # fmt: skip
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.integers(0, len(frame)))
        how = draw(st.sampled_from(["replace", "insert", "delete", "truncate", "append"]))
        byte = draw(st.integers(0, 255))
        if how == "replace" and where < len(frame):
            frame[where] = byte
        elif how == "insert":
            frame[where:where] = bytes([byte])
        elif how == "delete" and where < len(frame):
            del frame[where]
        elif how == "truncate":
            del frame[where:]
        else:
            frame += draw(st.binary(max_size=8))
    return bytes(frame)


@FUZZ
@given(mutated_gifts())
def test_nothing_a_server_would_run_as_a_paid_gift_passes_as_not_a_purchase(frame: bytes) -> None:
    purchase = messages.detect_message(CATALOG, Household(), "cdnws.api.huya.com", frame, BOOK)
    gift = server_gift(frame)
    if gift is not None and gift[2] > 0 and gift[3] != 3 and BOOK.price("huya", str(gift[1])) != 0:
        assert purchase is not None, gift
    if purchase is not None:
        assert purchase.status in ("priced", "unknown", "unreadable")
        assert purchase.recipient is None or (
            len(purchase.recipient) <= MAX_RECIPIENT and not _CONTROL.search(purchase.recipient)
        )
        assert "SECRET" not in (purchase.problem or "") + (purchase.recipient or "")


@FUZZ
@given(st.binary(max_size=300))
def test_any_bytes_are_read_or_refused_cleanly(data: bytes) -> None:
    try:
        doc = huya.decode(data)
    except TarsError:
        doc = None
    assert doc is None or isinstance(doc.get("command"), int)
    purchase = messages.detect_message(CATALOG, Household(), "cdnws.api.huya.com", data, BOOK)
    assert purchase is None or purchase.status in ("priced", "unknown", "unreadable")
    assert messages.gift_list(CATALOG, "cdnws.api.huya.com", data) is None or huya.command(data) == huya.ANSWER


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 50000), st.integers(-5, 10**7)), max_size=20), st.integers(0, 60))
def test_gift_lists_cut_anywhere_give_prices_or_nothing(items, cut) -> None:
    answer = tf.props_list(items)
    found = messages.gift_list(CATALOG, "cdnws.api.huya.com", answer[: len(answer) - cut] if cut else answer)
    if cut == 0:
        assert found is not None
        expect = {str(g): Decimal(p) for g, p in items if p >= 0}  # a negative price is one odd entry, skipped
        assert found[1] == expect
    else:
        assert found is None or isinstance(found[1], dict)
