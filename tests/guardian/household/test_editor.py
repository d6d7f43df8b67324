"""Writing the config file: comments kept, validated before writing, atomic, one writer at a time."""

from __future__ import annotations

import os
import threading
import time

import pytest

from guardian.household import configfile, editor, edits
from guardian.household.config import ConfigError

TEXT = """# the family's config
[[child]]
name = "Mia"   # our eldest
devices = ["10.0.0.2"]

[child.caps]
day = "50"     # agreed at dinner
"""


def limits(**caps: str) -> edits.ChildLimits:
    return edits.ChildLimits(devices=["10.0.0.3"], caps=caps)


def test_an_edit_keeps_comments_and_untouched_keys(tmp_path):
    path = tmp_path / "guardian.toml"
    path.write_text(TEXT)
    path.chmod(0o640)
    config, _ = editor.update(path, lambda doc: edits.set_limits(doc, "Mia", limits(day="40", week="100")))
    assert config.child("Mia").caps.day.amount == 40
    text = path.read_text()
    assert "# the family's config" in text and "# our eldest" in text and "# agreed at dinner" in text
    assert 'day = "40"' in text and 'week = "100"' in text and '"10.0.0.3"' in text
    assert oct(path.stat().st_mode & 0o777) == "0o640"
    assert [p.name for p in tmp_path.iterdir()] == ["guardian.toml"]  # no temporary or lock file left


def test_a_bad_edit_raises_the_loaders_error_and_leaves_the_file(tmp_path):
    path = tmp_path / "guardian.toml"
    path.write_text(TEXT)
    with pytest.raises(ConfigError) as e:
        editor.update(path, lambda doc: edits.set_limits(doc, "Mia", limits(day="-1")))
    assert str(e.value).startswith(f"{path}: Mia's day cap: expected a non-negative amount")
    assert e.value.plain.startswith("Mia's day cap: expected a non-negative amount")
    assert path.read_text() == TEXT
    with pytest.raises(ValueError, match="there is no child 'Zoe' in the config any more"):
        editor.update(path, lambda doc: edits.set_limits(doc, "Zoe", limits()))
    assert path.read_text() == TEXT


def test_a_form_made_from_values_changed_since_is_refused(tmp_path):
    path = tmp_path / "guardian.toml"
    path.write_text(TEXT)

    def expect(current):
        if current.child("Mia").caps.day.amount != 60:
            raise editor.Conflict("Mia's limits changed since the page was loaded")

    with pytest.raises(editor.Conflict):
        editor.update(path, lambda doc: edits.set_limits(doc, "Mia", limits(day="1")), expect=expect)
    assert path.read_text() == TEXT


def test_a_change_made_under_the_edit_is_never_overwritten(tmp_path):
    path = tmp_path / "guardian.toml"
    path.write_text(TEXT)

    def change(doc):  # a text editor saves while the dashboard is between reading and writing
        path.write_text(TEXT.replace('"50"', '"45"'))
        edits.set_limits(doc, "Mia", limits(day="40"))

    with pytest.raises(editor.Conflict, match="changed by something else while saving"):
        editor.update(path, change)
    assert 'day = "45"' in path.read_text()


def test_writers_take_turns_and_each_keeps_the_others_change(tmp_path):
    path = tmp_path / "guardian.toml"
    path.write_text(TEXT + '\n[[child]]\nname = "Leo"\ndevices = []\n')
    inside = threading.Event()

    def slow(doc):
        inside.set()
        time.sleep(0.3)  # the other writer must wait for this one, then see its change
        edits.set_limits(doc, "Mia", edits.ChildLimits(devices=["10.0.0.2"], caps={"day": "40"}))

    first = threading.Thread(target=editor.update, args=(path, slow))
    first.start()
    inside.wait(5)
    editor.update(path, lambda doc: edits.set_limits(doc, "Leo", edits.ChildLimits(caps={"week": "70"})))
    first.join(5)
    config = configfile.load(path)
    assert config.child("Mia").caps.day.amount == 40 and config.child("Leo").caps.week.amount == 70


def test_atomic_write_replaces_in_one_step(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("old")
    inode = path.stat().st_ino
    editor.atomic_write(path, "new")
    assert path.read_text() == "new" and path.stat().st_ino != inode
    assert os.listdir(tmp_path) == ["c.toml"]
