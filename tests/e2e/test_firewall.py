"""The Linux firewall for real, in a network namespace of its own: as the child's uid a direct connection to a web
server on port 443 is refused, while the same request through the proxy (another uid) gets through."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from guardian.setup import firewall
from tests.support import accounts
from tests.support.dashboard import free_port

MITMDUMP = Path(sys.executable).parent / "mitmdump"


def _why_not() -> str | None:
    reason = accounts.why_not()
    if reason:
        return reason
    missing = [t for t in ("ip", "nft") if shutil.which(t) is None]
    return f"needs {', '.join(missing)} (bin/_browser.sh installs nftables)" if missing else None


pytestmark = [pytest.mark.e2e, pytest.mark.skipif(_why_not() is not None, reason=str(_why_not()))]

FETCH = """
import sys, urllib.request
proxy = sys.argv[1]
handlers = [urllib.request.ProxyHandler({"http": proxy} if proxy else {})]
try:
    with urllib.request.build_opener(*handlers).open("http://127.0.0.1:443/", timeout=5) as r:
        print("status", r.status, r.read().decode().strip())
except OSError as e:
    print("failed", e)
"""


@pytest.fixture
def netns():
    name = f"guardian-fw-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    started: list[subprocess.Popen] = []
    folder = Path(tempfile.mkdtemp(prefix="guardian-fw-"))
    folder.chmod(0o755)

    def run(*argv: str, background: bool = False, check: bool = False):
        cmd = ["ip", "netns", "exec", name, *argv]
        if background:
            started.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            return started[-1]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=check)

    try:
        run("ip", "link", "set", "lo", "up", check=True)
        yield run, folder
    finally:
        for process in started:
            process.terminate()
            process.wait(10)
        subprocess.run(["ip", "netns", "del", name], check=False)
        shutil.rmtree(folder)


def wait_port(run, port: int) -> None:
    probe = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=0.2).close()"
    for _ in range(100):
        if run(sys.executable, "-c", probe).returncode == 0:
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port} in the namespace")


def test_the_childs_account_reaches_port_443_only_through_the_proxy(netns):
    run, folder = netns
    svc, kid = accounts.spare_ids(2)
    site = folder / "site"
    site.mkdir()
    (site / "index.html").write_text("hello\n")
    run(sys.executable, "-m", "http.server", "443", "--bind", "127.0.0.1", "--directory", str(site), background=True)
    confdir = folder / "mitmproxy"
    confdir.mkdir()
    os.chown(confdir, svc, svc)
    port = free_port()
    proxy = ["--listen-host", "127.0.0.1", "--listen-port", str(port), "--set", f"confdir={confdir}"]
    run(*accounts.as_user(svc), str(MITMDUMP), *proxy, background=True)
    wait_port(run, 443)
    wait_port(run, port)

    def fetch(via: str) -> str:
        done = run(*accounts.as_user(kid), sys.executable, "-c", FETCH, via)
        return done.stdout.strip() or done.stderr[-300:]

    assert fetch("") == "status 200 hello"  # before the rule: straight through (the test can fail)

    children = folder / "children.d"
    children.mkdir()
    rules = folder / "firewall.nft"
    rules.write_text(firewall.table("guardian", str(children)))
    (children / "kid.nft").write_text(firewall.child_rule("kid", kid))
    loaded = run("nft", "-f", str(rules))
    assert loaded.returncode == 0, loaded.stderr

    assert fetch("").startswith("failed") and "Connection refused" in fetch("")
    assert fetch(f"http://127.0.0.1:{port}") == "status 200 hello"  # the proxy's account is not limited
    # Loading the table again (a boot, a child added) replaces it rather than doubling it.
    assert run("nft", "-f", str(rules)).returncode == 0
    assert run("nft", "list", "table", "inet", "guardian").stdout.count("meta skuid @children") == 2
    # Another account (a parent's) is not limited.
    other = run(*accounts.as_user(kid + 1), sys.executable, "-c", FETCH, "")
    assert other.stdout.strip() == "status 200 hello"
