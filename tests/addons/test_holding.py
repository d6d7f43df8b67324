"""The addon holds one purchase for a parent while other flows go on (mitmproxy's taddons and tflow)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from mitmproxy.test import taddons, tflow

from guardian.store import approvals
from guardian.store.db import connect
from tests.addons.test_guardian_addon import done, load, purchase_flow, run_hook
from tests.conftest import household_config


async def wait_for(predicate, timeout: float = 10) -> None:
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


def pending(db):
    conn = connect(db)
    try:
        return approvals.pending(conn)
    finally:
        conn.close()


async def test_a_held_purchase_waits_alone_and_goes_on_when_approved(tmp_path, monkeypatch):
    config = tmp_path / "guardian.toml"
    config.write_text(household_config('[child.ask]\nover = "20"\nwait = 30\n'), encoding="utf-8")
    monkeypatch.setenv("GUARDIAN_CONFIG", str(config))
    db = tmp_path / "guardian.db"
    with taddons.context() as tctx:
        guardian = load(tctx, config)
        held = purchase_flow(25)
        held.client_conn.timestamp_end = None  # tflow's client has hung up; this child is still waiting
        task = asyncio.create_task(run_hook(guardian, "request", held))
        await wait_for(lambda: bool(db.exists() and pending(db)))
        # While it is held: an ordinary flow and a small purchase are answered at once.
        ordinary = tflow.tflow()
        assert guardian.enforcement.request(ordinary) is None and ordinary.response is None
        small = purchase_flow(5)
        await run_hook(guardian, "request", small)
        assert small.response is None and "guardian" in small.metadata
        assert not task.done() and held.response is None
        [question] = pending(db)
        conn = connect(db)
        approvals.decide(conn, question.id, True, "mum", "test", int(datetime.now(UTC).timestamp() * 1000))
        conn.close()
        await asyncio.wait_for(task, 5)
        assert held.response is None  # forwarded to the app
        assert "guardian" in held.metadata  # recorded as allowed; the response hook settles it
        done(guardian)


async def test_a_held_purchase_without_an_answer_is_refused_saying_a_parent_was_asked(tmp_path, monkeypatch):
    config = tmp_path / "guardian.toml"
    config.write_text(household_config('[child.ask]\nover = "20"\nwait = 1\n'), encoding="utf-8")
    monkeypatch.setenv("GUARDIAN_CONFIG", str(config))
    with taddons.context() as tctx:
        guardian = load(tctx, config)
        flow = purchase_flow(25)
        flow.client_conn.timestamp_end = None
        await run_hook(guardian, "request", flow)
        assert flow.response is not None and flow.response.headers["Guardian-Reason"] == "waiting-for-parent"
        assert "A parent has been asked" in flow.response.json()["message"]
        assert [q.amount for q in pending(tmp_path / "guardian.db")] == ["25"]
        done(guardian)


async def test_a_child_that_hung_up_is_not_held(tmp_path, monkeypatch):
    config = tmp_path / "guardian.toml"
    config.write_text(household_config('[child.ask]\nover = "20"\nwait = 30\n'), encoding="utf-8")
    monkeypatch.setenv("GUARDIAN_CONFIG", str(config))
    with taddons.context() as tctx:
        guardian = load(tctx, config)
        gone = purchase_flow(25)
        assert gone.client_conn.timestamp_end is not None
        await asyncio.wait_for(run_hook(guardian, "request", gone), 5)  # not 30 s
        assert gone.response.headers["Guardian-Reason"] == "waiting-for-parent"
        assert len(pending(tmp_path / "guardian.db")) == 1  # the question stays with the parent
        done(guardian)
