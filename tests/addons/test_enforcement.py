"""The enforcement addon alone (with its runtime): app windows, purchases, their outcome, failing closed."""

from __future__ import annotations

from pathlib import Path

import pytest
from mitmproxy.test import tflow, tutils

from addons import flows
from addons.enforcement import META, Enforcement
from guardian.store.ledger import Ledger
from tests.conftest import closed_window, household_config
from tests.support.one_addon import alone, flow, run

GIFT = "/xlive/revenue/v2/gift/sendGoldMultiUser?price={}&gift_num=1&ruid=5"


def gift(yuan: int):
    return flow("POST", "api.live.bilibili.com", GIFT.format(yuan * 1000))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "guardian.toml"
    path.write_text(household_config('[child.caps]\nper_purchase = "30"\n'), encoding="utf-8")
    return path


def rows(tmp_path: Path) -> list[tuple]:
    return [
        (r.amount, r.decision, r.reason, r.outcome)
        for r in sorted(Ledger(tmp_path / "guardian.db").rows(), key=lambda r: r.id)
    ]


async def test_ordinary_traffic_gets_no_coroutine_no_answer_and_no_note(config):
    with alone(Enforcement, config) as enforcement:
        ordinary = flow("GET", "news.example", "/")
        assert enforcement.request(ordinary) is None
        assert ordinary.response is None and ordinary.metadata == {}


async def test_an_app_outside_its_window_is_answered_by_the_proxy(tmp_path):
    config = tmp_path / "guardian.toml"
    config.write_text(household_config(f'[child.windows.apps]\nbilibili = ["{closed_window()}"]\n'), encoding="utf-8")
    with alone(Enforcement, config) as enforcement:
        video = flow("GET", "www.bilibili.com", "/video/BV1", accept="text/html")
        assert enforcement.request(video) is None
    assert video.response.status_code == 403 and video.response.headers["Guardian-Reason"] == "app-window"
    assert flows.APP_HOST not in video.metadata  # answered by the proxy: nothing for the gift lists addon


async def test_an_app_request_that_is_no_purchase_is_handed_to_the_other_addons(config):
    with alone(Enforcement, config) as enforcement:
        video = flow("GET", "www.bilibili.com", "/video/BV1?p=2")
        assert enforcement.request(video) is None
    assert video.response is None
    assert video.metadata[flows.APP_HOST] == "www.bilibili.com"
    app_id, req = video.metadata[flows.UNMATCHED]
    assert (app_id, req.client, req.method, req.host, req.path, req.query) == (
        "bilibili",
        "127.0.0.1",
        "GET",
        "www.bilibili.com",
        "/video/BV1",
        (("p", "2"),),
    )


async def test_purchases_are_judged_and_an_allowed_one_settles_with_its_answer(config, tmp_path):
    with alone(Enforcement, config) as enforcement:
        over = gift(31)
        await run(enforcement.request(over))
        allowed = gift(10)
        await run(enforcement.request(allowed))
        assert allowed.response is None and META in allowed.metadata and flows.UNMATCHED not in allowed.metadata
        allowed.response = tutils.tresp(content=b'{"code": 0}')
        enforcement.response(allowed)
        assert allowed.response.headers["Guardian-Decision"] == "allowed"
    assert over.response.headers["Guardian-Reason"] == "per-purchase" and over.response.json()["code"] == 200013
    assert rows(tmp_path) == [("31", "blocked", "per-purchase", "never-contacted"), ("10", "allowed", None, "accepted")]


async def test_a_purchase_whose_server_was_never_reached_stops_counting(config, tmp_path):
    with alone(Enforcement, config) as enforcement:
        lost = gift(10)
        await run(enforcement.request(lost))
        lost.error = tflow.terr()
        lost.server_conn.timestamp_tcp_setup = None
        await run(enforcement.error(lost))
        sent = gift(5)
        await run(enforcement.request(sent))
        sent.error = tflow.terr()  # connected, then broke: it may have been received
        assert enforcement.error(sent) is None
    assert rows(tmp_path) == [("10", "allowed", None, "never-contacted"), ("5", "allowed", None, "pending")]


async def test_an_unreadable_request_is_refused_on_payment_hosts_only(config, monkeypatch):
    with alone(Enforcement, config) as enforcement:

        def explode(request):
            raise RuntimeError("bug")

        monkeypatch.setattr(enforcement.runtime.guard, "detect", explode)
        payment = gift(1)
        assert enforcement.request(payment) is None
        video = flow("GET", "www.bilibili.com", "/video/BV1")
        assert enforcement.request(video) is None
    assert payment.response.headers["Guardian-Reason"] == "unreadable"
    assert video.response is None
