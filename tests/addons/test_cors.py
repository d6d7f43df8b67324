"""The CORS addon with enforcement (and their runtime): refusals an app's own page can read, preflights for
requests Guardian will refuse, and nothing for other sites or for the server's own answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from mitmproxy.test import tutils

from addons import flows
from addons.cors import Cors
from addons.enforcement import Enforcement
from tests.conftest import closed_window, household_config
from tests.support.one_addon import alone, flow, run

PAGE = "https://live.bilibili.com"
SEND = "/xlive/revenue/v1/gift/sendGold"
EXPOSED = "Guardian-Decision, Guardian-Reason"


class Both:
    """The two addons in the script's order, sharing one runtime."""

    def __init__(self, runtime) -> None:
        self.cors, self.enforcement = Cors(runtime), Enforcement(runtime)
        self.addons = [self.cors, self.enforcement]

    async def request(self, f) -> None:
        for addon in self.addons:
            if f.response is None:
                await run(addon.request(f))
        if f.response is not None:
            self.cors.response(f)


def config(tmp_path: Path, child: str) -> Path:
    path = tmp_path / "guardian.toml"
    path.write_text(household_config(child), encoding="utf-8")
    return path


def gift(yuan: int, **headers: str):
    return flow("POST", "api.live.bilibili.com", f"{SEND}?price={yuan * 1000}&gift_num=1&ruid=5", **headers)


def preflight(path: str = SEND, origin: str = PAGE, method: str = "POST"):
    return flow(
        "OPTIONS",
        "api.live.bilibili.com",
        path,
        origin=origin,
        access_control_request_method=method,
        access_control_request_headers="content-type",
    )


async def test_a_refusal_to_the_apps_own_page_carries_the_cors_headers_its_server_would_send(tmp_path):
    with alone(Both, config(tmp_path, '[child.caps]\nper_purchase = "30"\n')) as both:
        refused = gift(50, origin=PAGE)
        await both.request(refused)
        foreign = gift(50, origin="https://evil.example")
        await both.request(foreign)
        same_site = gift(50)  # no Origin: nothing to allow
        await both.request(same_site)
    headers = refused.response.headers
    assert headers["Guardian-Decision"] == "blocked"
    assert headers["Access-Control-Allow-Origin"] == PAGE
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert headers["Access-Control-Expose-Headers"] == EXPOSED
    for other in (foreign, same_site):
        assert other.response.headers["Guardian-Decision"] == "blocked"
        assert "Access-Control-Allow-Origin" not in other.response.headers


async def test_the_servers_own_answers_are_left_as_they_are(tmp_path):
    with alone(Both, config(tmp_path, "")) as both:
        allowed = gift(5, origin=PAGE)
        await both.request(allowed)
        assert allowed.response is None  # forwarded
        allowed.response = tutils.tresp(headers=((b"content-type", b"application/json"),))
        both.enforcement.response(allowed)
        both.cors.response(allowed)
    assert "Access-Control-Allow-Origin" not in allowed.response.headers
    assert not allowed.metadata.get(flows.ANSWERED)


async def test_a_preflight_is_answered_only_for_a_request_that_will_be_refused(tmp_path):
    with alone(Both, config(tmp_path, '[child.caps]\nday = "40"\n')) as both:
        first = preflight()
        await both.request(first)
        assert first.response is None  # purchases are possible: the app's server answers, as always
        await both.request(gift(40, origin=PAGE))  # the day's 40 spent
        cap_reached = preflight()
        await both.request(cap_reached)
        elsewhere = preflight(path="/xlive/web-room/v1/index/getInfoByRoom", method="GET")
        await both.request(elsewhere)
        foreign = preflight(origin="https://evil.example")
        await both.request(foreign)
        other_method = preflight(method="DELETE")
        await both.request(other_method)
        ordinary = flow(
            "OPTIONS", "news.example", "/", origin="https://news.example", access_control_request_method="PUT"
        )
        await both.request(ordinary)
    answered = cap_reached.response
    assert answered.status_code == 204 and answered.headers["Guardian-Reason"] == "day-cap"
    assert answered.headers["Access-Control-Allow-Origin"] == PAGE
    assert answered.headers["Access-Control-Allow-Methods"] == "POST"
    assert answered.headers["Access-Control-Allow-Headers"] == "content-type"
    # Not a payment endpoint, another site's page, a method no rule takes, not an app: the server answers.
    for forwarded in (elsewhere, foreign, other_method, ordinary):
        assert forwarded.response is None


@pytest.mark.parametrize("path", [SEND, "/xlive/web-room/v1/index/getInfoByRoom"])
async def test_every_preflight_to_a_closed_app_is_answered_so_its_refusal_can_be_read(tmp_path, path: str):
    closed = config(tmp_path, f'[child.windows.apps]\nbilibili = ["{closed_window()}"]\n')
    with alone(Both, closed) as both:
        asked = preflight(path=path)
        await both.request(asked)
        real = gift(1, origin=PAGE)
        await both.request(real)
    assert asked.response.status_code == 204 and asked.response.headers["Guardian-Reason"] == "app-window"
    assert real.response.headers["Guardian-Reason"] == "app-window"
    assert real.response.headers["Access-Control-Allow-Origin"] == PAGE


async def test_ordinary_traffic_gets_nothing_from_the_cors_addon(tmp_path):
    with alone(Cors, config(tmp_path, "")) as cors:
        ordinary = flow("GET", "news.example", "/")
        assert cors.request(ordinary) is None
        assert ordinary.response is None and ordinary.metadata == {}
