"""End to end: ask a parent. A real mitmdump holds a purchase while a parent answers through the core or the CLI."""

from __future__ import annotations

import getpass
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from guardian.store import approvals
from guardian.store.db import connect
from tests.conftest import household_config
from tests.e2e.test_enforcement import gift, rows, wait_settled

pytestmark = pytest.mark.e2e

GUARDIAN = Path(sys.executable).parent / "guardian"
DOUYIN_RECHARGE = "https://www.douyin.com/webcast/wallet_api/diamond_buy_external_safe/"
NAVIGATE = {"Accept": "text/html", "Sec-Fetch-Mode": "navigate"}


def ask(wait: int, over: str = "20", caps: str = "") -> str:
    return household_config(f'[child.ask]\nover = "{over}"\nwait = {wait}\nvalid = 30\n' + caps)


def now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def decide(db: Path, approval_id: int, approve: bool, over_cap: bool = False) -> approvals.Approval:
    """A parent answering through the core API, as the dashboard does, from another thread and connection."""
    conn = connect(db)
    try:
        return approvals.decide(conn, approval_id, approve, "mum", "test", now_ms(), over_cap)
    finally:
        conn.close()


def table(db: Path, sql: str) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def wait_pending(db: Path, count: int = 1, timeout: float = 10, proxy=None) -> list[dict]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if db.exists():
            try:
                found = table(db, "SELECT * FROM approvals WHERE state = 'pending' ORDER BY id")
            except sqlite3.OperationalError:  # the proxy has not created the table yet
                found = []
            if len(found) >= count:
                return found
        time.sleep(0.05)
    raise AssertionError(f"no {count} pending approvals after {timeout} s\n" + (proxy.log() if proxy else ""))


class Background:
    """One purchase sent from a thread, so the test can answer while the proxy holds it."""

    def __init__(self, proxy, send):
        self.response: httpx.Response | None = None
        self.error: Exception | None = None

        def run() -> None:
            try:
                with proxy.client() as c:
                    self.response = send(c)
            except Exception as e:  # noqa: BLE001 - reported by the test
                self.error = e

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def result(self, timeout: float = 30) -> httpx.Response:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the held purchase never finished"
        assert self.error is None, self.error
        assert self.response is not None
        return self.response

    @property
    def done(self) -> bool:
        return not self.thread.is_alive()


