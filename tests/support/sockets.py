"""WebSocket fixtures: what a client and a server send on an app's socket, and the purchase each client message is.

Huya's web player: the server answers getPropsList with the gift prices first, then the client sends calls
(TARS, tests/support/tarsframes.py). Gold beans: 1000 = 1 CNY.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.support import tarsframes as tf
from tests.support.endpoints import priced

HUYA_WS = "https://cdnws.api.huya.com/"
PRICES = [(20277, 10000), (20267, 100), (4, 0)]  # 10 CNY, 0.1 CNY, free (虎粮)
GIFT = "huya.gift.consumeGift"


@dataclass(frozen=True)
class Socket:
    name: str
    url: str
    messages: tuple[tuple[bool, str | bytes], ...]  # (sent by the client, data), in order
    expected: tuple[dict | None, ...]  # one per client message

    def sent(self) -> list[str | bytes]:
        return [data for from_client, data in self.messages if from_client]


def _bad_gift() -> bytes:
    """A gift call whose packet says it is longer than it is: Huya's server would not read it as we do."""
    packet = tf.consume_gift(20277, 1)
    return tf.command(3, (len(packet) + 1).to_bytes(4, "big") + packet[4:])


HUYA = Socket(
    "huya web player: gift list, then gifts, chat and heartbeats",
    HUYA_WS,
    (
        (False, tf.props_list(PRICES)),
        (True, tf.call("onlineui", "OnUserHeartBeat", tf.user_id() + tf.integer(1, 77))),
        (True, tf.gift_frame(20277, 2)),
        (True, tf.gift_frame(20267, 10, 7654321)),
        (True, tf.gift_frame(20277, 1, policy=3)),  # from the backpack: already paid for
        (True, tf.gift_frame(4, 5)),  # 虎粮: free
        (True, tf.call("liveui", "sendMessage", tf.user_id() + tf.string(1, "666"))),
        (True, tf.gift_frame(20277, 1, function="consumeGiftSafe")),
        (True, tf.command(16, tf.vector(0, [tf.string(0, "live:1234567")]))),  # join the room's broadcast group
        (True, _bad_gift()),
        (False, tf.command(7, b"\x00")),  # a server push: other viewers' gifts and chat are never counted
    ),
    (
        None,
        priced("huya", "gift", GIFT, "20", "CNY", "20", "1234567"),
        priced("huya", "gift", GIFT, "1", "CNY", "1", "7654321"),
        None,
        None,
        None,
        priced("huya", "gift", "huya.gift.consumeGiftSafe", "10", "CNY", "10", "1234567"),
        None,
        priced("huya", "gift", GIFT, status="unreadable"),
    ),
)
