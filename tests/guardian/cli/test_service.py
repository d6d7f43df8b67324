"""`guardian install` (dry run, who may run it, status) and `guardian stopped` through click's runner."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest
from click.testing import CliRunner

from guardian.cli import authority, main
from guardian.store import outbox
from guardian.store.db import connect
from tests.conftest import household_config


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_install_dry_run_lists_the_plan_and_changes_nothing(tmp_path: Path):
    r = invoke(
        "install", "--dry-run", "--root", str(tmp_path), "--child", "nobody", "--desktop-user", getpass.getuser()
    )
    assert r.exit_code == 0, r.output
    assert "Make Guardian's private folder /var/lib/guardian" in r.output
    assert "Let the children's accounts reach websites only through Guardian (nftables): nobody" in r.output
    assert f"Show Guardian's alerts on {getpass.getuser()}'s desktop (and only there)" in r.output
    assert list(tmp_path.iterdir()) == []


def test_install_refuses_a_child_who_is_the_parent_or_root(tmp_path: Path):
    r = invoke("install", "--dry-run", "--root", str(tmp_path), "--child", "root")
    assert r.exit_code == 1 and "not a child's" in r.output
    r = invoke("install", "--dry-run", "--root", str(tmp_path), "--child", "no-such-kid")
    assert r.exit_code == 1 and "no account called 'no-such-kid'" in r.output


def test_install_and_uninstall_need_an_administrator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(authority.system, "is_admin", lambda: False)
    for args in (("install",), ("install", "--undo")):
        r = invoke(*args, "--root", str(tmp_path))
        assert r.exit_code == 1 and "needs an administrator" in r.output
    assert list(tmp_path.iterdir()) == []


def test_status_says_what_is_missing(tmp_path: Path):
    r = invoke("install", "--status", "--root", str(tmp_path))
    assert r.exit_code == 1
    assert r.output.splitlines()[0] == f"Service: not installed ({tmp_path}/etc/systemd/system/guardian.service)"
    assert "Certificate: not published" in r.output and "Firewall: none" in r.output


@pytest.mark.parametrize(("result", "told"), [("exit-code", True), ("signal", True), ("success", False)])
def test_stopped_tells_the_parent_unless_the_stop_was_asked_for(tmp_path, monkeypatch, result, told):
    config = tmp_path / "guardian.toml"
    config.write_text(household_config(), encoding="utf-8")
    monkeypatch.setenv("SERVICE_RESULT", result)
    monkeypatch.setenv("EXIT_CODE", "killed")
    monkeypatch.setenv("EXIT_STATUS", "KILL")
    r = invoke("stopped", "--config", str(config))
    assert r.exit_code == 0 and f"Guardian stopped: {result} (killed KILL)" in r.output
    notes = outbox.pending(connect(tmp_path / "guardian.db"))
    assert [(n.kind, n.title) for n in notes] == (
        [("service-stopped", "Guardian 已停止 / Guardian stopped")] if told else []
    )


def test_install_status_agent_and_the_plan_speak_chinese_when_the_terminal_does(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("LANGUAGE", "zh_CN")
    r = invoke("install", "--status", "--root", str(tmp_path))
    assert r.output.splitlines()[0] == f"服务：未安装（{tmp_path}/etc/systemd/system/guardian.service）"
    assert "证书：未发布" in r.output and "防火墙：无" in r.output
    r = invoke("install", "--dry-run", "--root", str(tmp_path), "--child", "nobody")
    assert "创建 Guardian 的私有文件夹 /var/lib/guardian" in r.output
    assert "让孩子的账户只能通过 Guardian 访问网站（nftables）：nobody" in r.output
    assert "写入 " in r.output and "运行 " in r.output  # each change too
    r = invoke("agent", "--token-file", str(tmp_path / "missing"))
    assert (
        r.exit_code == 0 and r.output == f"这个账户没有 Guardian 提醒（缺少 {tmp_path / 'missing'}）：无需做任何事。\n"
    )
