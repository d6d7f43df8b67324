"""`guardian run` and `guardian mitmdump`: one proxy listener per listed phone that has its keys, the data
directory's certificate and the config's address, and one line when another Guardian holds them."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from guardian.cli import main, run
from guardian.setup import wireguard
from tests.conftest import household_config
from tests.guardian.setup.test_running import serve


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
    monkeypatch.setattr(run.running, "busy", lambda *a: None)  # whatever this machine has on port 8080
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


def listening_config(tmp_path: Path, proxy: int, board: int) -> Path:
    config = tmp_path / "guardian.toml"
    config.write_text(
        household_config() + f'[proxy]\nlisten = "127.0.0.1:{proxy}"\n[dashboard]\nlisten = "127.0.0.1:{board}"\n'
    )
    return config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("command", [["run"], ["run", "--proxy-only"], ["mitmdump"]])
def test_a_second_guardian_says_in_one_line_that_one_runs_and_where(tmp_path: Path, command: list[str], monkeypatch):
    monkeypatch.setattr(run.subprocess, "Popen", lambda *a, **k: pytest.fail("started a second proxy"))
    board = serve("Guardian")  # the first Guardian's dashboard ...
    with socket.create_server(("127.0.0.1", 0)) as proxy:  # ... and its proxy
        board_port, proxy_port = board.server_address[1], proxy.getsockname()[1]
        config = listening_config(tmp_path, proxy_port, board_port)
        r = CliRunner().invoke(main, [*command, "--config", str(config)])
    board.shutdown()
    board.server_close()
    assert r.exit_code == 1
    assert r.output.splitlines() == [
        f"Error: Guardian is already running on this computer (proxy 127.0.0.1:{proxy_port}, dashboard "
        f"http://127.0.0.1:{board_port}/): the service, or another `guardian run`. Use that one, or stop it first."
    ]


def test_an_address_another_program_holds_is_named_with_the_config(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(run.subprocess, "Popen", lambda *a, **k: pytest.fail("started a proxy"))
    with socket.create_server(("127.0.0.1", 0)) as other:
        port = other.getsockname()[1]
        config = listening_config(tmp_path, free_port(), port)
        r = CliRunner().invoke(main, ["run", "--config", str(config)])
        assert r.exit_code == 1 and len(r.output.splitlines()) == 1
        assert f"127.0.0.1:{port} is already in use" in r.output and str(config) in r.output
        # The proxy alone does not need the dashboard's address.
        monkeypatch.setattr(run, "become", Started)
        r = CliRunner().invoke(main, ["mitmdump", "--config", str(config), "--set", "flow_detail=2"])
    assert r.exit_code == 0, r.output


class Started:
    commands: list[list[str]] = []

    def __init__(self, cmd):
        Started.commands.append(cmd)


def test_mitmdump_is_guardians_proxy_with_the_data_directorys_certificate_and_the_configs_address(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(run, "become", Started)
    port = free_port()
    config = listening_config(tmp_path, port, free_port())
    r = CliRunner().invoke(main, ["mitmdump", "--config", str(config), "--set", "flow_detail=2", "-q"])
    assert r.exit_code == 0, r.output
    cmd = Started.commands[-1]
    assert cmd[0].endswith("mitmdump") and cmd[-3:] == ["--set", "flow_detail=2", "-q"]  # ARGS last: they win
    pairs = {cmd[i]: cmd[i + 1] for i in range(len(cmd) - 1) if cmd[i].startswith("-")}
    assert pairs["-s"] == str(run.ADDON)
    assert f"confdir={tmp_path / 'mitmproxy'}" in cmd and f"guardian_config={config}" in cmd
    assert (pairs["--listen-host"], pairs["--listen-port"]) == ("127.0.0.1", str(port))


def test_the_extra_arguments_reach_a_real_mitmdump(tmp_path):
    # --version makes mitmdump print and leave before it listens: the arguments got through in one piece.
    config = listening_config(tmp_path, free_port(), free_port())
    guardian = Path(sys.executable).parent / "guardian"
    r = subprocess.run(
        [str(guardian), "mitmdump", "--config", str(config), "--version"], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0 and "Mitmproxy: 12." in r.stdout, r.stderr
