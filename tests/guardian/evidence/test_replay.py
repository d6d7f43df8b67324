"""Every journaled table is checked, not only attempts: a row edited with plain sqlite3 no longer matches its
latest journal entry, and `verify` names it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from guardian.cli import main
from guardian.evidence import verify
from guardian.store.db import connect
from tests.conftest import household_config
from tests.support.ledgers import every_table, sql


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "guardian.toml"
    path.write_text(household_config(), encoding="utf-8")
    every_table(tmp_path / "guardian.db")
    return path


def run_verify(config: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["verify", "--config", str(config)])
    return result.exit_code, result.output


def test_every_table_written_by_guardian_verifies(config):
    code, out = run_verify(config)
    assert code == 0, out
    assert "Also checked (rows): approvals 1, overrides 2, changes 2, gift_prices 2, devices 2." in out


TAMPERING = [
    pytest.param(
        "UPDATE approvals SET decided_by = 'mum' WHERE id = 1",
        "approvals id 1: edited (decided_by: the journal says 'parent (dashboard)', the table says 'mum')",
        id="approval-answered-by-someone-else",
    ),
    pytest.param(
        "UPDATE approvals SET state = 'approved', used_attempt = NULL, used_ms = NULL WHERE id = 1",
        "approvals id 1: edited (state: the journal says 'used', the table says 'approved'",
        id="approval-made-usable-again",
    ),
    pytest.param(
        "INSERT INTO approvals (at_ms, child, app, kind, amount, amount_units, currency, client_ip, state, decided_by)"
        " VALUES (1, 'Mia', 'bilibili', 'gift', '500', 5000000, 'CNY', '192.168.1.23', 'approved', 'mum')",
        "approvals id 2: inserted (the journal has no record of it",
        id="approval-invented",
    ),
    pytest.param(
        "UPDATE overrides SET cleared_ms = NULL WHERE kind = 'lock'",
        "overrides id 1: edited (cleared_ms: the journal says",
        id="lock-lift-undone",
    ),
    pytest.param(
        "UPDATE overrides SET amount = '500', amount_units = 5000000 WHERE kind = 'extra'",
        "overrides id 2: edited (amount: the journal says '10', the table says '500'",
        id="extra-allowance-raised",
    ),
    pytest.param(
        "DELETE FROM overrides WHERE kind = 'lock'",
        "overrides id 1: deleted (the journal records it at seq",
        id="lock-deleted",
    ),
    pytest.param(
        "UPDATE changes SET what = 'nothing' WHERE id = 1",
        "changes id 1: edited (what: the journal says 'locked all purchases', the table says 'nothing')",
        id="change-reworded",
    ),
    pytest.param(
        "UPDATE changes SET author = 'Mia' WHERE id = 2",
        "changes id 2: edited (author: the journal says 'administrator dad', the table says 'Mia')",
        id="change-author-rewritten",
    ),
    pytest.param(
        "DELETE FROM changes WHERE id = 2",
        "changes id 2: deleted (the journal records it at seq",
        id="change-deleted",
    ),
    pytest.param(
        "UPDATE gift_prices SET price = '0.01' WHERE gift_id = '3389'",
        "gift_prices douyin/3389: edited (price: the journal says '1200', the table says '0.01')",
        id="gift-price-lowered",
    ),
    pytest.param(
        "INSERT INTO gift_prices VALUES ('douyin', '9999', '0', 1)",
        "gift_prices douyin/9999: inserted",
        id="gift-price-invented",
    ),
    pytest.param(
        "UPDATE devices SET child = 'Leo' WHERE device = 'wireguard:mia-phone'",
        "devices wireguard:mia-phone: edited (child: the journal says 'Mia', the table says 'Leo')",
        id="phone-moved-to-another-child",
    ),
    pytest.param(
        "UPDATE devices SET action = 'added' WHERE device = 'wireguard:old-tablet'",
        "devices wireguard:old-tablet: edited (action: the journal says 'removed', the table says 'added')",
        id="phone-removal-undone",
    ),
]


@pytest.mark.parametrize("statement, first", TAMPERING)
def test_an_edited_row_of_any_journaled_table_is_named(config, statement, first):
    sql(config.parent / "guardian.db", statement)
    code, out = run_verify(config)
    assert code == 1
    assert out.startswith(f"NOT intact: {first}"), out


def test_an_entry_updating_a_row_it_never_recorded_is_reported(config):
    db = config.parent / "guardian.db"
    conn = connect(db)
    before = verify.verify(conn)
    conn.close()
    assert before.intact, before.problems
    sql(db, "DELETE FROM journal WHERE kind = 'approval-asked'", "DELETE FROM approvals")
    conn = connect(db)
    problems = [str(p) for p in verify.verify(conn).problems]
    conn.close()
    assert any("approval-decided for approvals 1, which the journal never recorded" in p for p in problems), problems
