"""The phone channels on the Notifications page: add, send a test, route, remove; login and CSRF; addresses kept
out of the config, the database and the page."""

from __future__ import annotations

import stat
import tomllib

import pytest

from guardian.store import changes
from tests.dashboard.conftest import token
from tests.support.channels import Endpoint

TOKEN = "tk_parentsOwnToken12345"


@pytest.fixture
def ntfy():
    endpoint = Endpoint("ntfy", secret=TOKEN).start()
    yield endpoint
    endpoint.stop()


def add(parent, ntfy, **extra):
    data = {
        "csrf_token": parent.csrf,
        "kind": "ntfy",
        "name": "Mum's phone",
        "address": f"{ntfy.base}/kids-4f9a2c",
        "token": TOKEN,
        "events": ["questions", "refusals", "health"],
    }
    return parent.post("/notifications/channels", data=data | extra, follow_redirects=True)


def routes(config_file) -> list[dict]:
    return tomllib.loads(config_file.read_text())["notifications"]["channel"]


def test_adding_a_channel_keeps_its_address_out_of_the_config_the_database_and_the_page(
    parent, ntfy, config_file, ledger
):
    page = add(parent, ntfy).text
    assert "Added mum-s-phone (ntfy http://127.0.0.1:" in page and "/****c +token)" in page
    assert routes(config_file) == [
        {"id": "mum-s-phone", "kind": "ntfy", "name": "Mum's phone", "events": ["questions", "refusals", "health"]}
    ]
    secret = config_file.parent / "channels.secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and TOKEN in secret.read_text()
    assert TOKEN not in config_file.read_text() and "kids-4f9a2c" not in config_file.read_text()
    assert TOKEN not in page and "kids-4f9a2c" not in page
    [change] = changes.recent(ledger.conn, 1)
    assert change.what == "channel mum-s-phone added" and change.author == "parent (dashboard)"
    ledger.conn.execute("PRAGMA wal_checkpoint(FULL)")
    data = b"".join(p.read_bytes() for p in config_file.parent.glob("guardian.db*"))
    assert TOKEN.encode() not in data and b"kids-4f9a2c" not in data


def test_a_wrong_address_is_refused_with_what_to_fix_and_nothing_is_written(parent, ntfy, config_file):
    before = config_file.read_text()
    page = add(parent, ntfy, address="http://192.168.1.5/a/b").text
    assert "Channel not added: expected the topic&#39;s address" in page
    assert config_file.read_text() == before and not (config_file.parent / "channels.secret").exists()


def test_send_a_test_shows_the_channels_answer_in_plain_words(parent, ntfy):
    add(parent, ntfy)
    page = parent.post(
        "/notifications/channels/mum-s-phone/test", data={"csrf_token": parent.csrf}, follow_redirects=True
    )
    # The channel's answer in the household's language (Chinese here), like every answer the channels keep.
    assert "Test to mum-s-phone: ntfy 已接收测试消息。请确认手机收到了。" in page.text
    [got] = ntfy.received
    assert got.title == "Guardian 测试" and "这是 Guardian 的测试消息" in got.text
    ntfy.secret = "tk_changedOnTheServer"  # the parent revoked the token in ntfy
    page = parent.post(
        "/notifications/channels/mum-s-phone/test", data={"csrf_token": parent.csrf}, follow_redirects=True
    )
    assert "ntfy 返回 401：请检查主题的访问令牌" in page.text
    assert '(test): <span lang="zh-CN">ntfy 返回 401' in page.text  # the last answer stays on the page, marked


def test_routes_and_the_urgent_delay_are_saved_to_the_config(parent, ntfy, config_file):
    add(parent, ntfy)
    data = {"csrf_token": parent.csrf, "events-mum-s-phone": ["questions", "weekly"], "escalate_after": "30"}
    page = parent.post("/notifications/routes", data=data, follow_redirects=True).text
    assert "Saved which notifications go where." in page
    assert routes(config_file)[0]["events"] == ["questions", "weekly"]
    assert tomllib.loads(config_file.read_text())["notifications"]["escalate_after"] == 30
    bad = parent.post("/notifications/routes", data=data | {"escalate_after": "-5"}, follow_redirects=True).text
    assert "a whole number from 0 (never) to 3600" in bad


def test_removing_a_channel_deletes_its_address(parent, ntfy, config_file):
    add(parent, ntfy)
    page = parent.post(
        "/notifications/channels/mum-s-phone/remove", data={"csrf_token": parent.csrf}, follow_redirects=True
    )
    assert "Removed mum-s-phone; its address is deleted." in page.text
    assert "channel" not in tomllib.loads(config_file.read_text()).get("notifications", {}) or routes(config_file) == []
    assert TOKEN not in (config_file.parent / "channels.secret").read_text()


def test_every_change_needs_the_parents_login_and_the_forms_token(client, parent, ntfy, config_file):
    before = config_file.read_text()
    assert add(parent, ntfy, csrf_token="forged").status_code == 400
    anonymous = client.application.test_client()
    assert anonymous.get("/notifications").status_code == 302
    assert anonymous.post("/notifications/channels", data={"kind": "ntfy"}).status_code == 400  # no CSRF token
    assert config_file.read_text() == before
    page = parent.get("/notifications").text
    assert token(page) and 'id="add-channel"' in page
