"""The gift lists addon alone (with its runtime): prices learned from the app's own gift list, kept across restarts."""

from __future__ import annotations

import json
from decimal import Decimal

from mitmproxy.test import tutils

from addons import flows
from addons.giftlists import GiftLists
from guardian.store import gift_prices
from guardian.store.db import connect
from tests.support.one_addon import alone, flow, run, write_config

LIST = "/webcast/gift/list/?aid=6383&room_id=7"
GIFTS = {"data": {"gifts": [{"id": 3389, "diamond_count": 1200}, {"id": 77, "diamond_count": 52}]}}


def answered(path: str, status: int = 200, marked: bool = True, body: object = GIFTS):
    f = flow("GET", "live.douyin.com", path)
    if marked:  # the enforcement addon let it through to the app
        f.metadata[flows.APP_HOST] = "live.douyin.com"
    f.response = tutils.tresp(status_code=status, content=json.dumps(body).encode())
    return f


async def test_a_gift_list_teaches_its_prices_and_they_survive_a_restart(tmp_path):
    config = write_config(tmp_path, "")
    with alone(GiftLists, config) as gift_lists:
        await run(gift_lists.response(answered(LIST)))
        prices = gift_lists.runtime.guard.prices
        assert (prices.price("douyin", "3389"), prices.price("douyin", "77")) == (Decimal(1200), Decimal(52))
    with alone(GiftLists, config) as again:  # a new process: the learned prices are loaded from the database
        await again.runtime.call(lambda: None)  # the load was queued on the database thread when it configured
        assert again.runtime.guard.prices.price("douyin", "3389") == Decimal(1200)


async def test_only_a_good_answer_to_a_marked_gift_list_request_is_read(tmp_path):
    config = write_config(tmp_path, "")
    with alone(GiftLists, config) as gift_lists:
        ignored = [
            answered(LIST, marked=False),  # refused or never an app's request
            answered(LIST, status=404),
            answered("/webcast/gift/send/?aid=6383"),  # not the gift list
        ]
        assert [gift_lists.response(f) for f in ignored] == [None, None, None]
        await run(gift_lists.response(answered(LIST, body={"data": "nothing here"})))  # logged, nothing learned
        assert gift_lists.runtime.guard.prices.price("douyin", "3389") is None
    conn = connect(tmp_path / "guardian.db")
    assert gift_prices.counts(conn) == {}
    conn.close()
