"""Latency of unrelated requests while purchases are held for a parent, against none held.

    .venv/bin/python benchmarks/holding.py [--requests 500] [--held 10]

One mitmdump with Guardian (every Bilibili gift asks a parent, held up to
300 s) and a small keep-alive HTTP origin, all on 127.0.0.1; the test
routing addon sends every upstream connection to the origin, so nothing
leaves the machine. Phases: ordinary GETs with no purchase held, then the
same with `--held` purchases held (each polling the database), then none
again. The held purchases are denied at the end. Prints median and 95th
percentile latency per phase and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.traffic import MITMDUMP, Origin  # noqa: E402
from guardian.store import approvals  # noqa: E402
from guardian.store.db import connect  # noqa: E402

CONFIG = """
[storage]
path = "bench.db"
[[child]]
name = "Kid"
devices = ["127.0.0.1"]
[child.ask]
apps = ["bilibili"]
wait = 300
"""
GIFT = (
    "POST http://api.live.bilibili.com/xlive/revenue/v2/gift/sendGoldMultiUser?price={price}&gift_num=1&ruid=5 "
    "HTTP/1.1\r\n"
    "Host: api.live.bilibili.com\r\nContent-Length: 0\r\n\r\n"
)


def start_proxy(work: Path, origin_port: int):
    import subprocess

    cmd = [
        str(MITMDUMP),
        "--listen-host",
        "127.0.0.1",
        "--listen-port",
        "0",
        "--set",
        f"confdir={work / 'mitm'}",
        "--set",
        "flow_detail=0",
        "-s",
        str(ROOT / "tests" / "support" / "route_addon.py"),
        "--set",
        f"test_http_upstream={origin_port}",
        "-s",
        str(ROOT / "addons" / "guardian_addon.py"),
        "--set",
        f"guardian_config={work / 'guardian.toml'}",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        if "listening at 127.0.0.1:" in line:
            port = int(line.rsplit(":", 1)[1].rstrip(".\n"))
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            return proc, port
    raise RuntimeError("mitmdump did not start")


def latencies(proxy_port: int, origin_port: int, count: int) -> list[float]:
    request = f"GET http://127.0.0.1:{origin_port}/page HTTP/1.1\r\nHost: 127.0.0.1:{origin_port}\r\n\r\n".encode()
    out = []
    with socket.create_connection(("127.0.0.1", proxy_port)) as s:
        f = s.makefile("rb")
        for _ in range(count):
            start = time.perf_counter()
            s.sendall(request)
            length = 0
            while (line := f.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            f.read(length)
            out.append(time.perf_counter() - start)
    return out


def pending_count(db: Path) -> int:
    conn = connect(db)
    try:
        return len(approvals.pending(conn))
    finally:
        conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--held", type=int, default=10)
    args = ap.parse_args()
    origin = ThreadingHTTPServer(("127.0.0.1", 0), Origin)
    origin.daemon_threads = True
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    origin_port = origin.server_address[1]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "guardian.toml").write_text(CONFIG)
        proc, port = start_proxy(work, origin_port)
        held: list[socket.socket] = []
        try:
            latencies(port, origin_port, 50)  # warm-up
            phases = {"none held": latencies(port, origin_port, args.requests)}
            for i in range(args.held):  # different amounts: each is its own question to the parent
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(GIFT.format(price=1000 * (i + 1)).encode())
                held.append(s)
            deadline = time.monotonic() + 30
            while pending_count(work / "bench.db") < args.held:
                if time.monotonic() > deadline:
                    raise RuntimeError("the purchases were not held")
                time.sleep(0.05)
            phases[f"{args.held} held"] = latencies(port, origin_port, args.requests)
            still = pending_count(work / "bench.db")
            conn = connect(work / "bench.db")
            for a in approvals.pending(conn):
                approvals.decide(conn, a.id, False, "bench", "benchmark", int(datetime.now(UTC).timestamp() * 1000))
            conn.close()
            for s in held:
                s.settimeout(10)
                answer = s.recv(4096)
                assert b"parent-denied" in answer, answer[:200]
            phases["none held again"] = latencies(port, origin_port, args.requests)
        finally:
            for s in held:
                s.close()
            proc.terminate()
            proc.wait(10)
    origin.shutdown()
    print(f"ordinary HTTP GETs through mitmdump + Guardian, {args.requests} sequential requests per phase, one run")
    print(f"  purchases still held at the end of the held phase: {still} of {args.held}")
    medians = {}
    for name, runs in phases.items():
        ms = sorted(r * 1000 for r in runs)
        medians[name] = statistics.median(ms)
        print(f"  {name:16} median {medians[name]:.3f} ms   p95 {ms[int(len(ms) * 0.95)]:.3f} ms")
    held_name = f"{args.held} held"
    print(f"  ratio {held_name} / none held: {medians[held_name] / medians['none held']:.3f}")


if __name__ == "__main__":
    main()
