"""The real dashboard process (`python -m dashboard.serve`: waitress plus the scheduled jobs)
and a headless Chromium."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Dashboard:
    config: Path
    port: int
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    output: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20) -> Dashboard:
        env = {**os.environ, **self.env, "GUARDIAN_CONFIG": str(self.config), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dashboard.serve"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=Path(__file__).resolve().parents[2],
        )
        ready = threading.Event()

        def pump() -> None:
            assert self.process is not None and self.process.stdout is not None
            for line in self.process.stdout:
                self.output.append(line)
                if "Serving on" in line or "Guardian dashboard on" in line:
                    ready.set()
            ready.set()

        self._pump = threading.Thread(target=pump, daemon=True)
        self._pump.start()
        end = time.monotonic() + timeout
        while time.monotonic() < end and self.process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("the dashboard did not start:\n" + "".join(self.output))

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._pump.join(10)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def log(self) -> str:
        return "".join(self.output)

    def setup_code(self, timeout: float = 15) -> str:
        """The one-time code for the first password, as the dashboard printed it in its log."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            found = re.search(r"setup code ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})", self.log())
            if found:
                return found.group(1)
            time.sleep(0.05)
        raise AssertionError("the dashboard printed no setup code:\n" + self.log())

    def choose_password(self, page, password: str) -> None:
        """First run in a browser page: the setup form with the printed code, landing on Live."""
        if not page.url.endswith("/setup"):
            page.goto(self.url + "/setup")
        page.fill("input[name=code]", self.setup_code())
        page.fill("input[name=password]", password)
        page.fill("input[name=confirm]", password)
        page.click("button[type=submit]")
        page.wait_for_url(self.url + "/")
