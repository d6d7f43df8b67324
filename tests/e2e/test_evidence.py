"""End to end: what a purchase leaves in the ledger file, through a real mitmdump, and a verify/export of it."""

from __future__ import annotations

import json
import sqlite3
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ORDINARY_HOST, household_config

pytestmark = pytest.mark.e2e

GIFT = "https://api.live.bilibili.com/xlive/revenue/v2/gift/sendGoldMultiUser"
KUAISHOU_RECHARGE = "https://pay.ssl.kuaishou.com/rest/k/pay/kscoin/deposit/nlogin/kspay/cashier"
SECRETS = {
    "proxy_password": "ProxyPw-S3cret-71",
    "cookie": "Cookie-S3cret-72",
    "csrf": "Csrf-S3cret-73",
    "bearer": "Token-S3cret-74",
    "password": "Password-S3cret-75",
    "access_key": "Key-S3cret-76",
    "other_password": "Other-S3cret-77",
    "app_cookie": "AppCookie-S3cret-78",
    "unreadable": "Unreadable-S3cret-79",
    "query_token": "QueryToken-S3cret-80",
}
STREAMER = "884213377"  # stored on purpose: proves the search below sees what was written


def ledger_bytes(db: Path) -> bytes:
    return b"".join(
        p.read_bytes() for p in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")) if p.exists()
    )


def wait_settled(db: Path, count: int) -> None:
    end = time.monotonic() + 10
    while time.monotonic() < end:
        conn = sqlite3.connect(db)
        rows = conn.execute("SELECT outcome FROM attempts").fetchall()
        conn.close()
        if len(rows) >= count and all(r[0] != "pending" for r in rows):
            return
        time.sleep(0.05)
    raise AssertionError("attempts did not settle")


def test_no_cookie_token_or_password_reaches_the_ledger_file(start_proxy, fake_apps, tmp_path):
    proxy = start_proxy(
        household_config('[child.caps]\nper_purchase = "30"\n'),
        extra=["--set", f"proxyauth=mia:{SECRETS['proxy_password']}"],
    )
    headers = {
        "Cookie": f"SESSDATA={SECRETS['cookie']}; bili_jct={SECRETS['csrf']}",
        "Authorization": f"Bearer {SECRETS['bearer']}",
    }
    form = {
        "price": "12000",
        "gift_num": "1",
        "ruid": STREAMER,
        "coin_type": "gold",
        "csrf": SECRETS["csrf"],
        "password": SECRETS["password"],
        "access_key": SECRETS["access_key"],
    }
    with httpx.Client(
        proxy=f"http://mia:{SECRETS['proxy_password']}@127.0.0.1:{proxy.port}",
        verify=ssl.create_default_context(cafile=str(proxy.ca)),
        trust_env=False,
        timeout=30,
    ) as c:
        allowed = c.post(GIFT, data=form, headers=headers, params={"access_token": SECRETS["query_token"]})
        blocked = c.post(GIFT, data={**form, "price": "31000"}, headers=headers)
        unreadable = c.post(KUAISHOU_RECHARGE, json={"fen": "lots", "password": SECRETS["unreadable"]}, headers=headers)
        app_page = c.get(
            "https://api.bilibili.com/x/web-interface/nav", headers={"Cookie": f"SESSDATA={SECRETS['app_cookie']}"}
        )
        other = c.post(
            f"https://{ORDINARY_HOST}/login",
            data={"user": "dad", "password": SECRETS["other_password"]},
            headers=headers,
        )
    assert allowed.headers["Guardian-Decision"] == "allowed"
    assert blocked.headers["Guardian-Reason"] == "per-purchase"
    assert unreadable.headers["Guardian-Reason"] == "unreadable"
    assert app_page.status_code == 200 and other.status_code == 200
    # The app's server and the ordinary site got their secrets:
    # Guardian does not strip traffic, it just does not keep it.
    assert SECRETS["cookie"] in fake_apps.received("sendGoldMultiUser")[0].headers["cookie"]
    db = tmp_path / "guardian.db"
    wait_settled(db, 3)
    while_running = ledger_bytes(db)
    proxy.stop()
    after = ledger_bytes(db)
    assert STREAMER.encode() in while_running + after
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT proxy_user, child, recipient FROM attempts WHERE id = 1").fetchone() == (
        "mia",
        "Mia",
        STREAMER,
    )
    conn.close()
    for name, secret in SECRETS.items():
        for blob in (while_running, after):
            assert secret.encode() not in blob, f"{name} was stored in the ledger"
            assert secret.encode("utf-16-le") not in blob, f"{name} was stored in the ledger (UTF-16)"


def test_a_ledger_written_through_the_proxy_verifies_and_exports(start_proxy, tmp_path):
    proxy = start_proxy(household_config())
    with proxy.client() as c:
        for yuan in (1, 2, 3):
            c.post(GIFT, data={"price": str(yuan * 1000), "gift_num": "1", "ruid": STREAMER, "coin_type": "gold"})
    db = tmp_path / "guardian.db"
    wait_settled(db, 3)
    guardian = str(Path(sys.executable).parent / "guardian")
    config = str(proxy.config)
    verified = subprocess.run([guardian, "verify", "--config", config], capture_output=True, text=True, timeout=60)
    day = 24 * 3600
    around = [time.strftime("%Y-%m-%d", time.gmtime(time.time() + d)) for d in (-day, day)]
    exported = subprocess.run(
        [
            guardian,
            "export",
            "--config",
            config,
            "--child",
            "Mia",
            "--from",
            around[0],
            "--to",
            around[1],
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Intact: 6 journal entries, 3 attempts" in verified.stdout
    doc = json.loads(exported.stdout)
    assert [(a["amount"], a["recipient"], a["outcome"]) for a in doc["attempts"]] == [
        (str(y), STREAMER, "accepted") for y in (1, 2, 3)
    ]
    assert doc["verification"]["intact"] and doc["verification"]["head_digest"] in verified.stdout
