"""The config and the catalog loaded together: the parent's own rule files make their apps known to the config."""

import textwrap
from pathlib import Path

import pytest

from guardian import settings
from guardian.catalog.index import Catalog
from guardian.household.config import ConfigError


def test_settings_knows_the_parents_own_apps(tmp_path: Path) -> None:
    path = tmp_path / "guardian.toml"
    path.write_text('[[child]]\nname = "Mia"\n[child.windows.apps]\nmyapp = ["daily 10:00-11:00"]\n', encoding="utf-8")
    known = ", ".join(sorted(Catalog.load().apps))
    with pytest.raises(ConfigError, match=rf"child\[0\]\.windows\.apps\.myapp: unknown app; known apps: {known}$"):
        settings.load(path)
    rules = tmp_path / "rules"  # guardian.home.rules_dir: beside the config
    rules.mkdir()
    (rules / "myapp.toml").write_text(
        textwrap.dedent(
            """\
            app = "myapp"
            currency = "CNY"
            hosts = ["*.myapp.example"]
            refusal = { json = '{"status": 1, "message": "$message"}' }
            [[rule]]
            id = "myapp.gift"
            kind = "gift"
            host = "pay.myapp.example"
            path = "/gift"
            amount = "price"
            """
        ),
        encoding="utf-8",
    )
    s = settings.load(path)
    assert "myapp" in s.catalog.apps
    assert s.config.children[0].app_schedule("myapp").texts() == ["daily 10:00-11:00"]
    assert settings.watched_files(path) == [rules / "myapp.toml"]
