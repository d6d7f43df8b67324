"""The runtime the addons share: the config loaded and followed, one database thread, failures logged."""

from __future__ import annotations

import logging
import threading

import pytest
from mitmproxy import exceptions
from mitmproxy.test import taddons

from addons.runtime import Runtime
from guardian.setup import devices_seen
from guardian.store.db import connect
from tests.addons.test_holding import wait_for
from tests.conftest import household_config
from tests.support.one_addon import write_config


def test_a_bad_config_is_an_options_error_naming_the_key(tmp_path):
    path = tmp_path / "guardian.toml"
    path.write_text(household_config('[child.caps]\nper_minute = "three"\n'), encoding="utf-8")
    runtime = Runtime()
    with taddons.context(runtime) as tctx:
        with pytest.raises(exceptions.OptionsError, match=r"child\[0\]\.caps\.per_minute"):
            tctx.configure(runtime, guardian_config=str(path))
    runtime.done()


async def test_a_saved_change_replaces_the_guard_keeps_the_ledger_and_tells_the_listeners(tmp_path):
    config = write_config(tmp_path, '[child.caps]\nday = "50"\n')
    runtime = Runtime()
    told: list[str] = []

    async def listener() -> None:
        told.append(str(runtime.guard.config.children[0].caps.day))

    runtime.reloaded.append(listener)
    with taddons.context(runtime) as tctx:
        tctx.configure(runtime, guardian_config=str(config), guardian_reload_seconds=1)
        first = runtime.guard
        runtime.running()
        config.write_text(config.read_text(encoding="utf-8").replace('day = "50"', 'day = "20"'), encoding="utf-8")
        await wait_for(lambda: told)
        assert told == ["20.00 CNY"] and runtime.guard is not first
        assert runtime.guard.ledger is first.ledger and runtime.guard.prices is first.prices
        config.write_text("[household\n", encoding="utf-8")  # a bad edit: the last good config stays
        await wait_for(lambda: runtime.follower.error is not None)
        assert told == ["20.00 CNY"] and str(runtime.guard.config.children[0].caps.day) == "20.00 CNY"
        runtime.done()


async def test_database_work_runs_on_the_one_database_thread_and_failures_are_logged(tmp_path, caplog):
    runtime = Runtime()
    with taddons.context(runtime) as tctx:
        tctx.configure(runtime, guardian_config=str(write_config(tmp_path, "")))
        names = {await runtime.call(lambda: threading.current_thread().name) for _ in range(3)}
        assert len(names) == 1 and names.pop().startswith("guardian-db")

        def fail() -> None:
            raise RuntimeError("disk full")

        with caplog.at_level(logging.ERROR, logger="addons.runtime"):
            await runtime.attempt(fail, what="save something")
            runtime.submit(fail, what="save something else").exception(timeout=5)
            await runtime.call(lambda: None)  # the failure is reported once the queue has moved on
        assert [r.getMessage() for r in caplog.records] == [
            "Guardian could not save something",
            "Guardian could not save something else",
        ]
        runtime.record_seen({"192.168.1.7": 1_700_000_000.0})
        runtime.done()
    with pytest.raises(RuntimeError):  # done closed the database thread
        runtime.db.submit(print)
    conn = connect(tmp_path / "guardian.db")
    assert set(devices_seen.last_seen(conn)) == {"192.168.1.7"}
    conn.close()
