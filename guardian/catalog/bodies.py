"""Undoing a request body's Content-Encoding, bounded, for reading payment requests.

Grammar of the header: a comma-separated list of codings, applied by the
sender in order (``gzip, br`` means gzip first, then brotli), so they are
undone last to first. Known codings: ``identity``/``none``, ``gzip``/``x-gzip``
(several members are read as one stream, as servers do), ``deflate`` (zlib
or raw), ``br`` and ``zstd``. Anything else, a truncated or corrupt stream,
trailing bytes after the end of a stream, or a result larger than the limit
makes the body unreadable (None), and a payment endpoint refuses it: a few
KiB that would inflate to gigabytes are never inflated past the limit.
"""

from __future__ import annotations

import zlib

from guardian.catalog.request import MAX_BODY

MAX_LAYERS = 3


class _Unreadable(Exception):
    pass


def _zlib(data: bytes, wbits: int, limit: int, members: bool) -> bytes:
    out = bytearray()
    while True:
        d = zlib.decompressobj(wbits)
        try:
            out += d.decompress(data, limit + 1 - len(out))
        except zlib.error:
            raise _Unreadable from None
        if len(out) > limit or d.unconsumed_tail:
            raise _Unreadable  # more output than the limit allows
        if not d.eof:
            raise _Unreadable  # truncated
        data = d.unused_data
        if not data:
            return bytes(out)
        if not members:
            raise _Unreadable  # bytes after the end of the stream


def _gzip(data: bytes, limit: int) -> bytes:
    return _zlib(data, 32 + zlib.MAX_WBITS, limit, members=True)  # gzip, or zlib labelled gzip


def _deflate(data: bytes, limit: int) -> bytes:
    # "deflate" should be zlib-wrapped; some clients send raw deflate. Servers accept both.
    try:
        return _zlib(data, zlib.MAX_WBITS, limit, members=False)
    except _Unreadable:
        return _zlib(data, -zlib.MAX_WBITS, limit, members=False)


def _brotli(data: bytes, limit: int) -> bytes:
    import brotli

    d = brotli.Decompressor()
    try:
        out = d.process(data, output_buffer_limit=limit + 1)
    except brotli.error:
        raise _Unreadable from None
    if len(out) > limit or not d.is_finished():
        raise _Unreadable
    return out


def _zstd(data: bytes, limit: int) -> bytes:
    try:
        from compression import zstd  # Python 3.14
    except ImportError:
        from backports import zstd
    d = zstd.ZstdDecompressor()
    try:
        out = d.decompress(data, max_length=limit + 1)
    except zstd.ZstdError:
        raise _Unreadable from None
    if len(out) > limit or not d.eof or d.unused_data:
        raise _Unreadable
    return out


_CODINGS = {"gzip": _gzip, "x-gzip": _gzip, "deflate": _deflate, "br": _brotli, "zstd": _zstd}
_IDENTITY = {"identity", "none", ""}


def decode(raw: bytes, content_encoding: str | None, limit: int = MAX_BODY) -> bytes | None:
    """The body with every coding undone, or None when it cannot be read within `limit` bytes."""
    if len(raw) > limit:
        return None
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    codings = [c for c in codings if c not in _IDENTITY]
    if len(codings) > MAX_LAYERS:
        return None
    body = raw
    for coding in reversed(codings):
        undo = _CODINGS.get(coding)
        if undo is None:
            return None
        if not body:
            continue  # an empty body is empty in any coding
        try:
            body = undo(body, limit)
        except (_Unreadable, MemoryError, EOFError):
            return None
    return body
