"""`guardian approvals ...` through click's runner, on a real config and SQLite file."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

from click.testing import CliRunner

from guardian.cli import main
from guardian.store import approvals
from guardian.store.ledger import Ledger
from tests.guardian.store.test_approvals import buy, make_guard


def test_the_command_speaks_the_households_language_unless_the_terminal_asks(tmp_path, catalog, monkeypatch):
    guard = make_guard(tmp_path, catalog)
    path = tmp_path / "guardian.toml"
    path.write_text('[[child]]\nname = "Mia"\ndevices = ["10.0.0.2"]\n[child.ask]\nover = "20"\n', encoding="utf-8")
    asked = buy(guard, "25").approval
    run = CliRunner().invoke
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")  # asks for no language: the household's (Chinese by default)
    listed = run(main, ["approvals", "list", "--config", str(path)]).output
    assert f"#{asked}" in listed and "Mia  25 CNY  哔哩哔哩 礼物，给 7  (10.0.0.2)  等待中" in listed
    missing = run(main, ["approvals", "approve", "999", "--config", str(path)])
    assert missing.exit_code == 1 and "没有编号为 #999 的请求" in missing.output
    monkeypatch.setenv("LANG", "en_US.UTF-8")  # the terminal asks for English
    assert "Bilibili gift to 7" in run(main, ["approvals", "list", "--config", str(path)]).output
    path.write_text('[household]\nlanguage = "en"\n' + path.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")  # and Chinese over an English household
    assert "等待中" in run(main, ["approvals", "list", "--config", str(path)]).output


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
        and "Mia  25 CNY  Bilibili gift to 7  (10.0.0.2)  waiting" in lines[0]
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
