"""The outbox: every notification carries the record's head, so the parent's messages witness it."""

from __future__ import annotations

from click.testing import CliRunner

from guardian.cli import main
from guardian.store import journal, outbox
from guardian.store.db import connect
from tests.conftest import household_config
from tests.support.ledgers import five, sql


def test_a_notification_ends_with_the_head_it_was_written_on_and_verify_finds_it(tmp_path):
    config = tmp_path / "guardian.toml"
    config.write_text(household_config(), encoding="utf-8")
    db = tmp_path / "guardian.db"
    conn = connect(db)
    outbox.post(conn, outbox.CAP_NEAR, "Mia", "empty", "nothing journaled yet", 1)
    five(db)
    head = journal.head(conn)
    outbox.post(conn, outbox.CAP_NEAR, "Mia", "title", "x" * 400, 2)
    first, second = outbox.pending(conn)
    conn.close()
    assert first.body == "nothing journaled yet"
    assert second.body.endswith(f" · #9 {head[:16]}") and len(second.body) == outbox.MAX_TEXT
    short = second.body.rsplit(" ", 1)[-1]
    result = CliRunner().invoke(main, ["verify", "--config", str(config), "--head", short])
    assert result.exit_code == 0 and f"Earlier head found: {head} is journal seq 9" in result.output
    sql(db, "UPDATE journal SET hash = CASE WHEN hash LIKE 'f%' THEN '0' ELSE 'f' END || substr(hash, 2) WHERE seq = 9")
    result = CliRunner().invoke(main, ["verify", "--config", str(config), "--head", short])
    assert result.exit_code == 1 and f"Earlier head NOT found: {short} is not in the record" in result.output


def test_verify_head_refuses_what_is_not_a_digest(tmp_path):
    config = tmp_path / "guardian.toml"
    config.write_text(household_config(), encoding="utf-8")
    five(tmp_path / "guardian.db")
    result = CliRunner().invoke(main, ["verify", "--config", str(config), "--head", "abc%"])
    assert result.exit_code == 1 and "is not a head digest (16 to 64 characters" in result.output
