"""The Household page: children added, renamed (keeping their record) and removed; settings; exchange rates."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import UTC, datetime

from guardian.household import configfile
from guardian.setup import phones, wireguard
from tests.dashboard.conftest import add
from tests.dashboard.test_approvals import ask


def version(client, form: str) -> str:
    page = client.get("/household").text
    section = page.split(f'action="/household/{form}"', 1)[1]
    return re.search(r'name="version" value="([0-9a-f]+)"', section).group(1)


def settings(client, **changes: str) -> dict:
    data = {
        "csrf_token": client.csrf,
        "version": version(client, "settings"),
        "currency": "CNY",
        "timezone": "Asia/Shanghai",
        "week_starts": "monday",
        "unknown_devices": "allow",
        "listen": "127.0.0.1:8080",
    }
    data.update(changes)
    return data


def post(client, path: str, **data: str):
    return client.post(path, data={"csrf_token": client.csrf, **data})


def test_the_page_lists_the_children_with_a_correct_plural(parent, config_file):
    page = parent.get("/household").text
    assert "2 children" in page and 'href="/household"' in page
    assert 'data-child="Mia"' in page and 'data-child="Leo"' in page
    config_file.write_text(config_file.read_text().split('\n[[child]]\nname = "Leo"')[0])
    assert "1 child<" in parent.get("/household").text


def test_adding_a_child_writes_an_explicit_id_and_records_it(parent, config_file, ledger):
    r = post(parent, "/household/children", name="Sam")
    assert r.status_code == 302 and r.location.endswith("/limits#child-Sam")
    sam = tomllib.loads(config_file.read_text())["child"][2]
    assert sam == {"id": "Sam", "name": "Sam", "devices": []}
    assert "# keep me: a parent's comment" in config_file.read_text()
    page = parent.get("/limits").text
    assert "Added Sam. Now list Sam&#39;s devices" in page and 'id="child-Sam"' in page and "added Sam" in page
    # A second Sam is refused with the loader's words; nothing is written.
    before = config_file.read_text()
    post(parent, "/household/children", name="Sam")
    assert "Sam was not added: Sam&#39;s name: two children are called &#39;Sam&#39;" in parent.get("/household").text
    assert config_file.read_text() == before
    post(parent, "/household/children", name="  ")
    assert "Not added: give the child a name" in parent.get("/household").text
    kinds = [k for (k,) in ledger.conn.execute("SELECT kind FROM journal")]
    assert kinds == ["limit-change"]


def test_a_rename_keeps_spending_history_questions_and_evidence(parent, config_file, ledger):
    now = datetime.now(UTC)
    add(ledger, amount="20", at=now)  # Mia spent 20 of her 50 today
    question = ask(ledger, "25", "streamer-7")
    r = post(parent, "/household/rename", child="Mia", name="Mila")
    assert r.status_code == 302
    config = configfile.load(config_file)
    assert config.child("Mia").name == "Mila"
    assert 'id = "Mia"' in config_file.read_text() and "# keep me: a parent's comment" in config_file.read_text()
    page = parent.get("/household").text
    assert "Mia is now called Mila. Spending, history, questions and evidence stay with Mila." in page
    assert "renamed Mila" in parent.get("/limits").text and "name: Mia → Mila" in parent.get("/limits").text
    week = parent.get("/week").text
    assert "<h2>Mila " in week and "20.00 of 50.00 CNY" in week and "<h2>Mia " not in week
    live = parent.get("/").text
    assert "<td>Mila</td>" in live and '<option value="Mia">Mila</option>' in live
    assert "<td>Mila</td>" in parent.get("/approvals").text
    parent.post(f"/approvals/{question}/deny", data={"csrf_token": parent.csrf})
    assert "Denied: Mila, 25 CNY" in parent.get("/approvals").text
    with parent.get(f"/evidence/export?child=Mia&from={now:%Y-%m-%d}&to={now:%Y-%m-%d}&format=json") as r:
        doc = json.loads(r.data)
    assert (doc["child"], doc["child_id"], len(doc["attempts"])) == ("Mila", "Mia", 1)
    assert '<option value="Mia">Mila</option>' in parent.get("/evidence").text


def test_a_rename_to_a_taken_name_or_of_a_child_gone_is_refused(parent, config_file):
    before = config_file.read_text()
    post(parent, "/household/rename", child="Leo", name="Mia")
    assert "Leo was not renamed: Mia&#39;s name: two children are called &#39;Mia&#39;" in parent.get("/household").text
    post(parent, "/household/rename", child="Zoe", name="Zed")
    assert "That child is no longer in the config" in parent.get("/household").text
    assert config_file.read_text() == before


def test_removing_a_child_needs_a_tick_and_closes_her_phones_tunnels(parent, config_file):
    phones.add(config_file, "Leo", "leo-phone")
    before = config_file.read_text()
    post(parent, "/household/remove", child="Leo")
    assert "Leo was not removed: tick the box to confirm" in parent.get("/household").text
    assert config_file.read_text() == before
    post(parent, "/household/remove", child="Leo", confirm="yes")
    page = parent.get("/household").text
    assert "Removed Leo. Purchases already recorded stay in the record" in page and "leo-phone" in page
    assert [c.name for c in configfile.load(config_file).children] == ["Mia"]
    assert wireguard.tunnels(config_file) == {}
    assert "removed Leo" in parent.get("/limits").text


def test_the_child_unlisted_devices_count_as_is_not_removed(parent, config_file):
    config_file.write_text(config_file.read_text().replace('unknown_devices = "allow"', 'unknown_devices = "Mia"'))
    post(parent, "/household/remove", child="Mia", confirm="yes")
    assert "Mia was not removed: every unlisted device counts as Mia" in parent.get("/household").text
    assert configfile.load(config_file).child("Mia") is not None


def test_household_settings(parent, config_file, ledger):
    r = parent.post(
        "/household/settings",
        data=settings(parent, timezone="Europe/Berlin", unknown_devices="Leo", listen="0.0.0.0:8080"),
    )
    assert r.status_code == 302
    config = configfile.load(config_file)
    assert config.household.timezone == "Europe/Berlin" and config.household.unknown_devices == "Leo"
    assert (config.proxy.host, config.proxy.port) == ("0.0.0.0", 8080)
    page = parent.get("/household").text
    assert "The proxy&#39;s address applies when Guardian next starts" in page
    assert '<option value="Leo" selected>count as Leo</option>' in page
    assert "household settings" in parent.get("/limits").text
    # Mistakes are named in a parent's words; nothing is written.
    before = config_file.read_text()
    parent.post("/household/settings", data=settings(parent, timezone="Mars/Olympus"))
    assert "Not saved: the household&#39;s time zone: unknown time zone &#39;Mars/Olympus&#39;" in (
        parent.get("/household").text
    )
    parent.post("/household/settings", data=settings(parent, listen="everywhere"))
    assert "Not saved: the proxy&#39;s address: expected HOST:PORT" in parent.get("/household").text
    assert config_file.read_text() == before


def test_a_settings_form_from_before_a_change_elsewhere_is_refused(parent, config_file):
    stale = settings(parent, currency="USD")
    config_file.write_text(config_file.read_text().replace('timezone = "Asia/Shanghai"', 'timezone = "Asia/Taipei"'))
    after = config_file.read_text()
    parent.post("/household/settings", data=stale)
    assert "The household settings were changed elsewhere since this page was loaded" in parent.get("/household").text
    assert config_file.read_text() == after


def test_rates_are_offered_for_each_app_unit_and_saved_once_confirmed(parent, config_file):
    page = parent.get("/household").text
    assert "No rate yet for BITS, ROBUX, TIKTOK_COINS, USD" in page
    rows = {m[0]: m[1] for m in re.findall(r'data-unit="(\w+)">.*?name="rate"[^>]*value="([^"]*)"', page, re.S)}
    assert rows == {"BITS": "0.1", "ROBUX": "0.091", "TIKTOK_COINS": "0.1", "USD": "7.2"}
    assert page.count("suggested, not saved") == 4
    assert "rates" not in tomllib.loads(config_file.read_text())["household"]  # offered, not in force
    data = {
        "csrf_token": parent.csrf,
        "version": version(parent, "rates"),
        "code": ["BITS", "ROBUX", "TIKTOK_COINS", "USD"],
        "rate": ["0.1", "0.09", "", "7.1"],
        "new_code": "gbp",
        "new_rate": "9.2",
    }
    assert parent.post("/household/rates", data=data).status_code == 302
    rates = configfile.load(config_file).household.rates
    assert {k: str(v) for k, v in rates.items()} == {"BITS": "0.1", "GBP": "9.2", "ROBUX": "0.09", "USD": "7.1"}
    page = parent.get("/household").text
    assert "Saved the exchange rates" in page and "No rate yet for TIKTOK_COINS:" in page
    assert page.count("suggested, not saved") == 1
    # A rate that is not a number: the loader's words, nothing written.
    before = config_file.read_text()
    data.update(version=version(parent, "rates"), rate=["lots", "0.09", "", "7.1"], new_code="")
    parent.post("/household/rates", data=data)
    assert "Rates not saved: the exchange rates: rate for BITS: expected a positive number" in (
        parent.get("/household").text
    )
    assert config_file.read_text() == before
