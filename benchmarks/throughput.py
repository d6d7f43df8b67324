"""Ordinary-request throughput through bare mitmdump and through mitmdump with Guardian, side by side.

    .venv/bin/python benchmarks/throughput.py [--seconds 5] [--rounds 3] [--connections 4]

Everything runs on 127.0.0.1: a small keep-alive HTTP origin, one mitmdump per
configuration, and client threads sending plain GETs through the proxy. The
configurations alternate round by round so drift hits both alike; the result
is the ratio of the medians, printed with the raw figures.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MITMDUMP = Path(sys.executable).parent / "mitmdump"
READY = re.compile(r"listening at 127\.0\.0\.1:(\d+)")
CONFIG = """
[household]
unknown_devices = "Kid"
[storage]
path = "bench.db"
[[child]]
name = "Kid"
devices = ["127.0.0.1"]
[child.caps]
day = "50"
"""


class Origin(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    body = b"x" * 512

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def start_proxy(extra: list[str], workdir: Path) -> tuple[subprocess.Popen, int]:
    cmd = [str(MITMDUMP), "--listen-host", "127.0.0.1", "--listen-port", "0", "--set", f"confdir={workdir / 'mitm'}",
           "--set", "flow_detail=0", "--set", "termlog_verbosity=warn", *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # termlog at warn hides the listening line; find the port from the socket table instead.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if f"pid={proc.pid}," in line:
                return proc, int(line.split()[3].rsplit(":", 1)[1])
        if proc.poll() is not None:
            raise RuntimeError(proc.stdout.read())
        time.sleep(0.1)
    raise RuntimeError("mitmdump did not start")


def load(proxy_port: int, origin_port: int, seconds: float, connections: int) -> float:
    request = f"GET http://127.0.0.1:{origin_port}/page HTTP/1.1\r\nHost: 127.0.0.1:{origin_port}\r\n\r\n".encode()
    counts = [0] * connections
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        with socket.create_connection(("127.0.0.1", proxy_port)) as s:
            f = s.makefile("rb")
            while time.monotonic() < stop:
                s.sendall(request)
                length = 0
                while (line := f.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                f.read(length)
                counts[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=4)
    args = ap.parse_args()
    origin = ThreadingHTTPServer(("127.0.0.1", 0), Origin)
    origin.daemon_threads = True
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "guardian.toml").write_text(CONFIG)
        configs = {
            "bare mitmdump": [],
            "mitmdump + Guardian": ["-s", str(ROOT / "addons" / "guardian_addon.py"), "--set", f"guardian_config={work / 'guardian.toml'}"],
        }
        results: dict[str, list[float]] = {name: [] for name in configs}
        for _ in range(args.rounds):
            for name, extra in configs.items():
                proc, port = start_proxy(extra, work)
                try:
                    load(port, origin.server_address[1], 1, args.connections)  # warm-up
                    results[name].append(load(port, origin.server_address[1], args.seconds, args.connections))
                finally:
                    proc.terminate()
                    proc.wait(10)
    origin.shutdown()
    print(f"ordinary HTTP GETs, {args.connections} keep-alive connections, {args.rounds} rounds of {args.seconds:g} s")
    for name, runs in results.items():
        print(f"  {name:22} median {statistics.median(runs):7.0f} req/s   runs: {', '.join(f'{r:.0f}' for r in runs)}")
    base = statistics.median(results["bare mitmdump"])
    print(f"  ratio Guardian / bare: {statistics.median(results['mitmdump + Guardian']) / base:.3f}")


if __name__ == "__main__":
    main()
