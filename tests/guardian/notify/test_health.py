"""A device that stopped going through Guardian becomes one "health" notification per silence."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from guardian.household.configfile import parse
from guardian.notify import channels, health
from guardian.setup import devices_seen
from guardian.store import outbox
from guardian.store.ledger import Ledger

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai
CONFIG = """
[household]
language = "en"
quiet_warning = "2h"
usual_hours = ["daily 00:00-24:00"]
[[child]]
name = "Mia"
devices = ["10.0.0.2", "wireguard:mia-phone"]
"""


@pytest.fixture
def conn(tmp_path: Path):
    ledger = Ledger(tmp_path / "guardian.db")
    yield ledger.conn
    ledger.close()


def seen(conn, key: str, at: datetime) -> None:
    devices_seen.record(conn, {key: at.timestamp()})


def test_a_silent_device_is_told_once_per_silence(conn, tmp_path):
    config = parse(CONFIG, tmp_path / "guardian.toml")
    seen(conn, "10.0.0.2", NOW - timedelta(hours=3))
    seen(conn, "wireguard:mia-phone", NOW - timedelta(minutes=30))
    [event] = health.quiet_devices(conn, config, NOW)
    [note] = outbox.get(conn, [event])
    assert note.kind == "device-quiet" and note.child == "Mia" and "10.0.0.2" in note.title
    assert "Last seen 11-28 13:00" in note.body and note.link == "/devices"
    assert channels.group(note.kind) == "health"
    assert health.quiet_devices(conn, config, NOW + timedelta(minutes=5)) == []  # once
    seen(conn, "10.0.0.2", NOW + timedelta(minutes=10))  # back, then silent again (and the phone by now)
    later = outbox.get(conn, health.quiet_devices(conn, config, NOW + timedelta(hours=3)))
    assert sorted(n.title.split(" ")[1] for n in later) == ["10.0.0.2", "wireguard:mia-phone"]


def test_in_the_households_chinese(conn, tmp_path):
    config = parse(CONFIG.replace('language = "en"', 'language = "zh"'), tmp_path / "guardian.toml")
    seen(conn, "10.0.0.2", NOW - timedelta(hours=3))
    [note] = outbox.get(conn, health.quiet_devices(conn, config, NOW))
    assert note.title == "Mia：10.0.0.2 已不再经过 Guardian" and note.body.startswith("最后一次出现在 11-28 13:00")


def test_no_warning_when_the_household_turned_it_off(conn, tmp_path):
    config = parse(CONFIG.replace('"2h"', '"off"'), tmp_path / "guardian.toml")
    seen(conn, "10.0.0.2", NOW - timedelta(days=3))
    assert health.quiet_devices(conn, config, NOW) == []
