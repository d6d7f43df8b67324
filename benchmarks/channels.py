"""Time from a held purchase to the parent's phone: the question's message at a local ntfy server.

    .venv/bin/python benchmarks/channels.py [--questions 100]

mitmdump with Guardian (every Bilibili gift asks a parent, held up to 25 s),
the dashboard process (`python -m dashboard.serve`: its job sends to the
phones four times a second, through apprise), and a fake ntfy server, all on
127.0.0.1. One question at a time: the gift is sent, the clock runs until the
ntfy server has the message naming that question, then the parent's "no"
(through the core, as the dashboard gives it) lets the held request go. Prints
p50, p90, p99 and the worst of the delays. This is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.holding import GIFT, start_proxy  # noqa: E402
from benchmarks.traffic import Origin  # noqa: E402
from guardian.notify import addressbook, addresses  # noqa: E402
from guardian.store import approvals  # noqa: E402
from guardian.store.db import connect  # noqa: E402
from tests.support.channels import Endpoint, free_port  # noqa: E402

CONFIG = """
[household]
language = "en"
[storage]
path = "bench.db"
[dashboard]
listen = "127.0.0.1:{port}"
[notifications]
escalate_after = 0
[[notifications.channel]]
id = "phone"
kind = "ntfy"
events = ["questions"]
per_minute = 1000
per_day = 100000
[[child]]
name = "Kid"
devices = ["127.0.0.1"]
[child.ask]
apps = ["bilibili"]
wait = 25
"""


def start_dashboard(config: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "GUARDIAN_CONFIG": str(config), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the dashboard did not start")


def wait_for(check, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.002)
    raise RuntimeError("timed out")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=int, default=100)
    args = ap.parse_args()
    origin = ThreadingHTTPServer(("127.0.0.1", 0), Origin)
    origin.daemon_threads = True
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    ntfy = Endpoint("ntfy", secret="tk_benchmark12345").start()
    delays: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        port = free_port()
        (work / "guardian.toml").write_text(CONFIG.format(port=port))
        address = addresses.parse("ntfy", f"{ntfy.base}/phone-topic", ntfy.secret)
        addressbook.put(work / addressbook.NAME, "phone", address)
        proxy, proxy_port = start_proxy(work, origin.server_address[1])
        dashboard = start_dashboard(work / "guardian.toml", port)
        db = work / "bench.db"
        try:
            for i in range(args.questions):
                s = socket.create_connection(("127.0.0.1", proxy_port))
                start = time.time()
                s.sendall(GIFT.format(price=1000 * (i + 1)).encode())
                conn = wait_for(lambda: db.exists() and connect(db))
                [asked] = wait_for(lambda c=conn: approvals.pending(c))
                mark = f"Question #{asked.id}"
                got = wait_for(lambda m=mark: next((r for r in list(ntfy.received) if m in r.text), None))
                delays.append(got.at - start)
                now = int(datetime.now(UTC).timestamp() * 1000)
                approvals.decide(conn, asked.id, False, "bench", "benchmark", now)
                conn.close()
                s.settimeout(30)
                assert b"parent-denied" in s.recv(4096)
                s.close()
        finally:
            dashboard.terminate()
            dashboard.wait(10)
            proxy.terminate()
            proxy.wait(10)
    origin.shutdown()
    ntfy.stop()
    ms = sorted(d * 1000 for d in delays)

    def pct(p: float) -> float:
        return ms[min(len(ms) - 1, int(len(ms) * p))]

    print(f"held purchase -> its question at a local ntfy server, {len(ms)} questions, one at a time")
    print(
        f"  p50 {statistics.median(ms):.0f} ms   p90 {pct(0.9):.0f} ms   p99 {pct(0.99):.0f} ms   worst {ms[-1]:.0f} ms"
    )
    print("  (the dashboard's job looks for new notifications four times a second)")


if __name__ == "__main__":
    main()
