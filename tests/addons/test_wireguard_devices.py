"""Traffic on a device's WireGuard listener belongs to that device's child; last-seen times are kept cheaply."""

from __future__ import annotations

from pathlib import Path

import pytest
from mitmproxy.proxy.mode_specs import ProxyMode
from mitmproxy.test import taddons, tflow

from guardian.setup import devices_seen, wireguard
from guardian.store.ledger import Ledger
from tests.addons.test_guardian_addon import done, hooks, purchase_flow, run_hook
from tests.conftest import household_config

ADDON = Path(__file__).resolve().parents[2] / "addons" / "guardian_addon.py"
# Leo's range covers 10.0.0.1, the address every phone has inside its tunnel: only the listener may decide.
CONFIG = (
    household_config('[child.caps]\nper_purchase = "30"\n').replace(
        'devices = ["127.0.0.1"]', 'devices = ["127.0.0.1", "wireguard:mia-phone"]'
    )
    + '[[child]]\nname = "Leo"\ndevices = ["10.0.0.0/8"]\n[child.caps]\nper_purchase = "100"\n'
)


@pytest.fixture
def config(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "guardian.toml"
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("GUARDIAN_CONFIG", str(path))
    return path


def purchase(yuan: int, mode: str | None):
    flow = purchase_flow(yuan, client="10.0.0.1")  # every phone is 10.0.0.1 inside its tunnel
    if mode is not None:
        flow.client_conn.proxy_mode = ProxyMode.parse(mode)
    return flow


def load(tctx):
    script = tctx.script(str(ADDON))
    tctx.configure(script)
    return script


async def test_a_purchase_through_the_phones_tunnel_is_judged_as_its_child(config: Path, tmp_path: Path):
    tunnel = wireguard.create(config, "mia-phone")
    with taddons.context() as tctx:
        guardian = load(tctx)
        through_tunnel = purchase(50, tunnel.mode())  # over Mia's 30, under Leo's 100
        await run_hook(guardian, "request", through_tunnel)
        assert (
            through_tunnel.response is not None and through_tunnel.response.headers["Guardian-Reason"] == "per-purchase"
        )
        same_address = purchase(50, None)  # the regular proxy, same address: Leo's device
        await run_hook(guardian, "request", same_address)
        assert same_address.response is None
        done(guardian)
    rows = {r.child: r for r in Ledger(tmp_path / "guardian.db").rows()}
    assert rows["Mia"].decision == "blocked" and rows["Mia"].client_ip == "wireguard:mia-phone"
    assert rows["Leo"].decision == "allowed" and rows["Leo"].client_ip == "10.0.0.1"


async def test_last_seen_is_kept_in_memory_and_written_on_done(config: Path, tmp_path: Path):
    with taddons.context() as tctx:
        guardian = load(tctx)
        ordinary = tflow.tflow()
        ordinary.client_conn.peername = ("192.168.1.7", 1)
        assert [hook(ordinary) for hook in hooks(guardian, "request")] == [None] * 4
        phone = tflow.tflow()
        phone.client_conn.proxy_mode = ProxyMode.parse(f"wireguard:{tmp_path / 'wireguard' / 'mia-phone.conf'}@51821")
        guardian.devices.client_connected(phone.client_conn)
        assert set(guardian.devices.seen) == {"192.168.1.7", "wireguard:mia-phone"}
        assert not (tmp_path / "guardian.db").exists() or _seen_rows(tmp_path / "guardian.db") == 0
        done(guardian)
    seen = devices_seen.last_seen(Ledger(tmp_path / "guardian.db").conn)
    assert set(seen) == {"192.168.1.7", "wireguard:mia-phone"}


def _seen_rows(db: Path) -> int:
    return Ledger(db).conn.execute("SELECT COUNT(*) FROM devices_seen").fetchone()[0]
