"""The weekly summary report, the scheduled jobs, and the [notifications]/[storage] config keys."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from guardian.catalog.detect import Purchase
from guardian.enforce.policy import Decision, Reason
from guardian.evidence import reports
from guardian.household import configfile
from guardian.household.config import ConfigError
from guardian.household.money import Money
from guardian.household.when import Weekly
from guardian.notify import jobs
from guardian.store import journal, outbox
from guardian.store.ledger import Attempt, Ledger
from tests.support.ledgers import judged

CONFIG = """
[household]
language = "en"
timezone = "Asia/Shanghai"
[notifications]
weekly = "sat 09:30"
[storage]
keep_days = 365
[[child]]
name = "Mia"
[child.caps]
week = "200"
"""


@pytest.fixture
def config(tmp_path: Path):
    path = tmp_path / "guardian.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return configfile.load(path)


def record(ledger: Ledger, config, yuan: str, recipient: str, at: datetime, refused: bool = False) -> None:
    p = Purchase("bilibili", "gift", "g", Decimal(yuan), "gold", Money(Decimal(yuan), "CNY"), recipient)
    d = Decision(False, Reason.DAY_CAP) if refused else Decision(True)
    judged(ledger, Attempt(at, "10.0.0.2", None, "Mia", p), config.household.calendar, "CNY", lambda s: d)


def test_config_keys_and_their_errors(config, tmp_path):
    assert config.weekly == Weekly(5, 9, 30) and str(config.weekly) == "sat 09:30" and config.keep_days == 365
    default = configfile.parse("", tmp_path / "g.toml")
    assert str(default.weekly) == "sun 19:00" and default.keep_days == 730
    assert configfile.parse('[notifications]\nweekly = "off"\n', tmp_path / "g.toml").weekly is None
    with pytest.raises(ConfigError, match=r"g.toml: notifications.weekly: expected a day and time like \"sun 19:00\""):
        configfile.parse('[notifications]\nweekly = "sunday 7pm"\n', tmp_path / "g.toml")
    with pytest.raises(ConfigError, match="storage.keep_days: expected a whole number of days from 30"):
        configfile.parse("[storage]\nkeep_days = 3\n", tmp_path / "g.toml")


def test_weekly_summary_is_stored_once_and_posted(config):
    ledger = Ledger(config.storage)
    try:
        now = datetime(2026, 3, 8, 11, 0, tzinfo=UTC)  # Sunday 19:00 in Shanghai
        record(ledger, config, "30", "streamer-a", datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
        record(ledger, config, "12.5", "streamer-b", datetime(2026, 3, 7, 2, 0, tzinfo=UTC))
        record(ledger, config, "99", "streamer-c", datetime(2026, 3, 7, 3, 0, tzinfo=UTC), refused=True)
        record(ledger, config, "500", "last-week", datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
        report = reports.weekly(ledger.conn, config, now)
        assert report.week == "2026-03-02"
        head = journal.head(ledger.conn)
        assert report.lines == [
            "Mia: spent 42.50 CNY of 200.00 CNY; 1 refused; top: streamer-a (30.00), streamer-b (12.50)",
            f"Record intact; head digest {head} (seq 4)",
        ]
        assert reports.weekly(ledger.conn, config, now) is None  # a second run (a restart) adds nothing
        [event] = outbox.pending(ledger.conn)
        assert event.kind == "weekly-summary" and event.title == "Guardian week of 2026-03-02" and "42.50" in event.body
        assert event.body.startswith("Record intact | Mia: spent 42.50") and event.body.endswith(f"#4 {head[:16]}")
        assert [r.week for r in reports.recent(ledger.conn)] == ["2026-03-02"]
    finally:
        ledger.close()


def test_the_weekly_summary_speaks_the_households_language(config, tmp_path):
    path = tmp_path / "guardian.toml"
    path.write_text(CONFIG.replace('language = "en"', 'language = "zh"'), encoding="utf-8")
    config = configfile.load(path)
    ledger = Ledger(config.storage)
    try:
        record(ledger, config, "30", "streamer-a", datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
        report = reports.weekly(ledger.conn, config, datetime(2026, 3, 8, 11, 0, tzinfo=UTC))
        assert report.title == "Guardian 周报（2026-03-02 起）"
        assert report.lines[:-1] == ["Mia：已消费 30.00 CNY（上限 200.00 CNY）；拦截 0 笔；最多：streamer-a (30.00)"]
        assert report.lines[-1].startswith("记录完整；链头摘要 ")
    finally:
        ledger.close()


def test_jobs_are_registered_once_with_ids(config):
    scheduler = jobs.start(config, notifier=object(), every_seconds=3600)
    try:
        found = {job.id: job for job in scheduler.get_jobs()}
        assert set(found) == {"deliver-outbox", "deliver-phones", "quiet-devices", "weekly-summary", "retention"}
        assert all(job.max_instances == 1 for job in found.values())
        fire = found["weekly-summary"].trigger.get_next_fire_time(None, datetime(2026, 3, 4, tzinfo=UTC))
        assert fire.isoformat() == "2026-03-07T09:30:00+08:00"  # Saturday 09:30 in the household's zone
    finally:
        scheduler.shutdown(wait=False)


def test_retention_job_purges_what_keep_days_no_longer_keeps(config, tmp_path):
    ledger = Ledger(config.storage)
    now = datetime.now(UTC)
    record(ledger, config, "5", "older", now - timedelta(days=365, hours=2))
    record(ledger, config, "7", "newer", now - timedelta(days=364, hours=22))
    ledger.close()
    keep_all = tmp_path / "keep-all.toml"  # the same ledger, keep_days = 0: the job skips
    keep_all.write_text(CONFIG.replace("keep_days = 365", "keep_days = 0"), encoding="utf-8")
    assert jobs.purge_old(keep_all) is False
    assert recipients(config.storage) == ["older", "newer"]
    assert jobs.purge_old(config.path) is True  # keep_days = 365
    assert recipients(config.storage) == ["newer"]


def recipients(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r for (r,) in conn.execute("SELECT recipient FROM attempts ORDER BY id")]
    finally:
        conn.close()


def test_deliver_outbox_job_uses_its_own_connection(config):
    sent = []

    class Recorder:
        def notify(self, title: str, body: str) -> None:
            sent.append(title)

    ledger = Ledger(config.storage)
    outbox.post(ledger.conn, outbox.CAP_NEAR, "Mia", "hello", "body", 1)
    ledger.close()
    assert jobs.deliver_outbox(config.storage, Recorder()).delivered == 1
    assert sent == ["hello"]


def test_a_weekly_summary_says_when_the_record_no_longer_verifies(config):
    ledger = Ledger(config.storage)
    try:
        record(ledger, config, "30", "streamer-a", datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
        ledger.conn.execute("UPDATE attempts SET amount = '3'")
        report = reports.weekly(ledger.conn, config, datetime(2026, 3, 8, 11, 0, tzinfo=UTC))
        [event] = outbox.pending(ledger.conn)
    finally:
        ledger.close()
    assert report.lines[-1].startswith("Record NOT intact: attempts id 1: edited (amount")
    assert event.body.startswith("Record NOT intact: attempts id 1: edited")


def test_weekly_summary_job_reads_the_config_as_it_is_now(config):
    config.path.write_text(CONFIG + '\n[[child]]\nname = "Leo"\n', encoding="utf-8")
    report = jobs.weekly_summary(config.path)
    assert [line.split(":")[0] for line in report.lines[:-1]] == ["Mia", "Leo"]
    assert jobs.weekly_summary(config.path) is None  # once per week
