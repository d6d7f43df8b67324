"""`guardian approvals ...` through click's runner, on a real config and SQLite file."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

from click.testing import CliRunner

from guardian.cli import main
from guardian.store import approvals
from guardian.store.ledger import Ledger
from tests.guardian.store.test_approvals import buy, make_guard


def test_list_approve_deny_and_errors(tmp_path, catalog):
    guard = make_guard(tmp_path, catalog)
    (tmp_path / "guardian.toml").write_text(
        '[[child]]\nname = "Mia"\ndevices = ["10.0.0.2"]\n[child.ask]\nover = "20"\n', encoding="utf-8"
    )
    first = buy(guard, "25").approval
    second = buy(guard, "30", datetime.now(UTC)).approval
    run = CliRunner().invoke
    config = ["--config", str(tmp_path / "guardian.toml")]

    listed = run(main, ["approvals", "list", *config])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert (
        len(lines) == 2
        and lines[0].startswith(f"#{first} ")
        and "Mia  25 CNY  bilibili gift to 7  (10.0.0.2)  pending" in lines[0]
    )

    approved = run(main, ["approvals", "approve", str(first), "--over-cap", *config])
    assert approved.exit_code == 0, approved.output
    assert (
        f"approved by administrator {getpass.getuser()} (command line)" in approved.output
        and "allowed over the cap" in approved.output
    )
    denied = run(main, ["approvals", "deny", str(second), *config])
    assert denied.exit_code == 0 and "denied by" in denied.output

    assert run(main, ["approvals", "list", *config]).output == "Nothing is waiting for you.\n"
    everything = run(main, ["approvals", "list", "--all", *config]).output
    assert f"#{first} " in everything and f"#{second} " in everything

    missing = run(main, ["approvals", "approve", "999", *config])
    assert missing.exit_code == 1 and "Error: there is no approval #999" in missing.output
    not_a_number = run(main, ["approvals", "deny", "seven", *config])
    assert not_a_number.exit_code == 2 and "'seven' is not a valid integer" in not_a_number.output

    check = Ledger(tmp_path / "guardian.db")
    a, b = approvals.get(check.conn, first), approvals.get(check.conn, second)
    assert (a.state, a.over_cap, a.decided_by, a.decided_via) == (
        "approved",
        True,
        f"administrator {getpass.getuser()}",
        "command line",
    )
    assert (b.state, b.over_cap) == ("denied", False)
    check.close()
    guard.ledger.close()
