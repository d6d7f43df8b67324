"""The TARS reader: every type, and strictness where a frame could be read two ways."""

from __future__ import annotations

import pytest

from guardian.catalog import tars
from guardian.catalog.tars import Pairs, TarsError
from tests.support import tarsframes as tf


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (tf.integer(0, 0), {0: 0}),  # ZERO: no payload
        (
            tf.integer(1, 5) + tf.integer(2, -200) + tf.integer(3, 70000) + tf.integer(4, 2**40),
            {1: 5, 2: -200, 3: 70000, 4: 2**40},
        ),
        (tf.string(5, "consumeGift"), {5: "consumeGift"}),
        (tf.string(6, "长" * 100), {6: "长" * 100}),  # over 255 bytes: string4
        (tf.blob(7, b"\x00\x01"), {7: b"\x00\x01"}),
        (tf.vector(1, [tf.integer(0, 1), tf.integer(0, 2)]), {1: [1, 2]}),
        (tf.mapping(9, [(tf.string(0, "k"), tf.string(1, "v"))]), {9: Pairs([("k", "v")])}),
        (tf.struct_(0, tf.integer(4, 9) + tf.struct_(5, tf.integer(0, 1))), {0: {4: 9, 5: {0: 1}}}),
        (tf.integer(20, 7) + tf.integer(200, 8), {20: 7, 200: 8}),  # tags of 15 and up take a second byte
        (b"", {}),
    ],
)  # fmt: skip
def test_reads_every_type(data: bytes, fields: dict) -> None:
    assert tars.read_fields(data) == fields


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (bytes([0x0E]), "unknown type 14"),
        (tf.head(0, tars.INT32) + b"\x00\x01", "runs past the end"),
        (tf.head(0, tars.STRING4) + b"\xff\xff\xff\xff", "runs past the end"),
        (tf.head(0, tars.LIST) + tf.integer(0, 1000), "a size that is not a count of what follows"),
        (tf.head(0, tars.LIST) + tf.integer(0, -1), "a size that is not a count of what follows"),
        (tf.head(0, tars.LIST) + tf.string(0, "x"), "a size that is not a count of what follows"),
        (tf.integer(5, 1) + tf.integer(4, 2), "field 4 after field 5"),  # a reader seeking tag 4 would miss it
        (tf.integer(4, 1) + tf.integer(4, 1000), "field 4 after field 4"),  # two counts: which one is charged?
        (tf.head(0, tars.END), "a struct end outside a struct"),
        (tf.head(0, tars.BEGIN) + tf.integer(0, 1), "a struct that does not end"),
        (tf.head(0, tars.SIMPLE) + tf.head(0, tars.INT16) + tf.integer(0, 0), "element type is not int8"),
        (tf.head(1, tars.END), "a struct end outside a struct"),
        (tf.head(0, tars.BEGIN) * 40 + tf.head(0, tars.END) * 40, "structs nested too deep"),
        (tf.head(0, tars.MAP) + tf.integer(0, 1) + tf.head(0, tars.END), "a struct end where a value was expected"),
    ],
)
def test_refuses_what_could_be_read_two_ways_or_not_at_all(data: bytes, problem: str) -> None:
    with pytest.raises(TarsError, match=problem):
        tars.read_fields(data)


@pytest.mark.parametrize(
    ("data", "value"),
    [
        (tf.integer(0, 3) + b"garbage that is never read", 3),
        (tf.integer(0, 0), 0),
        (tf.integer(1, 3), None),  # the first field is not tag 0 (a reader would take the default, 0)
        (tf.string(0, "3"), None),
        (b"", None),
        (bytes([0x0F]), None),
    ],
)
def test_first_int_reads_one_field_only(data: bytes, value: int | None) -> None:
    assert tars.first_int(data, 0) == value
