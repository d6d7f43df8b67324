"""`guardian run`: one proxy listener per listed phone that has its keys."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from guardian.cli import main, run
from guardian.setup import wireguard
from tests.conftest import household_config


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_run_starts_a_listener_per_listed_phone(tmp_path: Path, monkeypatch):
    config = tmp_path / "guardian.toml"
    config.write_text(household_config().replace('devices = ["127.0.0.1"]', 'devices = ["wireguard:mia-phone"]'))
    started: list[list[str]] = []

    class Done:
        def __init__(self, cmd, **_):
            started.append(cmd)

        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(run.subprocess, "Popen", Done)
    monkeypatch.setattr(run.signal, "signal", lambda *a: None)
    invoke("run", "--proxy-only", "--config", str(config))
    assert "--mode" not in started[0]  # listed, but no keys yet: nothing to listen for
    tunnel = wireguard.create(config, "mia-phone")
    wireguard.create(config, "unlisted")
    invoke("run", "--proxy-only", "--config", str(config))
    cmd = started[1]
    modes = [cmd[i + 1] for i, arg in enumerate(cmd) if arg == "--mode"]
    assert modes == ["regular", f"wireguard:{tunnel.path}@0.0.0.0:{tunnel.port}"]


def test_check_names_the_config_or_its_mistake(tmp_path: Path):
    config = tmp_path / "guardian.toml"
    config.write_text(household_config())
    r = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert r.exit_code == 0 and r.stdout.startswith(f"{config}: OK (1 child, ")
    config.write_text(household_config() + '[[child]]\nname = "Leo"\n')
    r = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert r.exit_code == 0 and r.stdout.startswith(f"{config}: OK (2 children, ")
    config.write_text(household_config().replace('currency = "CNY"', 'currency = "yuan"'))
    r = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert r.exit_code == 1
    assert f"Error: {config}:2: the household's currency: expected a three-letter currency" in r.output
    # A child's setting is named as the parent knows it, with the line to find it.
    config.write_text(household_config('[child.caps]\nday = "fifty"\n'))
    r = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert r.exit_code == 1 and "child[" not in r.output
    assert f"Error: {config}:12: Mia's day cap: expected a non-negative amount" in r.output


def test_check_warns_about_units_without_a_rate(tmp_path: Path):
    config = tmp_path / "guardian.toml"
    config.write_text(
        household_config().replace(
            'unknown_devices = "allow"\n', 'unknown_devices = "allow"\nrates = { USD = "7.2", ROBUX = "0.09" }\n'
        )
    )
    r = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert r.exit_code == 0, r.output
    assert (
        f"warning: {config}: household.rates has no BITS rate; purchases in twitch are read but refused as "
        "unreadable, since no household amount can be given"
    ) in r.stderr
    assert "no TIKTOK_COINS rate; purchases in tiktok" in r.stderr
    assert "no ROBUX rate" not in r.stderr and "no USD rate" not in r.stderr  # these have rates
