"""Limits: the form edits the config file (comments kept), the loader's messages, quick actions, the change list."""

from __future__ import annotations

import re
import tomllib

from guardian.evidence import verify
from guardian.household import configfile
from guardian.store import journal


def shown_version(client, child: str = "Mia") -> str:
    """The version of the child's values the Limits page's form was filled in from."""
    page = client.get("/limits").text
    section = page.split(f'id="child-{child}"', 1)[1]
    return re.search(r'name="version" value="([0-9a-f]+)"', section).group(1)


def form(client, child: str = "Mia", **overrides: str) -> dict:
    data = {
        "csrf_token": client.csrf,
        "child": child,
        "version": shown_version(client, child),
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
    r = parent.post("/limits/child", data=form(parent, day="40", per_minute="3"))
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
    r = parent.post("/limits/child", data=form(parent, day="fifty"))
    assert r.status_code == 400
    # The child and the setting in a parent's words; no file path, no child[0].
    expected = "Not saved: Mia&#39;s day cap: expected a non-negative amount like &#34;30&#34; or &#34;18.8&#34;, got "
    assert expected + "&#39;fifty&#39;" in r.text and str(config_file) not in r.text and "child[" not in r.text
    assert 'value="fifty"' in r.text  # the parent's input is kept in the form
    assert config_file.read_text() == before
    assert ledger.conn.execute("SELECT COUNT(*) FROM changes").fetchone()[0] == 0
    r = parent.post("/limits/child", data=form(parent, per_minute="lots"))
    assert "Mia&#39;s purchases-per-minute limit: expected a whole number of purchases" in r.text
    r = parent.post("/limits/child", data=form(parent, "Leo", devices="127.0.0.1"))
    assert "Leo&#39;s devices: 127.0.0.1 is already listed for Mia" in r.text
    r = parent.post("/limits/child", data=form(parent, purchases_mode="windows", purchases="weekends 10:00-20:00"))
    assert "Mia&#39;s purchase hours" in r.text and "is not a day or day range" in r.text
    assert config_file.read_text() == before


def test_windows_any_time_never_and_per_app(parent, config_file):
    data = form(parent, purchases_mode="windows", purchases="sat-sun 10:00-20:00\nfri 22:00-01:00")
    data.update(
        {
            "app_kuaishou_mode": "windows",
            "app_kuaishou": "",
            "app_bilibili_mode": "windows",
            "app_bilibili": "daily 07:00-21:30",
        }
    )
    assert parent.post("/limits/child", data=data).status_code == 302
    mia = tomllib.loads(config_file.read_text())["child"][0]
    assert mia["windows"]["purchases"] == ["sat-sun 10:00-20:00", "fri 22:00-01:00"]
    assert mia["windows"]["apps"] == {"kuaishou": [], "bilibili": ["daily 07:00-21:30"]}
    page = parent.get("/limits").text
    assert "fri 22:00-01:00" in page
    data = form(parent, day="", week="")
    assert parent.post("/limits/child", data=data).status_code == 302
    mia = tomllib.loads(config_file.read_text())["child"][0]
    assert "purchases" not in mia["windows"] and "day" not in mia["caps"] and "week" not in mia["caps"]
    assert mia["windows"]["apps"] == {}


def test_empty_hours_show_no_example_that_looks_like_a_value(parent):
    page = parent.get("/limits").text
    assert "<textarea" in page and "placeholder=" not in page


def test_ask_a_parent_and_unknown_amounts(parent, config_file, ledger):
    data = form(parent, ask_over="20", ask_wait="40", ask_valid="", unknown_amount="ask")
    data["ask_apps"] = ["kuaishou", "no-such-app"]
    assert parent.post("/limits/child", data=data).status_code == 302
    mia = configfile.load(config_file).child("Mia")
    assert (mia.ask.over.amount, mia.ask.apps, mia.ask.wait, mia.ask.valid) == (20, ("kuaishou",), 40, 30)
    assert mia.unknown_amount == "ask"
    page = parent.get("/limits").text
    assert 'name="ask_over" value="20"' in page and 'value="kuaishou" checked' in page
    assert '<option value="ask" selected>' in page
    r = parent.post("/limits/child", data=form(parent, ask_wait="999"))
    assert r.status_code == 400 and "Mia&#39;s ask-a-parent wait: expected a whole number of seconds" in r.text
    # Turned off again: the file loses the table.
    data = form(parent, ask_over="", ask_wait="", ask_valid="", unknown_amount="refuse")
    assert parent.post("/limits/child", data=data).status_code == 302
    assert "ask" not in tomllib.loads(config_file.read_text())["child"][0]


def test_a_child_no_longer_in_the_config_is_not_saved(parent, config_file):
    before = config_file.read_text()
    r = parent.post("/limits/child", data={**form(parent), "child": "Zoe"})
    assert r.status_code == 302 and config_file.read_text() == before
    assert "That child is no longer in the config" in parent.get("/limits").text


def test_lock_now_until_unlocked_then_unlock(parent, ledger):
    parent.post("/limits/lock", data={"csrf_token": parent.csrf, "until": ""})
    page = parent.get("/limits").text
    assert "All purchases are locked until you unlock them" in page and "locked all purchases" in page
    assert page.count("All purchases are locked") == 1 and 'class="flash' not in page  # one banner, not two
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


def test_a_form_filled_in_before_a_change_elsewhere_does_not_overwrite_it(parent, config_file):
    stale = form(parent, day="1")  # the page was loaded; then the file changes (another window, a command)
    config_file.write_text(config_file.read_text().replace('week = "200"', 'week = "150"'))
    after = config_file.read_text()
    r = parent.post("/limits/child", data=stale)
    assert r.status_code == 302 and config_file.read_text() == after
    page = parent.get("/limits").text
    assert "Mia&#39;s limits were changed elsewhere since this page was loaded" in page
    assert '<input name="week" value="150"' in page  # the form shows what is in force now
    # A change to another child in the meantime does not stop a save, and is kept.
    fresh = form(parent, day="45")
    config_file.write_text(config_file.read_text().replace('devices = ["10.0.0.9"]', 'devices = ["10.0.0.8"]'))
    assert parent.post("/limits/child", data=fresh).status_code == 302
    config = configfile.load(config_file)
    assert config.child("Mia").caps.day.amount == 45 and config.child("Leo").devices[0].text == "10.0.0.8"
