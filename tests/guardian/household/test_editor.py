"""Editing the config file: comments kept, validated before writing, atomic."""

from __future__ import annotations

import os

import pytest

from guardian.household import editor
from guardian.household.config import ConfigError

TEXT = """# the family's config
[[child]]
name = "Mia"   # our eldest
devices = ["10.0.0.2"]

[child.caps]
day = "50"     # agreed at dinner
"""


def test_edit_keeps_comments_and_untouched_keys(tmp_path):
    path = tmp_path / "guardian.toml"
    path.write_text(TEXT)
    path.chmod(0o640)
    editor.save_child(path, 0, editor.ChildLimits(devices=["10.0.0.3"], caps={"day": "40", "week": "100"}))
    text = path.read_text()
    assert "# the family's config" in text and "# our eldest" in text and "# agreed at dinner" in text
    assert 'day = "40"' in text and 'week = "100"' in text and '"10.0.0.3"' in text
    assert oct(path.stat().st_mode & 0o777) == "0o640"
    assert [p.name for p in tmp_path.iterdir()] == ["guardian.toml"]  # no temporary file left


def test_a_bad_edit_raises_the_loaders_error_and_leaves_the_file(tmp_path):
    path = tmp_path / "guardian.toml"
    path.write_text(TEXT)
    with pytest.raises(ConfigError) as e:
        editor.save_child(path, 0, editor.ChildLimits(devices=["10.0.0.2"], caps={"day": "-1"}))
    assert str(e.value).startswith(f"{path}: Mia's day cap: expected a non-negative amount")
    assert path.read_text() == TEXT
    with pytest.raises(ValueError, match="no child number 3"):
        editor.edit_child(TEXT, 2, editor.ChildLimits())


def test_atomic_write_replaces_in_one_step(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("old")
    inode = path.stat().st_ino
    editor.atomic_write(path, "new")
    assert path.read_text() == "new" and path.stat().st_ino != inode
    assert os.listdir(tmp_path) == ["c.toml"]
