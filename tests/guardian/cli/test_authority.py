"""Changing commands need an administrator or the parent password, and record who; read-only ones stay open."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from guardian.cli import authority, main
from guardian.setup import logins
from guardian.store import approvals
from guardian.store.db import connect
from guardian.store.ledger import Ledger
from tests.guardian.store.test_approvals import buy, make_guard

PASSWORD = "correct horse battery"


@pytest.fixture
def household(tmp_path: Path, catalog):
    guard = make_guard(tmp_path, catalog)
    config = tmp_path / "guardian.toml"
    config.write_text('[[child]]\nname = "Mia"\ndevices = ["10.0.0.2"]\n[child.ask]\nover = "20"\n', encoding="utf-8")
    asked = buy(guard, "25").approval
    return config, tmp_path / "guardian.db", asked


@pytest.fixture
def not_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(authority.system, "is_admin", lambda: False)


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


def set_password(db: Path) -> None:
    conn = connect(db)
    logins.set_password(conn, PASSWORD, 0)
    conn.close()


def state(db: Path, approval_id: int) -> approvals.Approval:
    ledger = Ledger(db)
    try:
        a = approvals.get(ledger.conn, approval_id)
        assert a is not None
        return a
    finally:
        ledger.close()


def test_without_a_parent_password_only_an_administrator_may_answer(household, not_admin):
    config, db, asked = household
    r = run("approvals", "approve", str(asked), "--config", str(config))
    assert r.exit_code == 1 and "you need administrator rights (no parent password is set yet)" in r.output
    assert state(db, asked).state == "pending"
    r = run("set-password", "--config", str(config), "--password", "mine-mine-mine")  # the child's first try
    assert r.exit_code == 1 and "administrator" in r.output
    conn = connect(db)
    assert not logins.is_set(conn)


def test_the_parent_password_answers_and_is_recorded_without_an_account_name(household, not_admin):
    config, db, asked = household
    set_password(db)
    r = run("approvals", "approve", str(asked), "--config", str(config), input="guess-one\n")
    assert r.exit_code == 1 and "Wrong parent password: nothing was changed" in r.output
    assert state(db, asked).state == "pending"
    r = run("approvals", "deny", str(asked), "--config", str(config), input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    a = state(db, asked)
    assert (a.state, a.decided_by, a.decided_via) == ("denied", "parent (command line)", "command line")


def test_wrong_passwords_at_the_terminal_are_slowed_down(household, not_admin):
    config, db, asked = household
    set_password(db)
    for _ in range(logins.FREE):
        assert (
            "Wrong parent password"
            in run("approvals", "approve", str(asked), "--config", str(config), input="x\n").output
        )
    r = run("approvals", "approve", str(asked), "--config", str(config), input=PASSWORD + "\n")
    assert r.exit_code == 1 and "Too many wrong passwords. Try again in" in r.output
    assert state(db, asked).state == "pending"


def test_changing_the_password_needs_the_current_one(household, not_admin):
    config, db, _ = household
    set_password(db)
    r = run("set-password", "--config", str(config), "--password", "mine-mine-mine", input="not it\n")
    assert r.exit_code == 1
    conn = connect(db)
    assert logins.verify(conn, PASSWORD) and not logins.verify(conn, "mine-mine-mine")
    r = run("set-password", "--config", str(config), "--password", "a new one here", input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    assert logins.verify(conn, "a new one here")


def test_an_administrator_is_named_by_the_account_that_ran_sudo(household, monkeypatch):
    config, db, asked = household
    monkeypatch.setattr(authority.system, "is_admin", lambda: True)
    monkeypatch.setenv("SUDO_USER", "dad")
    r = run("approvals", "approve", str(asked), "--config", str(config))
    assert r.exit_code == 0, r.output
    assert state(db, asked).decided_by == "administrator dad"
    # A forgotten password is reset from here, with no old password asked for.
    r = run("set-password", "--config", str(config), "--password", "reset by dad")
    assert r.exit_code == 0 and logins.verify(connect(db), "reset by dad")


@pytest.mark.parametrize(
    "args",
    [
        ("phone", "add", "Mia", "mia-phone"),
        ("phone", "remove", "mia-phone"),
        ("phone", "show", "mia-phone"),
        ("export", "--child", "Mia", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "csv"),
    ],
)
def test_other_changing_commands_need_it_too(household, not_admin, args):
    config, db, _ = household
    r = run(*args, "--config", str(config))
    assert r.exit_code == 1 and "administrator rights" in r.output, r.output


def test_read_only_commands_stay_open(household, not_admin):
    config, _, _ = household
    assert run("check", "--config", str(config)).exit_code == 0
    assert run("verify", "--config", str(config)).exit_code == 0
    assert run("approvals", "list", "--config", str(config)).exit_code == 0
