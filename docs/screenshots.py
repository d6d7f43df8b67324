"""Write docs/screenshots/{live,week,limits,approvals,evidence,devices,apps}.png:
the dashboard with demo data, in headless Chromium.

Usage: .venv/bin/python docs/screenshots.py
Everything runs on 127.0.0.1 in a temporary directory; nothing is sent anywhere.
"""

from __future__ import annotations

import random
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import waitress

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard import create_app  # noqa: E402
from guardian.catalog.detect import Purchase  # noqa: E402
from guardian.enforce.alerts import refused  # noqa: E402
from guardian.enforce.policy import decide  # noqa: E402
from guardian.household import configfile  # noqa: E402
from guardian.household.money import Money  # noqa: E402
from guardian.setup import logins  # noqa: E402
from guardian.store import approvals, changes, outbox, overrides  # noqa: E402
from guardian.store.db import ms as to_ms  # noqa: E402
from guardian.store.db import transaction  # noqa: E402
from guardian.store.ledger import ACCEPTED, Attempt, Ledger  # noqa: E402
from guardian.store.outbox import Say  # noqa: E402
from tests.support.dashboard import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PASSWORD = "demo-password-1"
CONFIG = """# Demo household for the screenshots.
[household]
currency = "CNY"
timezone = "Asia/Shanghai"
unknown_devices = "allow"

[[child]]
name = "Mia"
devices = ["192.168.1.23", "user:mia"]

[child.caps]
per_purchase = "30"   # agreed with Mia
day = "50"
week = "200"
month = "500"
per_minute = 3

[child.windows]
purchases = ["daily 08:00-21:30"]

[child.windows.apps]
kuaishou = ["mon-fri 18:00-20:00", "sat-sun 09:00-21:00"]

[[child]]
name = "Leo"
devices = ["192.168.1.40/30"]

[child.caps]
per_purchase = "10"
week = "30"
"""
STREAMERS = {
    "bilibili": ["StarRiver", "LuluSings", "PixelFox"],
    "douyin": ["DanceWithMo", "ChefKai"],
    "kuaishou": ["NorthWind"],
}


def demo(folder: Path, port: int) -> Path:
    path = folder / "guardian.toml"
    # The dashboard answers only at its configured address.
    path.write_text(CONFIG + f'\n[dashboard]\nlisten = "127.0.0.1:{port}"\n', encoding="utf-8")
    config = configfile.load(path)
    calendar = config.household.calendar
    ledger = Ledger(config.storage)
    conn = ledger.conn
    rng = random.Random(7)
    now = datetime.now(UTC)
    start = calendar.week_start(now)
    moments = sorted(
        start + timedelta(minutes=rng.randrange(0, int((now - start).total_seconds() // 60) or 1)) for _ in range(26)
    )
    for at in moments:
        child = config.child(rng.choice(["Mia", "Mia", "Mia", "Leo"]))
        app = rng.choice(list(STREAMERS))
        yuan = Decimal(rng.choice(["1", "5.2", "9.9", "12", "18.8", "30", "52"]))
        purchase = Purchase(
            app,
            rng.choice(["gift", "gift", "recharge"]),
            "demo",
            yuan,
            "CNY",
            Money(yuan, "CNY"),
            rng.choice(STREAMERS[app]),
        )
        ip = "192.168.1.23" if child.name == "Mia" else "192.168.1.41"
        with ledger.writing() as tx:
            decision = decide(purchase, child, tx.spending(child.name, at, calendar, "CNY"), at, calendar)
            attempt = Attempt(at, ip, None, child.name, purchase)
            attempt_id = tx.insert(attempt, calendar.tz.key, "CNY", allowed=decision.allowed, reason=decision.reason)
            if not decision.allowed:
                refused(tx.conn, child.name, purchase, decision, at, Say.of("zh", None, app))
        if decision.allowed:
            ledger.settle(attempt_id, ACCEPTED, at)
    xss = Purchase(
        "bilibili", "gift", "demo", Decimal(99), "CNY", Money(Decimal(99), "CNY"), "<img src=x onerror=alert(1)>"
    )
    with ledger.writing() as tx:
        decision = decide(xss, config.child("Mia"), tx.spending("Mia", now, calendar, "CNY"), now, calendar)
        tx.insert(
            Attempt(now, "192.168.1.23", None, "Mia", xss),
            calendar.tz.key,
            "CNY",
            allowed=decision.allowed,
            reason=decision.reason,
        )
    logins.set_password(conn, PASSWORD, 0)
    ms = to_ms(now)
    with transaction(conn):
        overrides.extra(conn, "Mia", Money(Decimal(10), "CNY"), calendar.local(now).date(), now)
        changes.record(
            conn,
            "extra allowance",
            {"child": "Mia", "amount": "10.00 CNY", "date": calendar.local(now).date().isoformat()},
            ms,
            changes.PARENT_DASHBOARD,
        )
    with transaction(conn):
        changes.record(
            conn,
            "limits",
            {"child": "Leo", "changed": {"week": {"from": "50", "to": "30"}}},
            ms,
            changes.PARENT_DASHBOARD,
        )
    outbox.post(conn, outbox.WEEKLY, None, "Guardian week summary", "Mia spent 148.00 CNY", ms)
    for yuan, streamer in (("25", "StarRiver"), ("52", "LuluSings")):  # two purchases waiting for a parent
        ask = Purchase("bilibili", "gift", "demo", Decimal(yuan) * 1000, "gold", Money(Decimal(yuan), "CNY"), streamer)
        with transaction(conn):
            approvals.create(conn, "Mia", ask, "192.168.1.23", None, None, ms, Say.of("zh", None, "哔哩哔哩"))
    ledger.close()
    return path


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        path = demo(Path(tmp), port)
        app = create_app({"GUARDIAN_CONFIG": str(path), "SECRET_KEY": b"screenshots"})
        server = waitress.create_server(app, host="127.0.0.1", port=port, threads=2)
        threading.Thread(target=server.run, daemon=True).start()
        url = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 860})
                page.goto(url + "/login")
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(url + "/")
                page.screenshot(path=OUT / "live.png", full_page=False)
                page.goto(url + "/week")
                page.screenshot(path=OUT / "week.png", full_page=True)
                page.goto(url + "/limits")
                page.screenshot(path=OUT / "limits.png", full_page=False)
                for name in ("approvals", "evidence", "devices", "apps"):
                    page.goto(url + "/" + name)
                    page.screenshot(path=OUT / f"{name}.png", full_page=False)
                browser.close()
        finally:
            server.close()
    print(f"wrote {', '.join(p.name for p in sorted(OUT.glob('*.png')))} to {OUT}")


if __name__ == "__main__":
    main()
