"""Text from traffic shown to a parent (a streamer id, a proxy user name): quoted, bounded, never a link or markup.

A child (or a streamer) chooses these strings. In a chat app a string like
``evil.example/approve`` would become a tappable link beside Guardian's own,
and ``*``, ``[]()`` or ``<b>`` would be read as formatting by the channels that
render Markdown or HTML. So the characters that make links, markup or a broken
quote are replaced by look-alike full-width forms: the parent still reads the
id, and nothing in it can be tapped or rendered.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_INERT = str.maketrans(
    {
        ":": "：",
        "/": "／",
        ".": "．",
        "@": "＠",
        "<": "‹",
        ">": "›",
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "*": "∗",
        "_": "＿",
        "`": "ˋ",
        '"': "＂",
        "'": "＇",
        "\\": "＼",
        "#": "＃",
        "&": "＆",
        "|": "｜",
        "~": "～",
        "“": "＂",
        "”": "＂",
    }
)
MAX_UNTRUSTED = 40


def inert(value: object, limit: int = MAX_UNTRUSTED) -> str:
    """`value` with no control or bidi characters, bounded to `limit`, and nothing a client reads as a link."""
    text = " ".join(_CONTROL.sub("", re.sub(r"[\t\n\r]", " ", str(value))).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.translate(_INERT)


def quoted(value: object, limit: int = MAX_UNTRUSTED) -> str:
    """`inert` in quotes, so where the untrusted part starts and ends is plain: “7734”."""
    return f"“{inert(value, limit)}”"
