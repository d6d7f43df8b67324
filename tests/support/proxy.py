"""A real `mitmdump` subprocess with Guardian's addon, routed to the fake app servers."""

from __future__ import annotations

import re
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
ADDON = ROOT / "addons" / "guardian_addon.py"
ROUTE = Path(__file__).resolve().parent / "route_addon.py"
MITMDUMP = Path(sys.executable).parent / "mitmdump"
READY = re.compile(r"HTTP\(S\) proxy listening at 127\.0\.0\.1:(\d+)")


@dataclass
class Proxy:
    config: Path
    confdir: Path
    apps_ca: Path
    https_upstream: int
    http_upstream: int
    extra: list[str] = field(default_factory=list)
    port: int = 0
    wrap: list[str] = field(default_factory=list)  # a command prefix, e.g. to run as another account
    process: subprocess.Popen | None = None
    output: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ca(self) -> Path:
        return self.confdir / "mitmproxy-ca-cert.pem"

    def start(self, timeout: float = 20) -> Proxy:
        cmd = [
            str(MITMDUMP),
            "--listen-host",
            "127.0.0.1",
            "--listen-port",
            str(self.port),
            "--set",
            f"confdir={self.confdir}",
            "--set",
            "flow_detail=0",
            "--set",
            f"ssl_verify_upstream_trusted_ca={self.apps_ca}",
            "-s",
            str(ROUTE),
            "--set",
            f"test_https_upstream={self.https_upstream}",
            "--set",
            f"test_http_upstream={self.http_upstream}",
            "-s",
            str(ADDON),
            "--set",
            f"guardian_config={self.config}",
            "--set",
            "guardian_reload_seconds=1",
            *self.extra,
        ]
        self.output = []
        self.process = subprocess.Popen([*self.wrap, *cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ready = threading.Event()
        seen = {"listening": False, "enforcing": False}

        def pump() -> None:
            # Ready once the proxy listens and the addon has loaded its config; mitmdump prints
            # the listening line even when a script failed and it is about to exit.
            assert self.process is not None and self.process.stdout is not None
            for line in self.process.stdout:
                self.output.append(line)
                m = READY.search(line)
                if m:
                    self.port = int(m.group(1))
                    seen["listening"] = True
                seen["enforcing"] = seen["enforcing"] or "Guardian enforcing" in line
                if all(seen.values()):
                    ready.set()
            ready.set()

        self._pump = threading.Thread(target=pump, daemon=True)
        self._pump.start()
        if not ready.wait(timeout) or not all(seen.values()) or self.process.poll() is not None:
            self.stop()
            raise RuntimeError("mitmdump did not start:\n" + "".join(self.output))
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._reap()

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.process is not None:
            self.process.kill()
        self._reap()

    def _reap(self) -> None:
        if self.process is None:
            return
        self.process.wait(10)
        self._pump.join(10)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def restart(self) -> Proxy:
        """Stop and start again on the same port, with the same config and ledger."""
        self.stop()
        return self.start()

    def log(self) -> str:
        return "".join(self.output)

    def wait_for_log(self, text: str, timeout: float = 10) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in self.log():
                return True
            time.sleep(0.05)
        return False

    def client(self, **kwargs: object) -> httpx.Client:
        """A real HTTPS client that trusts Guardian's CA and goes through the proxy."""
        return httpx.Client(
            proxy=self.url,
            verify=ssl.create_default_context(cafile=str(self.ca)),
            trust_env=False,
            timeout=kwargs.pop("timeout", 30),
            **kwargs,
        )
