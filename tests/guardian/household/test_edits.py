"""Changes to the config document: children added, renamed and removed by id; the household; rates; ask-a-parent."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tomlkit

from guardian.household import configfile, edits

FILE = Path("guardian.toml")
TEXT = """# the family's config
[household]
currency = "CNY"   # yuan
unknown_devices = "Mia"

[[child]]
name = "Mia"   # our eldest
devices = ["10.0.0.2", "wireguard:mia-phone"]

[child.caps]
day = "50"     # agreed at dinner

[[child]]
name = "Leo"
"""


def apply(change, text: str = TEXT) -> str:
    doc = tomlkit.parse(text)
    change(doc)
    return tomlkit.dumps(doc)


def test_a_new_child_gets_an_explicit_id_its_name_unless_taken():
    text = apply(lambda doc: edits.add_child(doc, " Sam "))
    assert tomllib.loads(text)["child"][2] == {"id": "Sam", "name": "Sam", "devices": []}
    assert "# our eldest" in text and "# agreed at dinner" in text
    # Lily was Mia (her record is kept under "Mia"): a new Mia gets an id of her own.
    doc = tomlkit.parse(TEXT)
    edits.rename_child(doc, "Mia", "Lily")
    edits.rename_child(doc, "Leo", "Leon")
    assert edits.add_child(doc, "Mia") == "Mia-2"
    assert edits.add_child(doc, "Leo ") == "Leo-2"
    config = configfile.parse(tomlkit.dumps(doc), FILE)
    assert [(c.id, c.name) for c in config.children] == [
        ("Mia", "Lily"),
        ("Leo", "Leon"),
        ("Mia-2", "Mia"),
        ("Leo-2", "Leo"),
    ]


def test_the_first_child_of_an_empty_config():
    config = configfile.parse(apply(lambda doc: edits.add_child(doc, "小明"), "# nothing yet\n"), FILE)
    assert [(c.id, c.name) for c in config.children] == [("小明", "小明")]


def test_a_rename_writes_the_id_first_and_follows_unlisted_devices():
    text = apply(lambda doc: edits.rename_child(doc, "Mia", "Lily"))
    config = configfile.parse(text, FILE)
    lily = config.child("Mia")
    assert lily.name == "Lily" and config.household.unknown_devices == "Lily"
    assert [d.text for d in lily.devices] == ["10.0.0.2", "wireguard:mia-phone"]
    assert "# our eldest" in text and "# yuan" in text
    again = configfile.parse(apply(lambda doc: edits.rename_child(doc, "Mia", "Mila"), text), FILE)
    assert (again.child("Mia").name, again.household.unknown_devices) == ("Mila", "Mila")
    with pytest.raises(ValueError, match="there is no child 'Lily' in the config any more"):
        apply(lambda doc: edits.rename_child(doc, "Lily", "Mila"), text)  # children are found by id


def test_removing_a_child_returns_her_devices_unless_unlisted_devices_count_as_her():
    with pytest.raises(ValueError, match="every unlisted device counts as Mia; first let unlisted devices"):
        apply(lambda doc: edits.remove_child(doc, "Mia"))
    text = TEXT.replace('unknown_devices = "Mia"', 'unknown_devices = "allow"')
    doc = tomlkit.parse(text)
    assert edits.remove_child(doc, "Mia") == ["10.0.0.2", "wireguard:mia-phone"]
    assert [c.name for c in configfile.parse(tomlkit.dumps(doc), FILE).children] == ["Leo"]
    assert edits.remove_child(doc, "Leo") == []
    assert "child" not in tomllib.loads(tomlkit.dumps(doc))


def test_limits_with_ask_a_parent_and_unknown_amounts():
    limits = edits.ChildLimits(
        devices=["10.0.0.2"],
        caps={"day": "40", "per_minute": "3"},
        purchases=["sat-sun 10:00-20:00"],
        apps={"kuaishou": [], "bilibili": None},
        ask={"over": "20", "wait": "", "valid": "60"},
        ask_apps=["kuaishou"],
        unknown_amount="ask",
    )
    text = apply(lambda doc: edits.set_limits(doc, "Mia", limits))
    mia = tomllib.loads(text)["child"][0]
    assert mia["ask"] == {"over": "20", "apps": ["kuaishou"], "valid": 60}  # an empty wait: the default, unwritten
    assert mia["unknown_amount"] == "ask" and mia["caps"] == {"day": "40", "per_minute": 3}
    assert mia["windows"] == {"purchases": ["sat-sun 10:00-20:00"], "apps": {"kuaishou": []}}
    child = configfile.parse(text, FILE, ["kuaishou", "bilibili"]).child("Mia")
    assert (child.ask.over.amount, child.ask.apps, child.ask.wait, child.ask.valid) == (20, ("kuaishou",), 25, 60)
    # Nothing asked: the table goes.
    off = edits.ChildLimits(devices=["10.0.0.2"], ask={"over": "", "wait": "", "valid": ""})
    assert "ask" not in tomllib.loads(apply(lambda doc: edits.set_limits(doc, "Mia", off), text))["child"][0]
    # A wait that is not a number is left for the parser to name.
    bad = edits.ChildLimits(ask={"over": "", "wait": "soon", "valid": ""})
    with pytest.raises(ValueError, match="Mia's ask-a-parent wait: expected a whole number of seconds"):
        configfile.parse(apply(lambda doc: edits.set_limits(doc, "Mia", bad)), FILE)


def test_household_settings_and_rates():
    settings = edits.HouseholdSettings("usd", "Europe/Berlin", "sunday", "Leo", "0.0.0.0:8080", "en")
    text = apply(lambda doc: edits.set_household(doc, settings))
    text = apply(lambda doc: edits.set_rates(doc, {"usd": "7.2", "ROBUX": " 0.09 ", "BITS": ""}), text)
    config = configfile.parse(text, FILE)
    h = config.household
    assert (h.currency, h.timezone, h.week_starts, h.unknown_devices, h.language) == (
        "USD",
        "Europe/Berlin",
        6,
        "Leo",
        "en",
    )
    assert (config.proxy.host, config.proxy.port) == ("0.0.0.0", 8080)
    assert {k: str(v) for k, v in h.rates.items()} == {"ROBUX": "0.09", "USD": "7.2"}
    assert "# yuan" in text
    none = apply(lambda doc: edits.set_rates(doc, {"USD": ""}), text)
    assert "rates" not in tomllib.loads(none)["household"]
