"""`guardian rules check`, `guardian rules unrecognised` and `guardian rules coverage`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from guardian.cli import main
from tests.conftest import household_config
from tests.guardian.cli.test_detect import config_with_rates

BAD_RULES = [
    ('app = "x"\nhosts = ["a.example"\nname = 3\n', 3, "not valid TOML"),
    ('app = "x"\nhosts = ["a.example"\n', 2, "not valid TOML: Unclosed array"),
    (
        'app = "myapp"\ncurrency = "CNY"\nhosts = ["shop.example"]\nrefusal = { json = \'{"m": "$message"}\' }\n\n'
        '[[rule]]\nid = "a"\nkind = "gift"\nhost = "shop.example"\npath = "/a"\namount = "n"\n\n'
        '[[rule]]\nid = "b"\nkind = "donation"\nhost = "shop.example"\npath = "/b"\namount = "n"\n',
        15,
        "rule[1].kind: expected one of gift",
    ),
    (
        'app = "myapp"\ncurrency = "CNY"\nhosts = ["shop.example"]\nrefusal = { json = \'{"m": "$message"}\' }\n\n'
        '[[rule]]\nid = "a"\nkind = "gift"\nhost = "shop.example"\npath = "/a"\n',
        6,
        "rule[0].amount: missing",
    ),
    ('app = "myapp"\ncurrency = "CNY"\nhosts = ["shop example"]\n', 3, "hosts: 'shop example' is not a host name"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD_RULES)
def test_rules_check_reports_file_line_and_reason(tmp_path, text, line, reason):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "good.toml").write_text(
        'app = "good"\ncurrency = "CNY"\nhosts = ["good.example"]\nrefusal = { json = \'{}\' }\n'
        '[[rule]]\nid = "g"\nkind = "tip"\nhost = "good.example"\npath = "/tip"\nunknown_amount = true\n',
        encoding="utf-8",
    )  # fmt: skip
    (folder / "mine.toml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "check", str(folder)])
    assert result.exit_code == 1
    assert f"{folder / 'mine.toml'}:{line}: " in result.output
    assert reason in result.output
    assert f"{folder / 'good.toml'}: OK (1 rules)" in result.output


def test_rules_check_passes_the_shipped_rules_and_warns_about_missing_rates(tmp_path, monkeypatch):
    config = tmp_path / "guardian.toml"
    config.write_text(household_config(), encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "check", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "rule files OK" in result.output
    assert "household.rates has no ROBUX rate" in result.output


def test_rules_unrecognised_lists_what_discovery_recorded(tmp_path):
    from guardian.store import unrecognised
    from guardian.store.db import connect

    config = config_with_rates(tmp_path)
    conn = connect(tmp_path / "guardian.db")
    unrecognised.record(conn, "bilibili", "api.live.bilibili.com", "POST", "/xlive/revenue/v9/order/{id}/pay", 1000)
    conn.close()
    result = CliRunner().invoke(main, ["rules", "unrecognised", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert result.output == "bilibili\tPOST api.live.bilibili.com/xlive/revenue/v9/order/{id}/pay\tseen 1x\n"


def test_rules_coverage_lists_rules_sources_host_level_hosts_and_what_is_missed(tmp_path):
    config = config_with_rates(tmp_path)
    result = CliRunner().invoke(main, ["rules", "coverage", "huya", "unionpay", "--config", str(config)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("Huya (huya): amount; prices in CNY\n")
    assert "  huya.gift.consumeGift: gift, amount, confidence medium\n" in text
    assert "    source: OrdinaryRoad-Project/ordinaryroad-live-chat-client@40806cf0" in text
    assert "  host level only: pay.huya.com\n" in text
    assert "  missed: recharge amounts (pay.huya.com is controlled by host only; its API is not public)\n" in text
    assert "UnionPay (unionpay)" in text and "Bilibili" not in text


def test_rules_coverage_as_json_and_with_the_parents_own_apps(tmp_path):
    config = config_with_rates(tmp_path)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "mine.toml").write_text(
        'app = "mine"\ncurrency = "CNY"\nhosts = ["mine.example"]\nrefusal = { json = \'{}\' }\n'
        '[[rule]]\nid = "mine.tip"\nkind = "tip"\nhost = "mine.example"\npath = "/tip"\nunknown_amount = true\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["rules", "coverage", "--json", "--config", str(config)])
    assert result.exit_code == 0, result.output
    apps = {a["id"]: a for a in map(json.loads, result.output.splitlines())}
    assert apps["mine"]["rules"][0]["confidence"] == "not given" and apps["mine"]["seen"] == "amount unknown"
    assert apps["wechatpay"]["left_alone"][0] == "long.weixin.qq.com"
    unknown = CliRunner().invoke(main, ["rules", "coverage", "nosuch", "--config", str(config)])
    assert unknown.exit_code == 1 and "unknown app nosuch; known apps: alipay, apple" in unknown.output
