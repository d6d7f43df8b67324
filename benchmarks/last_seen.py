"""What recording last-seen times costs in the request hook, for an ordinary (non-app) request.

    .venv/bin/python benchmarks/last_seen.py [--calls 200000]

Times Guardian's last-seen `request` hook (addons/devices.py) on an ordinary flow with last-seen recording on,
and with it off (the map full, so only the size check runs), alternating rounds;
prints microseconds per call and the difference.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from mitmproxy.proxy.mode_specs import ProxyMode
from mitmproxy.test import taddons, tflow

ROOT = Path(__file__).resolve().parents[1]


def per_call(hook, flow, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        hook(flow)
    return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "guardian.toml"
        config.write_text('[household]\nunknown_devices = "allow"\n[[child]]\nname = "Kid"\ndevices = ["127.0.0.1"]\n')
        os.environ["GUARDIAN_CONFIG"] = str(config)
        with taddons.context() as tctx:
            script = tctx.script(str(ROOT / "addons" / "guardian_addon.py"))
            tctx.configure(script)
            addon = script.devices
            module = addon.request.__func__.__globals__  # addons/devices.py, which holds MAX_SEEN
            regular = tflow.tflow()
            phone = tflow.tflow()
            phone.client_conn.proxy_mode = ProxyMode.parse(f"wireguard:{tmp}/wireguard/kid-phone.conf@51821")
            for name, flow in (("regular proxy", regular), ("wireguard tunnel", phone)):
                on, off = [], []
                for _ in range(args.rounds):
                    module["MAX_SEEN"] = 4096
                    on.append(per_call(addon.request, flow, args.calls))
                    module["MAX_SEEN"] = 0
                    off.append(per_call(addon.request, flow, args.calls))
                a, b = min(on), min(off)  # the least disturbed round: the machine is shared
                print(
                    f"{name:17} with last-seen {a:.3f} µs/call, without {b:.3f} µs/call, cost {a - b:+.3f} µs "
                    f"({a / b:.2f}x)"
                )
            for each in (script.devices, script.runtime):  # the ones with a `done`
                each.done()


if __name__ == "__main__":
    main()
