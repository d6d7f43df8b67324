"""Limits: the form edits the config file (comments kept), the loader's messages, quick actions, the change list."""

from __future__ import annotations

import tomllib

from guardian.evidence import verify
from guardian.household import configfile
from guardian.store import journal


def form(csrf: str, **overrides: str) -> dict:
    data = {
        "csrf_token": csrf,
        "devices": "127.0.0.1\n192.168.1.0/24",
        "per_purchase": "30",
        "day": "50",
        "week": "200",
        "month": "500",
        "per_minute": "",
        "purchases_mode": "any",
        "purchases": "",
    }
    data.update(overrides)
    return data


def test_saving_a_cap_writes_the_file_keeps_comments_and_is_recorded(parent, config_file, ledger):
    r = parent.post("/limits/child/0", data=form(parent.csrf, day="40", per_minute="3"))
    assert r.status_code == 302, r.text
    text = config_file.read_text()
    assert "# keep me: a parent's comment" in text
    mia = tomllib.loads(text)["child"][0]
    assert mia["caps"]["day"] == "40" and mia["caps"]["per_minute"] == 3
    assert mia["devices"] == ["127.0.0.1", "192.168.1.0/24"]
    assert configfile.load(config_file).child("Mia").caps.day.amount == 40
    page = parent.get("/limits").text
    assert '<input name="day" value="40"' in page and '<input name="per_minute" value="3"' in page
    assert "Saved Mia&#39;s limits" in page and "limits of Mia" in page and "50 → 40" in page
    kinds = [k for (k,) in ledger.conn.execute("SELECT kind FROM journal")]
    assert kinds == ["limit-change"] and journal.verify_chain(ledger.conn) is None


def test_a_bad_value_shows_the_loaders_message_and_never_reaches_the_file(parent, config_file, ledger):
    before = config_file.read_text()
    r = parent.post("/limits/child/0", data=form(parent.csrf, day="fifty"))
    assert r.status_code == 400
    expected = (
        str(config_file)
        + ": child[0].caps.day: expected a non-negative amount like &#34;30&#34; or &#34;18.8&#34;, got &#39;fifty&#39;"
    )
    assert expected in r.text
    assert 'value="fifty"' in r.text  # the parent's input is kept in the form
    assert config_file.read_text() == before
    assert ledger.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 0
    r = parent.post("/limits/child/0", data=form(parent.csrf, per_minute="lots"))
    assert "child[0].caps.per_minute: expected a whole number of purchases" in r.text
    r = parent.post("/limits/child/1", data=form(parent.csrf, devices="127.0.0.1"))
    assert "child[1].devices: 127.0.0.1 is already listed for Mia" in r.text
    r = parent.post(
        "/limits/child/0", data=form(parent.csrf, purchases_mode="windows", purchases="weekends 10:00-20:00")
    )
    assert "child[0].windows.purchases" in r.text and "is not a day or day range" in r.text
    assert config_file.read_text() == before


def test_windows_any_time_never_and_per_app(parent, config_file):
    data = form(parent.csrf, purchases_mode="windows", purchases="sat-sun 10:00-20:00\nfri 22:00-01:00")
    data.update(
        {
            "app_kuaishou_mode": "windows",
            "app_kuaishou": "",
            "app_bilibili_mode": "windows",
            "app_bilibili": "daily 07:00-21:30",
        }
    )
    assert parent.post("/limits/child/0", data=data).status_code == 302
    mia = tomllib.loads(config_file.read_text())["child"][0]
    assert mia["windows"]["purchases"] == ["sat-sun 10:00-20:00", "fri 22:00-01:00"]
    assert mia["windows"]["apps"] == {"kuaishou": [], "bilibili": ["daily 07:00-21:30"]}
    page = parent.get("/limits").text
    assert "fri 22:00-01:00" in page
    data = form(parent.csrf, day="", week="")
    assert parent.post("/limits/child/0", data=data).status_code == 302
    mia = tomllib.loads(config_file.read_text())["child"][0]
    assert "purchases" not in mia["windows"] and "day" not in mia["caps"] and "week" not in mia["caps"]
    assert mia["windows"]["apps"] == {}


def test_unknown_child_number_is_not_found(parent):
    assert parent.post("/limits/child/7", data=form(parent.csrf)).status_code == 404


def test_lock_now_until_unlocked_then_unlock(parent, ledger):
    parent.post("/limits/lock", data={"csrf_token": parent.csrf, "until": ""})
    page = parent.get("/limits").text
    assert "All purchases are locked until you unlock them" in page and "locked all purchases" in page
    assert ledger.conn.execute("SELECT kind, until_ms, cleared_ms FROM overrides").fetchall() == [("lock", None, None)]
    parent.post("/limits/unlock", data={"csrf_token": parent.csrf})
    page = parent.get("/limits").text
    assert "Lock all purchases now" in page and "unlocked purchases" in page
    kinds = [k for (k,) in ledger.conn.execute("SELECT kind FROM journal ORDER BY seq")]
    assert kinds == ["override", "limit-change", "override-cleared", "limit-change"]
    report = verify.verify(ledger.conn)
    assert report.intact and report.rows["overrides"] == 1 and report.rows["changes"] == 2, report.problems


def test_lock_until_a_time_and_a_bad_time(parent, ledger):
    parent.post("/limits/lock", data={"csrf_token": parent.csrf, "until": "25:99"})
    assert "Not locked: expected a time like 21:30" in parent.get("/limits").text
    parent.post("/limits/lock", data={"csrf_token": parent.csrf, "until": "21:30"})
    assert "All purchases are locked until" in parent.get("/limits").text
    [(until,)] = ledger.conn.execute("SELECT until_ms FROM overrides").fetchall()
    assert until is not None


def test_extra_for_today(parent, ledger):
    parent.post("/limits/extra", data={"csrf_token": parent.csrf, "child": "Mia", "amount": "ten"})
    assert "No extra allowance: expected a non-negative amount" in parent.get("/limits").text
    parent.post("/limits/extra", data={"csrf_token": parent.csrf, "child": "Nobody", "amount": "10"})
    assert "Choose a child" in parent.get("/limits").text
    parent.post("/limits/extra", data={"csrf_token": parent.csrf, "child": "Mia", "amount": "10"})
    page = parent.get("/limits").text
    assert "Mia may spend 10.00 CNY more today" in page and "Mia: 10.00 CNY extra today" in page
    assert "extra allowance for Mia" in page


def test_a_form_for_a_child_who_moved_is_not_saved(parent, config_file):
    before = config_file.read_text()
    parent.post("/limits/child/0", data=form(parent.csrf, child="Leo", day="1"))
    assert config_file.read_text() == before
    assert "The config file changed since this page was loaded" in parent.get("/limits").text
