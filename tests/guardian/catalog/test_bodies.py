"""Bounded Content-Encoding decoding of request bodies."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
from backports import zstd

from guardian.catalog.bodies import decode
from guardian.catalog.request import MAX_BODY

BODY = b"price=31000&gift_num=1&ruid=5"


def _raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(wbits=-15)
    return c.compress(data) + c.flush()


@pytest.mark.parametrize(
    "encoding, encoded",
    [
        (None, BODY),
        ("", BODY),
        ("identity", BODY),
        ("gzip", gzip.compress(BODY)),
        ("x-gzip", gzip.compress(BODY)),
        ("GZip", gzip.compress(BODY)),
        ("gzip", zlib.compress(BODY)),  # zlib labelled gzip, which lenient servers accept
        ("deflate", zlib.compress(BODY)),
        ("deflate", _raw_deflate(BODY)),
        ("br", brotli.compress(BODY)),
        ("zstd", zstd.compress(BODY)),
        ("gzip, br", brotli.compress(gzip.compress(BODY))),  # applied in order, undone in reverse
        ("identity, gzip", gzip.compress(BODY)),
        ("gzip", gzip.compress(BODY[:10]) + gzip.compress(BODY[10:])),  # two members read as one stream
    ],
)
def test_decodes(encoding, encoded):
    assert decode(encoded, encoding) == BODY


@pytest.mark.parametrize(
    "encoding, encoded",
    [
        ("gzip", gzip.compress(BODY)[:-4]),  # truncated
        ("gzip", gzip.compress(BODY) + b"junk"),
        ("deflate", zlib.compress(BODY) + b"junk"),
        ("br", brotli.compress(BODY)[:-2]),
        ("zstd", zstd.compress(BODY) + b"junk"),
        ("gzip", BODY),  # not compressed at all
        ("compress", BODY),
        ("base64", b"cHJpY2U9MQ=="),
        ("rot13", BODY),
        ("utf-8", BODY),
        ("br, gzip", brotli.compress(gzip.compress(BODY))),  # the wrong order
        ("gzip, gzip, gzip, gzip", BODY),  # more layers than anyone needs
    ],
)
def test_unreadable(encoding, encoded):
    assert decode(encoded, encoding) is None


@pytest.mark.parametrize(
    "encode, name",
    [(gzip.compress, "gzip"), (zlib.compress, "deflate"), (brotli.compress, "br"), (zstd.compress, "zstd")],
)
def test_inflating_past_the_limit_is_unreadable(encode, name):
    bomb = encode(b"0" * (8 << 20))
    assert len(bomb) < MAX_BODY
    assert decode(bomb, name) is None
    exactly = encode(b"1" * MAX_BODY)
    assert decode(exactly, name) == b"1" * MAX_BODY


def test_a_raw_body_over_the_limit_is_unreadable():
    assert decode(b"x" * (MAX_BODY + 1), None) is None
    assert decode(b"x" * 10, None, limit=9) is None
    assert decode(b"", "gzip") == b""
