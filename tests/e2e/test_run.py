"""`guardian run`, the README's first command: the proxy and the dashboard from one command, stopped together."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e
GUARDIAN = Path(sys.executable).parent / "guardian"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proxy: str | None = None, timeout: float = 30) -> httpx.Response:
    end = time.monotonic() + timeout
    while True:
        try:
            with httpx.Client(proxy=proxy, trust_env=False, timeout=5) as c:
                return c.get(url)
        except httpx.TransportError:
            if time.monotonic() > end:
                raise
            time.sleep(0.2)


def test_guardian_run_starts_proxy_and_dashboard_with_the_default_config(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    proxy_port, board_port = free_port(), free_port()
    # The first run writes the default config; give it our ports by writing it first from the template.
    from guardian.household.home import default_config_text

    config = home / "guardian.toml"
    config.write_text(
        default_config_text()
        .replace('listen = "127.0.0.1:8080"', f'listen = "127.0.0.1:{proxy_port}"')
        .replace('listen = "127.0.0.1:8765"', f'listen = "127.0.0.1:{board_port}"')
    )
    env = {**os.environ, "GUARDIAN_HOME": str(home)}
    env.pop("GUARDIAN_CONFIG", None)
    run = subprocess.Popen([str(GUARDIAN), "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        board = wait_for(f"http://127.0.0.1:{board_port}/")
        assert board.status_code == 302 and board.headers["location"].endswith("/setup")  # first use: set a password
        cert_page = wait_for("http://mitm.it/", proxy=f"http://127.0.0.1:{proxy_port}")
        assert cert_page.status_code == 200 and "mitmproxy" in cert_page.text.lower()
        # The default child owns unlisted devices; purchases outside its window are refused.
        with httpx.Client(proxy=f"http://127.0.0.1:{proxy_port}", trust_env=False, timeout=10) as c:
            r = c.post(
                "http://api.live.bilibili.com/xlive/revenue/v1/gift/sendGold", data={"price": "100000", "gift_num": "1"}
            )
        assert r.headers["Guardian-Decision"] == "blocked"
        assert r.headers["Guardian-Reason"] in ("purchase-window", "per-purchase")
    finally:
        run.send_signal(signal.SIGTERM)
        out, _ = run.communicate(timeout=30)
    assert "Parents' dashboard: http://127.0.0.1:" in out
    assert re.search(r"setup code [A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4} \(also in .*setup-code", out), out
    assert (home / "mitmproxy" / "mitmproxy-ca-cert.pem").exists()  # the CA lives in the data directory
    with pytest.raises(httpx.TransportError):  # both children stopped with it
        httpx.get(f"http://127.0.0.1:{board_port}/", timeout=2)
