"""`guardian run`, the README's first command: the proxy and the dashboard from one command, stopped together."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from guardian.setup import wireguard
from tests.conftest import household_config

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


def test_a_running_guardian_keeps_keys_and_connections_out_of_its_log_and_a_second_one_says_where(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    proxy_port, board_port = free_port(), free_port()
    config = home / "guardian.toml"
    config.write_text(
        household_config()
        + f'[proxy]\nlisten = "127.0.0.1:{proxy_port}"\n[dashboard]\nlisten = "127.0.0.1:{board_port}"\n'
    )
    env = {**os.environ, "GUARDIAN_HOME": str(home), "LANGUAGE": "en"}
    env.pop("GUARDIAN_CONFIG", None)
    first = subprocess.Popen(
        [str(GUARDIAN), "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    log: list[str] = []
    pump = threading.Thread(target=lambda: log.extend(first.stdout), daemon=True)
    pump.start()
    try:
        wait_for(f"http://127.0.0.1:{board_port}/")
        for _ in range(3):  # connections come and go: none of them is a line in the log
            assert wait_for("http://mitm.it/", proxy=f"http://127.0.0.1:{proxy_port}").status_code == 200
        added = subprocess.run(
            [str(GUARDIAN), "phone", "add", "--host", "192.168.1.10", "Mia", "mia-phone"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert added.returncode == 0, added.stderr
        end = time.monotonic() + 20  # the proxy follows the config and starts the phone's listener
        while "WireGuard server listening" not in "".join(log) and time.monotonic() < end:
            time.sleep(0.2)
        second = subprocess.run([str(GUARDIAN), "run"], env=env, capture_output=True, text=True, timeout=60)
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)
        pump.join(10)
        first.stdout.close()
    out = "".join(log)
    assert "WireGuard server listening" in out, out
    tunnel = wireguard.read(wireguard.folder(config) / "mia-phone.conf")
    for secret in (tunnel.client_key, tunnel.server_key):
        assert secret not in out and secret not in added.stdout + added.stderr
    assert "Endpoint = 0.0.0.0" not in out and f"Endpoint = 192.168.1.10:{tunnel.port}" in added.stdout
    assert "client connect" not in out and "client disconnect" not in out
    assert second.returncode == 1 and second.stdout == ""
    assert second.stderr.splitlines() == [
        f"Error: Guardian is already running on this computer (proxy 127.0.0.1:{proxy_port}, dashboard "
        f"http://127.0.0.1:{board_port}/): the service, or another `guardian run`. Use that one, or stop it first."
    ]
    assert "Traceback" not in out


def test_guardian_mitmdump_serves_the_data_directorys_certificate_on_the_configs_address(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    (home / "guardian.toml").write_text(household_config() + f'[proxy]\nlisten = "127.0.0.1:{port}"\n')
    env = {**os.environ, "GUARDIAN_HOME": str(home)}
    env.pop("GUARDIAN_CONFIG", None)
    proxy = subprocess.Popen(
        [str(GUARDIAN), "mitmdump"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        pem = wait_for("http://mitm.it/cert/pem", proxy=f"http://127.0.0.1:{port}")
    finally:
        proxy.send_signal(signal.SIGTERM)
        out, _ = proxy.communicate(timeout=30)
    assert pem.status_code == 200
    assert pem.content == (home / "mitmproxy" / "mitmproxy-ca-cert.pem").read_bytes()  # one certificate ...
    assert f"HTTP(S) proxy listening at 127.0.0.1:{port}." in out  # ... one address
    assert not (Path.home() / ".mitmproxy").exists() or "~/.mitmproxy" not in out
