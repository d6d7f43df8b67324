"""The addon script as `mitmdump -s` loads it, with mitmproxy's own test helpers (taddons, tflow)."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest
from mitmproxy.test import taddons, tflow, tutils

from guardian.store.ledger import Ledger
from tests.conftest import closed_window, household_config

ADDON = Path(__file__).resolve().parents[2] / "addons" / "guardian_addon.py"
CAPS = '[child.caps]\nper_purchase = "30"\nday = "50"\n'


def purchase_flow(yuan: int, client: str = "127.0.0.1"):
    flow = tflow.tflow()
    flow.client_conn.peername = (client, 50000)
    flow.request = tutils.treq(
        method=b"POST",
        host="api.live.bilibili.com",
        port=443,
        scheme=b"https",
        path=f"/xlive/revenue/v2/gift/sendGoldMultiUser?price={yuan * 1000}&gift_num=1&ruid=5".encode(),
        authority=b"api.live.bilibili.com",
        headers=((b"host", b"api.live.bilibili.com"),),
        content=b"",
    )
    return flow


def hooks(script, name: str) -> list:
    """Hook `name` of each of the script's addons that has one, in the order mitmproxy calls them."""
    return [getattr(a, name) for a in script.addons if hasattr(a, name)]


async def run_hook(script, name, *args):
    """Run a hook as mitmproxy does: each addon's in order, awaiting any coroutine before the next."""
    for hook in hooks(script, name):
        result = hook(*args)
        if inspect.isawaitable(result):
            await result


def done(script) -> None:
    for hook in hooks(script, "done"):
        hook()


@pytest.fixture
def config(tmp_path: Path):
    path = tmp_path / "guardian.toml"
    path.write_text(household_config(CAPS), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("GUARDIAN_CONFIG", str(tmp_path / "guardian.toml"))


def load(tctx, config: Path):
    """Load the script as `mitmdump -s` does (the config found through GUARDIAN_CONFIG) and return its module."""
    assert config == Path(__import__("os").environ["GUARDIAN_CONFIG"])
    script = tctx.script(str(ADDON))
    tctx.configure(script)
    return script


async def test_ordinary_requests_get_no_coroutine_and_no_change(config):
    with taddons.context() as tctx:
        guardian = load(tctx, config)
        flow = tflow.tflow()  # address.com
        assert [hook(flow) for hook in hooks(guardian, "request")] == [None] * 4  # the fast path: no coroutine
        assert flow.response is None
        done(guardian)


async def test_purchase_over_the_cap_is_answered_by_the_proxy(config, tmp_path):
    with taddons.context() as tctx:
        guardian = load(tctx, config)
        flow = purchase_flow(31)
        await run_hook(guardian, "request", flow)
        assert flow.response is not None and flow.response.status_code == 200
        assert flow.response.headers["Guardian-Reason"] == "per-purchase"
        assert flow.response.json()["code"] == 200013
        allowed = purchase_flow(10)
        await run_hook(guardian, "request", allowed)
        assert allowed.response is None
        allowed.response = tutils.tresp(content=b'{"code": 0}')
        await run_hook(guardian, "response", allowed)
        assert allowed.response.headers["Guardian-Decision"] == "allowed"
        done(guardian)
    [row] = [r for r in Ledger(tmp_path / "guardian.db").rows() if r.decision == "allowed"]
    assert (row.amount, row.outcome) == ("10", "accepted")


async def test_a_crash_while_reading_a_payment_fails_closed(config, monkeypatch):
    with taddons.context() as tctx:
        guardian = load(tctx, config)
        guard = guardian.runtime.guard

        def explode(request):
            raise RuntimeError("bug")

        monkeypatch.setattr(guard, "detect", explode)
        flow = purchase_flow(1)
        await run_hook(guardian, "request", flow)
        assert flow.response is not None and flow.response.headers["Guardian-Reason"] == "unreadable"
        ordinary = tflow.tflow()
        await run_hook(guardian, "request", ordinary)
        assert ordinary.response is None
        done(guardian)


async def test_connect_to_an_app_outside_its_window_is_refused(tmp_path):
    path = tmp_path / "guardian.toml"
    path.write_text(household_config(f'[child.windows.apps]\nbilibili = ["{closed_window()}"]\n'), encoding="utf-8")
    with taddons.context() as tctx:
        guardian = load(tctx, path)
        connect = tflow.tflow()
        connect.request = tutils.treq(
            method=b"CONNECT", host="api.live.bilibili.com", port=443, path=b"", authority=b"api.live.bilibili.com:443"
        )
        connect.client_conn.peername = ("127.0.0.1", 1)
        guardian.host_control.http_connect(connect)
        assert connect.response is not None and connect.response.status_code == 403
        other = tflow.tflow()
        other.request = tutils.treq(
            method=b"CONNECT", host="example.org", port=443, path=b"", authority=b"example.org:443"
        )
        guardian.host_control.http_connect(other)
        assert other.response is None
        done(guardian)


async def test_the_config_is_followed_while_running(config):
    with taddons.context() as tctx:
        guardian = load(tctx, config)
        tctx.configure(guardian.runtime, guardian_reload_seconds=1)
        for hook in hooks(guardian, "running"):
            hook()
        config.write_text(household_config('[child.caps]\nper_purchase = "5"\n'), encoding="utf-8")
        for _ in range(40):
            if guardian.runtime.guard.config.children[0].caps.per_purchase.amount == 5:
                break
            await asyncio.sleep(0.1)
        assert str(guardian.runtime.guard.config.children[0].caps.per_purchase) == "5.00 CNY"
        done(guardian)
