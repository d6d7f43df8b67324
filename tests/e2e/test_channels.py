"""End to end: a purchase held by the real proxy reaches the parent's phone channels through the real dashboard
process (its job, apprise) and local fake services; a burst of 100 stays within the limits and loses none; no
channel address appears in the service's log or the database."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from guardian.catalog.index import Catalog
from guardian.notify import addressbook, addresses
from tests.conftest import household_config
from tests.e2e.test_approvals import Background, decide, table, wait_pending
from tests.e2e.test_enforcement import gift
from tests.support.channels import Endpoint, start_all
from tests.support.dashboard import Dashboard, free_port

pytestmark = pytest.mark.e2e

CHANNELS = """
[notifications]
escalate_after = 0
[[notifications.channel]]
id = "mum-ntfy"
kind = "ntfy"
[[notifications.channel]]
id = "mum-bark"
kind = "bark"
events = ["questions"]
[[notifications.channel]]
id = "wechat"
kind = "pushplus"
events = ["questions"]
"""


def wait_for(check, timeout: float = 20, what: str = "it") -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"{what} did not happen within {timeout} s")


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory):
    endpoints, relay = start_all(tmp_path_factory.mktemp("channels"))
    yield endpoints, relay
    relay.shutdown()
    relay.server_close()
    for e in endpoints.values():
        e.stop()


@pytest.fixture
def household(start_proxy, tmp_path: Path, services):
    endpoints, relay = services
    for e in endpoints.values():
        e.received.clear()

    def start(wait: int) -> tuple:
        port = free_port()
        ask = f'[child.ask]\nover = "20"\nwait = {wait}\n'
        text = household_config(ask) + f'\n[dashboard]\nlisten = "127.0.0.1:{port}"\n' + CHANNELS
        proxy = start_proxy(text)
        book = tmp_path / addressbook.NAME
        e = endpoints
        addressbook.put(book, "mum-ntfy", addresses.parse("ntfy", f"{e['ntfy'].base}/kids-4f9a2c", e["ntfy"].secret))
        addressbook.put(book, "mum-bark", addresses.parse("bark", f"{e['bark'].base}/{e['bark'].secret}/"))
        addressbook.put(book, "wechat", addresses.parse("pushplus", e["pushplus"].secret))
        dashboard = Dashboard(proxy.config, port, env=relay.env()).start()
        started.append(dashboard)
        return proxy, dashboard, endpoints

    started: list[Dashboard] = []
    yield start
    for d in started:
        d.stop()


def test_a_held_purchase_reaches_every_parent_channel_with_its_fields_while_it_waits(household, tmp_path, fake_apps):
    proxy, dashboard, endpoints = household(wait=25)
    db = tmp_path / "guardian.db"
    held = Background(proxy, lambda c: gift(c, 25, streamer="https://evil.example/approve"))
    [asked] = wait_pending(db, proxy=proxy)
    for kind in ("ntfy", "bark", "pushplus"):
        wait_for(lambda k=kind: endpoints[k].received, what=f"the question at {kind}")
    assert not held.done  # the parent's phones buzzed while the purchase is still held
    [message] = endpoints["ntfy"].received
    # In the household's language (Chinese unless the config says otherwise), the app by its own name.
    assert message.title == "Mia 请求消费 25.00 CNY"
    lines = message.text.splitlines()
    assert lines[:4] == [
        "金额：25.00 CNY（25000 gold）",
        f"应用：{Catalog.load().apps['bilibili'].name_in('zh')}礼物",
        "主播 ID：“https：／／evil．example／approve”",
        "设备：127.0.0.1",
    ]
    assert re.fullmatch(r"时间：\d\d-\d\d \d\d:\d\d:\d\d", lines[4]) and lines[5] == f"请求 #{asked['id']}"
    [head] = table(db, "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")
    assert lines[-1] == f"· #{head['seq']} {head['hash'][:16]}"
    decide(db, asked["id"], True)
    assert held.result().headers["Guardian-Decision"] == "allowed"
    assert len(fake_apps.received("sendGoldMultiUser")) == 1


def test_a_burst_of_100_purchases_is_grouped_within_the_limits_and_no_question_is_lost(household, tmp_path):
    proxy, dashboard, endpoints = household(wait=0)
    db = tmp_path / "guardian.db"
    with proxy.client() as c:
        for i in range(100):
            assert gift(c, 21 + i % 40, streamer=f"s{i}").headers["Guardian-Reason"] == "waiting-for-parent"
    asked = {r["id"] for r in table(db, "SELECT id FROM approvals")}
    assert len(asked) == 100

    def seen(e: Endpoint) -> set[int]:
        found = re.findall(r"^• #(\d+) |^请求 #(\d+)$", "\n".join(e.texts()), re.M)
        return {int(a or b) for a, b in found}

    wait_for(lambda: all(seen(endpoints[k]) == asked for k in ("ntfy", "bark", "pushplus")), 60, "every question")
    for kind, per_minute in (("ntfy", 30), ("bark", 30), ("pushplus", 5)):
        times = [r.at for r in endpoints[kind].received]
        assert max(sum(1 for u in times if t - 60 < u <= t) for t in times) <= per_minute, kind
    assert len(endpoints["ntfy"].received) < 100 and len(endpoints["pushplus"].received) < 10  # grouped
    # Addresses are secrets: none is in the service's log or the database.
    log = dashboard.log()
    data = b"".join(p.read_bytes() for p in tmp_path.glob("guardian.db*"))
    for e in endpoints.values():
        assert e.secret not in log and e.secret.encode() not in data, e.kind
    assert "kids-4f9a2c" not in log and b"kids-4f9a2c" not in data
