"""Last-seen times and the quiet-device warning, with `now` injected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guardian import words
from guardian.household.devices import Device
from guardian.household.windows import Schedule
from guardian.setup import devices_seen as ds
from guardian.store.db import connect

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
DAYTIME = Schedule.parse(["daily 07:00-21:00"])


def local(tz, *args) -> datetime:
    return datetime(*args, tzinfo=tz)


def test_quiet_for_three_hours_in_usual_hours_is_flagged():
    last = local(SH, 2026, 3, 4, 14, 0)
    now = local(SH, 2026, 3, 4, 17, 0)
    s = ds.status(
        Device.parse("wireguard:mia-phone"), {"wireguard:mia-phone": last}, now, DAYTIME, SH, timedelta(hours=2)
    )
    assert s.quiet and s.last == last


def test_quiet_all_night_is_not_flagged():
    last = local(SH, 2026, 3, 4, 20, 30)  # 30 min of usual hours, then the night
    now = local(SH, 2026, 3, 5, 7, 45)  # and 45 min of the morning: 1h15 in all
    s = ds.status(Device.parse("10.0.0.5"), {"10.0.0.5": last}, now, DAYTIME, SH, timedelta(hours=2))
    assert not s.quiet
    later = ds.status(
        Device.parse("10.0.0.5"), {"10.0.0.5": last}, now + timedelta(hours=1), DAYTIME, SH, timedelta(hours=2)
    )
    assert later.quiet  # 2h15 of usual hours by 08:45


def test_quiet_warning_off_and_never_seen():
    last = local(SH, 2026, 3, 1, 9, 0)
    now = local(SH, 2026, 3, 4, 17, 0)
    assert not ds.status(Device.parse("user:mia"), {"user:mia": last}, now, DAYTIME, SH, None).quiet
    never = ds.status(Device.parse("user:mia"), {}, now, DAYTIME, SH, timedelta(hours=2))
    assert never.never and not never.quiet


@pytest.mark.parametrize(
    "start,end,hours",
    [
        ((2026, 3, 4, 6, 0), (2026, 3, 4, 8, 0), 1),  # the window opens at 07:00
        ((2026, 3, 4, 20, 0), (2026, 3, 5, 8, 0), 2),  # an hour each side of the night
        ((2026, 3, 2, 0, 0), (2026, 3, 9, 0, 0), 7 * 14),  # a whole week
    ],
)
def test_usual_time(start, end, hours):
    assert ds.usual_time(local(SH, *start), local(SH, *end), DAYTIME, SH) == timedelta(hours=hours)


def test_usual_time_crossing_midnight_and_overlapping_windows():
    late = Schedule.parse(["fri 22:00-01:00", "fri 23:00-24:00"])
    got = ds.usual_time(local(SH, 2026, 3, 6, 21, 0), local(SH, 2026, 3, 7, 3, 0), late, SH)
    assert got == timedelta(hours=3)  # 22:00-01:00, the overlap counted once


def test_usual_time_on_a_dst_day_is_real_elapsed_time():
    # Berlin springs forward on 2026-03-29 at 02:00: the window 01:00-04:00 lasts two real hours.
    night = Schedule.parse(["sun 01:00-04:00"])
    got = ds.usual_time(local(BERLIN, 2026, 3, 29, 0, 0), local(BERLIN, 2026, 3, 29, 6, 0), night, BERLIN)
    assert got == timedelta(hours=2)


def test_unrestricted_usual_hours_count_everything():
    start = datetime(2026, 3, 4, 0, 0, tzinfo=UTC)
    assert ds.usual_time(start, start + timedelta(hours=5), Schedule(None), SH) == timedelta(hours=5)


def test_record_upserts_and_ranges_take_their_latest_address(tmp_path):
    conn = connect(tmp_path / "g.db")
    t0 = datetime(2026, 3, 4, 8, 0, tzinfo=UTC).timestamp()
    ds.record(conn, {"::ffff:192.168.1.5": t0, "wireguard:mia-phone": t0})
    ds.record(conn, {"192.168.1.5": t0 + 60, "192.168.1.9": t0 + 30, "wireguard:mia-phone": t0 - 100})
    seen = ds.last_seen(conn)
    assert set(seen) == {"192.168.1.5", "192.168.1.9", "wireguard:mia-phone"}
    assert seen["wireguard:mia-phone"].timestamp() == t0  # an older batch never moves it back
    assert ds.last_for(Device.parse("192.168.1.0/24"), seen).timestamp() == t0 + 60
    assert ds.last_for(Device.parse("192.168.1.9"), seen).timestamp() == t0 + 30
    assert ds.last_for(Device.parse("10.0.0.0/8"), seen) is None
    assert ds.unlisted([Device.parse("192.168.1.5"), Device.parse("wireguard:mia-phone")], seen) == [
        ("192.168.1.9", seen["192.168.1.9"])
    ]
    first = conn.execute("SELECT first_ms FROM devices_seen WHERE device = '192.168.1.5'").fetchone()[0]
    assert first == int(t0 * 1000)


def test_ago():
    now = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    assert [ds.ago(now - timedelta(seconds=s), now, words.of("en")) for s in (10, 600, 3 * 3600, 5 * 86400)] == [
        "just now",
        "10 min ago",
        "3 h ago",
        "5 days ago",
    ]
    assert ds.ago(None, now, words.of("en")) == "never"
    assert ds.ago(now - timedelta(hours=3), now, words.of("zh")) == "3 小时前"