def test_a_held_purchase_approved_on_the_command_line_reaches_the_app(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(ask(wait=20))
    db = tmp_path / "guardian.db"
    held = Background(proxy, lambda c: gift(c, 25, streamer="7734"))
    [pending] = wait_pending(db, proxy=proxy)
    assert (pending["child"], pending["app"], pending["amount"], pending["recipient"]) == (
        "Mia",
        "bilibili",
        "25",
        "7734",
    )
    time.sleep(0.5)
    assert not held.done and fake_apps.received("sendGoldMultiUser") == []
    listed = subprocess.run([GUARDIAN, "approvals", "list", "--config", proxy.config], capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr
    assert f"#{pending['id']}" in listed.stdout and "25 CNY" in listed.stdout and "waiting" in listed.stdout
    approved = subprocess.run(
        [GUARDIAN, "approvals", "approve", str(pending["id"]), "--config", proxy.config], capture_output=True, text=True
    )
    assert approved.returncode == 0, approved.stderr
    r = held.result()
    assert r.status_code == 200 and r.json()["code"] == 0
    assert r.headers["Guardian-Decision"] == "allowed"
    assert len(fake_apps.received("sendGoldMultiUser")) == 1
    asked, allowed = wait_settled(db, 2)
    assert (asked["decision"], asked["reason"], asked["outcome"]) == (
        "blocked",
        "waiting-for-parent",
        "never-contacted",
    )
    assert (allowed["decision"], allowed["outcome"], allowed["amount"]) == ("allowed", "accepted", "25")
    [done] = table(db, "SELECT * FROM approvals")
    assert (done["state"], done["decided_by"], done["decided_via"]) == (
        "used",
        f"administrator {getpass.getuser()}",
        "command line",
    )
    assert (done["attempt_id"], done["used_attempt"]) == (asked["id"], allowed["id"])
    kinds = [e["kind"] for e in table(db, "SELECT kind FROM journal ORDER BY seq")]
    assert kinds == ["attempt", "approval-asked", "approval-decided", "attempt", "approval-used", "outcome"]
    [note] = table(db, "SELECT * FROM outbox")
    assert (note["kind"], note["child"], note["link"]) == ("approval", "Mia", "/approvals")
    assert "25 CNY" in note["title"] and "“待您确认”" in note["body"]  # the household's language: Chinese
    assert "guardian approvals" not in note["body"]  # no command that answers: the child may see it


def test_a_denied_purchase_never_reaches_the_app_and_the_no_stands(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(ask(wait=20))
    db = tmp_path / "guardian.db"
    held = Background(proxy, lambda c: gift(c, 25))
    [pending] = wait_pending(db)
    decide(db, pending["id"], approve=False)
    r = held.result()
    assert r.headers["Guardian-Reason"] == "parent-denied"
    assert "A parent said no" in r.json()["message"]
    with proxy.client() as c:
        again = gift(c, 25)  # the same purchase again: refused at once, no new question
    assert again.headers["Guardian-Reason"] == "parent-denied"
    assert fake_apps.received("sendGoldMultiUser") == []
    assert len(table(db, "SELECT * FROM approvals")) == 1
    assert [(r["decision"], r["reason"]) for r in rows(db)] == [
        ("blocked", "waiting-for-parent"),
        ("blocked", "parent-denied"),
        ("blocked", "parent-denied"),
    ]


def test_a_late_approval_lets_the_retried_purchase_pass_exactly_once(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(ask(wait=2))
    db = tmp_path / "guardian.db"
    with proxy.client() as c:
        timed_out = gift(c, 25)
        assert timed_out.headers["Guardian-Reason"] == "waiting-for-parent"
        assert "A parent has been asked" in timed_out.json()["message"]
        [pending] = wait_pending(db)
        assert fake_apps.received("sendGoldMultiUser") == []
        decide(db, pending["id"], approve=True)
        retried = gift(c, 25)
        assert retried.headers["Guardian-Decision"] == "allowed" and retried.json()["code"] == 0
        assert len(fake_apps.received("sendGoldMultiUser")) == 1
    third = Background(proxy, lambda c: gift(c, 25))
    [new] = wait_pending(db)  # held again: a new question to the parent
    assert new["id"] != pending["id"]
    assert not third.done
    assert third.result().headers["Guardian-Reason"] == "waiting-for-parent"
    assert len(fake_apps.received("sendGoldMultiUser")) == 1
    assert table(db, f"SELECT state FROM approvals WHERE id = {pending['id']}") == [{"state": "used"}]


def test_ten_ordinary_requests_complete_while_a_purchase_is_held(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(ask(wait=60))
    db = tmp_path / "guardian.db"
    held = Background(proxy, lambda c: gift(c, 25))
    [pending] = wait_pending(db)
    with proxy.client() as app, proxy.client() as elsewhere:
        # The held purchase's own app host, a purchase below the threshold, and another site.
        same_host = [
            app.get("https://api.live.bilibili.com/xlive/web-room/v1/index/getInfo", params={"i": i}) for i in range(5)
        ]
        small = gift(app, 1)
        other = [elsewhere.get(f"https://news.example/{i}") for i in range(4)]
    still = table(db, f"SELECT state FROM approvals WHERE id = {pending['id']}")
    assert still == [{"state": "pending"}] and not held.done  # all ten finished while the purchase was held
    assert [r.status_code for r in same_host + other] == [200] * 9
    assert small.headers["Guardian-Decision"] == "allowed"
    assert fake_apps.received("sendGoldMultiUser")[0].body.startswith(b"price=1000&")
    decide(db, pending["id"], approve=True)
    assert held.result().headers["Guardian-Decision"] == "allowed"
    assert len(fake_apps.received("sendGoldMultiUser")) == 2


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("stdbuf")), reason="needs curl with HTTP/2 and stdbuf")
def test_other_http2_streams_on_the_held_purchases_connection_go_on(start_proxy, fake_apps, tmp_path):
    # Lazy upstream connections let mitmproxy speak HTTP/2 to the client although the fake apps speak HTTP/1.1.
    proxy = start_proxy(
        ask(wait=30), extra=["--set", "connection_strategy=lazy", "--set", "guardian_connection_log=true"]
    )
    db = tmp_path / "guardian.db"
    common = ["--http2", "-x", proxy.url, "--cacert", str(proxy.ca), "-m", "40", "-o", "/dev/null"]
    report = "%{http_version} %{response_code} %{num_connects} %{url_effective}\\n"
    gift_url = "https://api.live.bilibili.com/xlive/revenue/v2/gift/sendGoldMultiUser?price=25000&gift_num=1&ruid=5"
    cmd = ["stdbuf", "-oL", "curl", "-sS", "-Z", *common, "-w", report, "-X", "POST", gift_url]
    for i in range(10):  # curl multiplexes these onto the gift's connection once it knows it speaks HTTP/2
        cmd += ["--next", *common, "-w", report, f"https://api.live.bilibili.com/xlive/web-room/v1/index/getInfo?i={i}"]
    curl = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert curl.stdout is not None
        siblings = [curl.stdout.readline().split() for _ in range(10)]
        assert table(db, "SELECT state FROM approvals") == [{"state": "pending"}] and curl.poll() is None
        assert [s[:3] for s in siblings] == [["2", "200", "0"]] * 10  # HTTP/2, answered, no new connection
        decide(db, wait_pending(db)[0]["id"], approve=True)
        assert curl.stdout.readline().split() == ["2", "200", "1", gift_url]
        assert curl.wait(30) == 0
    finally:
        if curl.poll() is None:
            curl.kill()
            curl.wait(10)
        curl.stdout.close()
    assert len(fake_apps.received("sendGoldMultiUser")) == 1 and len(fake_apps.received("getInfo")) == 10
    assert proxy.log().count("client connect") == 1


def test_a_pending_approval_survives_a_proxy_crash_and_restart(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(ask(wait=2))
    db = tmp_path / "guardian.db"
    with proxy.client() as c:
        assert gift(c, 26).headers["Guardian-Reason"] == "waiting-for-parent"
    held = Background(proxy, lambda c: gift(c, 25))
    wait_pending(db, 2)
    proxy.kill()  # while the 25 is held
    held.thread.join(10)
    assert isinstance(held.error, httpx.HTTPError)  # the child saw a failure; the question stays with the parent
    proxy.start()
    by_amount = {p["amount"]: p for p in wait_pending(db, 2)}
    decide(db, by_amount["25"]["id"], approve=True)
    decide(db, by_amount["26"]["id"], approve=False)
    with proxy.client() as c:
        assert gift(c, 25).headers["Guardian-Decision"] == "allowed"
        assert gift(c, 26).headers["Guardian-Reason"] == "parent-denied"
    assert len(fake_apps.received("sendGoldMultiUser")) == 1


def test_an_approval_does_not_break_a_cap_unless_allowed_over_it(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(ask(wait=20, caps='[child.caps]\nday = "50"\n'))
    db = tmp_path / "guardian.db"
    held = Background(proxy, lambda c: gift(c, 25))
    [pending] = wait_pending(db)
    with proxy.client() as c:
        assert gift(c, 20).headers["Guardian-Decision"] == "allowed"  # not above 20: no question
        assert gift(c, 10).headers["Guardian-Decision"] == "allowed"  # 30 spent; 25 more would be 55 > 50
    decide(db, pending["id"], approve=True)
    assert held.result().headers["Guardian-Reason"] == "day-cap"
    assert len(fake_apps.received("sendGoldMultiUser")) == 2
    decide(db, pending["id"], approve=True, over_cap=True)  # the parent changes the answer: over the cap this once
    with proxy.client() as c:
        over = gift(c, 25)
        again = gift(c, 25)
    assert over.headers["Guardian-Decision"] == "allowed"
    assert again.headers["Guardian-Reason"] == "day-cap"  # refused without asking: caps come first
    assert len(fake_apps.received("sendGoldMultiUser")) == 3
    assert len(table(db, "SELECT * FROM approvals")) == 1
    spent = [r["amount"] for r in rows(db) if r["decision"] == "allowed"]
    assert sorted(spent, key=int) == ["10", "20", "25"]


def test_a_page_load_gets_a_waiting_page_that_reloads_itself(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(ask(wait=20))
    db = tmp_path / "guardian.db"
    params = {"diamond_id": "1", "customized_price": "2500", "aid": "1128"}
    with proxy.client() as c:
        first = c.get(DOUYIN_RECHARGE, params=params, headers=NAVIGATE)
        reload = c.get(DOUYIN_RECHARGE, params=params, headers=NAVIGATE)
        assert first.status_code == 202 and first.headers["Refresh"] == "5"
        assert first.headers["Guardian-Reason"] == "waiting-for-parent"
        assert (
            '<meta http-equiv="refresh"' in first.text
            and "等待家长确认" in first.text
            and "Waiting for a parent" in first.text
        )
        assert reload.status_code == 202
        [pending] = wait_pending(db)
        assert len(rows(db)) == 1  # the page reloading itself is not a new attempt
        decide(db, pending["id"], approve=True)
        through = c.get(DOUYIN_RECHARGE, params=params, headers=NAVIGATE)
    assert through.status_code == 200 and through.headers["Guardian-Decision"] == "allowed"
    assert len(fake_apps.received("diamond_buy_external_safe")) == 1


def test_a_child_giving_up_keeps_the_yes_for_the_next_try(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(ask(wait=20))
    db = tmp_path / "guardian.db"
    with proxy.client(timeout=1) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            gift(impatient, 25)
    [pending] = wait_pending(db)
    time.sleep(1)  # the proxy notices the closed connection at its next poll
    decide(db, pending["id"], approve=True)
    time.sleep(1)
    assert fake_apps.received("sendGoldMultiUser") == []  # the abandoned request was not sent after all
    assert table(db, f"SELECT state FROM approvals WHERE id = {pending['id']}") == [{"state": "approved"}]
    with proxy.client() as c:
        assert gift(c, 25).headers["Guardian-Decision"] == "allowed"
    assert len(fake_apps.received("sendGoldMultiUser")) == 1
