"""Twitch cheers (bits) in IRC chat text; messages.py turns them into purchases.

A cheer is a chat message whose words include cheermotes: a known prefix
followed by a number of bits (``Cheer100``, ``Kappa50``), case-insensitive.
The bits of one message add up. A message is IRC text, possibly several lines::

    @client-nonce=abc PRIVMSG #streamer :Cheer100 great stream Cheer50
"""

from __future__ import annotations

import re

MAX_MESSAGE = 16 * 1024
_PRIVMSG = re.compile(r"^(?:@\S+ )?(?::\S+ )?PRIVMSG (#[^\s,]+) :(.*)$")
_CHEER = re.compile(r"^([a-z0-9]+?)(\d{1,7})$")  # shortest prefix: "4head100" is 4head + 100


def bits(text: str, words: frozenset[str]) -> list[tuple[str, int]]:
    """(channel, bits) for every PRIVMSG line that cheers."""
    found = []
    for line in text.splitlines():
        m = _PRIVMSG.match(line.strip())
        if m is None:
            continue
        total = 0
        for word in m.group(2).split():
            c = _CHEER.match(word.lower())
            if c is not None and c.group(1) in words and int(c.group(2)) > 0:
                total += int(c.group(2))
        if total:
            found.append((m.group(1), total))
    return found
