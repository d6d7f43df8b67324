"""Issue 12's table, played for real: Guardian runs as its own unprivileged account with a 0700 data folder, and
the child, as ANOTHER unprivileged account, tries each thing on the list. Each fails; the proxy keeps enforcing.

Both accounts are spare uids (no entry in /etc/passwd is made); see tests/support/accounts.py.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import sys
import tempfile
from pathlib import Path

import pytest

from guardian.setup import ca
from guardian.store import approvals
from tests.conftest import household_config
from tests.e2e.test_enforcement import CAPS, gift, rows
from tests.support import accounts
from tests.support.proxy import Proxy

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(accounts.why_not() is not None, reason=str(accounts.why_not()))]
GUARDIAN = str(Path(sys.executable).parent / "guardian")


@pytest.fixture
def service(fake_apps):
    """Guardian's data folder as `guardian install` leaves it (0700, the service account's), and its proxy running
    as that account."""
    svc, kid = accounts.spare_ids(2)
    base = Path(tempfile.mkdtemp(prefix="guardian-service-"))
    base.chmod(0o755)  # like /var/lib: anyone may pass through; the data folder itself is closed
    data = base / "guardian"
    (data / "rules").mkdir(parents=True)
    confdir = data / "mitmproxy"
    confdir.mkdir()
    for name, content in ca.make().files().items():
        (confdir / name).write_bytes(content)
    shutil.copy(fake_apps.ca, data / "apps-ca.pem")  # the test's fake app servers, trusted upstream
    config = data / "guardian.toml"
    ask = CAPS + '[child.ask]\nover = "20"\nwait = 0\n'
    config.write_text(household_config(ask), encoding="utf-8")
    (data / "dashboard-secret").write_bytes(os.urandom(32))
    for path in [data, *data.rglob("*")]:
        os.chown(path, svc, svc)
        path.chmod(0o700 if path.is_dir() else 0o600)
    proxy = Proxy(
        config=config,
        confdir=confdir,
        apps_ca=data / "apps-ca.pem",
        https_upstream=fake_apps.https_port,
        http_upstream=fake_apps.http_port,
        wrap=accounts.as_user(svc),
    ).start()
    yield proxy, data, kid
    proxy.stop()
    shutil.rmtree(base)


def child(uid: int, *argv: str) -> tuple[int, str]:
    done = accounts.run_as(uid, *argv)
    return done.returncode, done.stdout + done.stderr


def test_the_child_account_can_change_read_answer_or_stop_nothing_and_guardian_keeps_enforcing(service):
    proxy, data, kid = service
    config = str(data / "guardian.toml")
    with proxy.client() as c:
        assert gift(c, 25).headers["Guardian-Reason"] == "waiting-for-parent"  # her question, for a parent
    db = data / "guardian.db"
    [asked] = approvals.pending(sqlite3.connect(db))
    before = (data / "guardian.toml").read_bytes()

    # `guardian set-password --password mine`: she cannot even read the config, let alone the ledger.
    code, out = child(kid, GUARDIAN, "set-password", "--config", config, "--password", "mine-mine-mine")
    assert code == 1 and "cannot read Guardian's files" in out and "sudo" in out
    # Forging a session cookie needs the dashboard's secret.
    code, out = child(kid, "cat", str(data / "dashboard-secret"))
    assert code != 0 and "Permission denied" in out
    # Editing guardian.toml (per_purchase = "100000").
    code, out = child(kid, "sh", "-c", f"echo 'per_purchase = \"100000\"' >> {config}")
    assert code != 0 and "Permission denied" in out
    # Dropping a rule file into rules/ that replaces bilibili.
    code, out = child(kid, "sh", "-c", f"echo 'app = \"bilibili\"' > {data}/rules/bilibili.toml")
    assert code != 0 and "Permission denied" in out
    # Writing mitmproxy's config.yaml (ignore_hosts, scripts) into the confdir.
    code, out = child(kid, "sh", "-c", f"echo \"ignore_hosts: ['.*']\" > {data}/mitmproxy/config.yaml")
    assert code != 0 and "Permission denied" in out
    # `guardian approvals approve N` for her own held purchase.
    code, out = child(kid, GUARDIAN, "approvals", "approve", str(asked.id), "--config", config)
    assert code == 1 and "cannot read Guardian's files" in out
    # rm guardian.db* while it runs.
    code, out = child(kid, "sh", "-c", f"rm -f {data}/guardian.db*")
    assert code != 0 and "Permission denied" in out
    # kill the proxy: another account's process.
    code, out = child(kid, "kill", "-TERM", str(proxy.process.pid))
    assert code != 0 and "Operation not permitted" in out
    # Undo the machine's set-up (install's record, or a child's firewall entry).
    for argv in (("install", "--undo"), ("setup", "--account", "mia", "--undo")):
        code, out = child(kid, GUARDIAN, *argv)
        assert code == 1 and "needs an administrator" in out, out

    # Nothing changed, and the service goes on enforcing.
    assert (data / "guardian.toml").read_bytes() == before
    assert sorted(p.name for p in (data / "rules").iterdir()) == []
    assert not (data / "mitmproxy" / "config.yaml").exists()
    assert proxy.process.poll() is None
    with proxy.client() as c:
        over = gift(c, 35)
        small = gift(c, 10)
    assert (over.headers["Guardian-Decision"], over.headers["Guardian-Reason"]) == ("blocked", "per-purchase")
    assert small.headers["Guardian-Decision"] == "allowed"
    assert approvals.get(sqlite3.connect(db), asked.id).state == "pending"  # nobody answered for her
    assert [r["reason"] for r in rows(db)][-2:] == ["per-purchase", None]
    proxy.process.send_signal(signal.SIGTERM)  # root (an administrator) can stop it
