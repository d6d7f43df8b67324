"""The record against the child's account, for real: the proxy runs as the service's own account and makes the
chain key and the head file itself, which the child cannot read; her `guardian verify` cannot even open the
ledger; and when the ledger is edited behind the service's back (the newest purchases and their entries deleted,
an approval rewritten to "approved by mum"), an administrator's `guardian verify` says so."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from guardian.store import approvals
from tests.e2e.test_enforcement import gift
from tests.e2e.test_service_accounts import GUARDIAN, child, service  # noqa: F401 (the fixture)
from tests.support import accounts
from tests.support.ledgers import sql

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(accounts.why_not() is not None, reason=str(accounts.why_not()))]


def verify(config) -> tuple[int, str]:
    """`guardian verify` as an administrator (this test runs as root)."""
    done = subprocess.run([GUARDIAN, "verify", "--config", str(config)], capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout + done.stderr


def test_the_service_owns_the_key_the_child_cannot_read_it_and_edits_behind_its_back_are_caught(service):  # noqa: F811
    proxy, data, kid = service
    config = data / "guardian.toml"
    with proxy.client() as c:
        assert gift(c, 25).headers["Guardian-Reason"] == "waiting-for-parent"
        for yuan in (5, 6, 7):
            assert gift(c, yuan).headers["Guardian-Decision"] == "allowed"
    svc = (data / "guardian.toml").stat().st_uid
    for name in ("chain-key", "chain-head"):
        made = (data / name).stat()
        assert (made.st_uid, made.st_mode & 0o777) == (svc, 0o600), name  # made by the service, for itself
        code, out = child(kid, "cat", str(data / name))
        assert code != 0 and "Permission denied" in out
    code, out = child(kid, GUARDIAN, "verify", "--config", str(config))
    assert code != 0 and "cannot read Guardian's files" in out, out
    code, out = verify(config)
    assert code == 0 and out.startswith("Intact"), out

    # The newest two purchases and their journal entries deleted with plain sqlite3.
    db = data / "guardian.db"
    conn = sqlite3.connect(db)
    newest = [i for (i,) in conn.execute("SELECT id FROM attempts ORDER BY id DESC LIMIT 2")]
    first_seq = conn.execute(
        "SELECT MIN(seq) FROM journal WHERE ref IN (?, ?) AND kind IN ('attempt', 'outcome')", newest
    ).fetchone()[0]
    conn.close()
    sql(
        db,
        f"DELETE FROM attempts WHERE id IN ({newest[0]}, {newest[1]})",
        f"DELETE FROM journal WHERE seq >= {first_seq}",
    )
    code, out = verify(config)
    assert code == 1 and out.startswith("NOT intact: journal seq ") and "truncated" in out.splitlines()[0], out

    # Her own question answered "approved by mum".
    [asked] = approvals.pending(sqlite3.connect(db))
    sql(
        db,
        f"UPDATE approvals SET state = 'approved', decided_by = 'mum', decided_via = 'dashboard' WHERE id = {asked.id}",
    )
    code, out = verify(config)
    assert code == 1 and f"approvals id {asked.id}: edited (state: the journal says 'pending'" in out, out
