import os
from decimal import Decimal
from pathlib import Path

import pytest

from guardian import settings
from guardian.catalog.index import Catalog
from guardian.household import config, configfile
from guardian.household.config import ConfigError
from guardian.household.money import Money
from guardian.household.reload import Follower

GOOD = '[[child]]\nname = "Mia"\n[child.caps]\nday = "{day}"\n'
RULE = """\
app = "{app}"
currency = "CNY"
hosts = ["*.{app}.example"]
refusal = {{ json = '{{"error": "$message"}}' }}
[[rule]]
id = "{app}.pay"
kind = "{kind}"
host = "pay.{app}.example"
path = "/pay"
amount = "total"
"""

_tick = [1_700_000_000_000_000_000]


def write(path: Path, text: str) -> None:
    """Write and give the file a new mtime, so the change shows even within one clock tick."""
    path.write_text(text, encoding="utf-8")
    _tick[0] += 1_000_000_000
    os.utime(path, ns=(_tick[0], _tick[0]))


def day_cap(c: config.Config) -> Money:
    return c.children[0].caps.day


@pytest.fixture
def path(tmp_path: Path) -> Path:
    p = tmp_path / "guardian.toml"
    write(p, GOOD.format(day="50"))
    return p


def test_first_load(path: Path) -> None:
    f = Follower(path, configfile.load)
    assert day_cap(f.current) == Money(Decimal(50), "CNY")
    assert f.error is None
    assert f.poll() is None  # nothing changed


def test_first_load_must_succeed(tmp_path: Path) -> None:
    path = tmp_path / "guardian.toml"
    write(path, GOOD.format(day="lots"))
    with pytest.raises(ConfigError, match="Mia's day cap"):
        Follower(path, configfile.load)


def test_picks_up_a_changed_file(path: Path) -> None:
    f = Follower(path, configfile.load)
    write(path, GOOD.format(day="80"))
    new = f.poll()
    assert new is not None and day_cap(new) == Money(Decimal(80), "CNY")
    assert f.current is new
    assert f.poll() is None


def test_same_size_edit_is_seen(path: Path) -> None:
    f = Follower(path, configfile.load)
    write(path, GOOD.format(day="60"))  # same length as "50"
    assert day_cap(f.poll()) == Money(Decimal(60), "CNY")


def test_unchanged_file_is_not_reloaded(path: Path) -> None:
    loads: list[Path] = []

    def load(p: Path) -> config.Config:
        loads.append(p)
        return configfile.load(p)

    f = Follower(path, load)
    for _ in range(3):
        assert f.poll() is None
    assert loads == [path]


def test_bad_edit_keeps_the_last_good_config_and_a_good_edit_clears_the_error(path: Path) -> None:
    f = Follower(path, configfile.load)
    good = f.current
    write(path, GOOD.format(day="lots"))
    assert f.poll() is None
    assert f.current is good
    assert f.error == f'{path}: Mia\'s day cap: expected a non-negative amount like "30" or "18.8", got \'lots\''
    # Polling again without a change neither retries nor forgets the error.
    assert f.poll() is None
    assert f.error is not None and f.current is good

    write(path, GOOD.format(day="70"))
    new = f.poll()
    assert new is not None and day_cap(new) == Money(Decimal(70), "CNY")
    assert f.error is None and f.current is new


def test_bad_toml_edit(path: Path) -> None:
    f = Follower(path, configfile.load)
    write(path, "[[child]\n")
    assert f.poll() is None
    assert f.error.startswith(f"{path}: not valid TOML: ")
    assert day_cap(f.current) == Money(Decimal(50), "CNY")


def test_deleted_file_keeps_the_last_good_config(path: Path) -> None:
    f = Follower(path, configfile.load)
    path.unlink()
    assert f.poll() is None
    assert f.error == f"{path}: cannot read the config: No such file or directory"
    assert day_cap(f.current) == Money(Decimal(50), "CNY")
    write(path, GOOD.format(day="90"))
    assert day_cap(f.poll()) == Money(Decimal(90), "CNY")
    assert f.error is None


def test_follows_the_parents_rule_files(path: Path) -> None:
    rules = path.parent / "rules"
    f = Follower(path, settings.load, lambda: settings.watched_files(path))
    assert "acme" not in f.current.catalog.apps

    rules.mkdir()
    write(rules / "acme.toml", RULE.format(app="acme", kind="tip"))
    new = f.poll()
    assert new is not None and new.catalog.apps["acme"].rules[0].kind == "tip"

    write(rules / "acme.toml", RULE.format(app="acme", kind="bribe"))
    assert f.poll() is None
    assert (
        f.error == f"{rules / 'acme.toml'}: rule[0].kind: "
        "expected one of gift, recharge, superchat, tip, subscription, checkout"
    )
    assert f.current is new

    write(rules / "acme.toml", RULE.format(app="acme", kind="gift"))
    assert f.poll().catalog.apps["acme"].rules[0].kind == "gift"
    assert f.error is None


def test_a_config_naming_an_app_from_a_removed_rule_file_is_refused(path: Path) -> None:
    rules = path.parent / "rules"
    rules.mkdir()
    write(rules / "acme.toml", RULE.format(app="acme", kind="tip"))
    write(path, GOOD.format(day="50") + '[child.windows.apps]\nacme = ["daily 10:00-11:00"]\n')
    f = Follower(path, settings.load, lambda: settings.watched_files(path))
    assert f.current.config.children[0].app_schedule("acme").texts() == ["daily 10:00-11:00"]
    (rules / "acme.toml").unlink()
    assert f.poll() is None
    assert f.error == f"{path}: Mia's hours for acme: unknown app; known apps: {', '.join(sorted(Catalog.load().apps))}"
