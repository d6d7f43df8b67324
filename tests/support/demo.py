"""A household with something on every dashboard page, made through the real core: purchases judged by the
guard (allowed, refused, of unknown amount, unreadable, waiting for a parent), the notifications they raise,
a parent's answers, a lock and an extra allowance, a weekly summary, a phone's tunnel, devices seen.

`make(folder)` writes guardian.toml and guardian.db there and returns the config path; the parent's
password is PASSWORD. Every piece of text the data brings (names, recipients, devices) is in DATA, so a
test of the page's own words can set it aside.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from guardian import settings, words
from guardian.catalog.request import Request
from guardian.enforce.guard import Guard
from guardian.evidence import reports
from guardian.household.money import Money
from guardian.notify import addressbook, addresses, channels
from guardian.setup import devices_seen, logins, phones
from guardian.store import approvals, changes, db, overrides, sends, unrecognised
from guardian.store.ledger import Ledger

PASSWORD = "demo-password-1"
CONFIG = """\
[household]
timezone = "Asia/Shanghai"
unknown_devices = "allow"

[notifications]
[[notifications.channel]]
id = "mum-phone"
kind = "ntfy"
name = "Mum"

[[child]]
name = "Mia"
devices = ["10.0.0.2", "user:mia"]
unknown_amount = "refuse"

[child.caps]
per_purchase = "30"
day = "50"
week = "200"
month = "500"

[child.windows.apps]
kuaishou = ["mon-fri 18:00-20:00"]

[child.ask]
over = "20"

[[child]]
name = "Leo"
devices = ["10.0.0.9"]
unknown_amount = "allow"

[child.caps]
week = "30"
"""
FORM = "application/x-www-form-urlencoded"
NTFY_DEMO = "http://192.168.1.5/kids-4f9a2c"
STREAMERS = ("StarRiver", "LuluSings", "PixelFox", "UCdemo")
DATA = (
    *STREAMERS,
    "Mum",
    "mum-phone",
    "Mia",
    "Leo",
    "mia-phone",
    "user:mia",
    "10.0.0.2",
    "10.0.0.9",
    "10.0.0.77",
    "mia",
)


def gift(client: str, yuan: str, streamer: str) -> Request:
    body = urlencode({"price": int(Decimal(yuan) * 1000), "gift_num": 1, "ruid": streamer, "coin_type": "gold"})
    return Request(
        client,
        None,
        "POST",
        "api.live.bilibili.com",
        "/xlive/revenue/v1/gift/sendGold",
        (),
        FORM,
        body.encode(),
    )


def checkout(client: str) -> Request:
    """A YouTube Super Chat checkout: the request carries no amount."""
    body = b'{"context": {}, "params": "opaque", "channelId": "UCdemo"}'
    return Request(client, None, "POST", "www.youtube.com", "/youtubei/v1/ypc/get_cart", (), "application/json", body)


def garbled(client: str) -> Request:
    """A gift whose price is not a number: unreadable, refused."""
    body = urlencode({"price": "lots", "gift_num": 1, "ruid": "PixelFox", "coin_type": "gold"}).encode()
    return Request(client, None, "POST", "api.live.bilibili.com", "/xlive/revenue/v1/gift/sendGold", (), FORM, body)


def make(folder: Path, now: datetime | None = None, language: str | None = None) -> Path:
    """The demo household in `folder`; `language` sets [household] language (default: none, so Chinese)."""
    now = now or datetime.now(UTC)
    path = folder / "guardian.toml"
    setting = "" if language is None else f'language = "{language}"\n'
    path.write_text(CONFIG.replace("[household]\n", f"[household]\n{setting}"), encoding="utf-8")
    phones.add(path, "Mia", "mia-phone")
    s = settings.load(path)
    guard = Guard(s.config, s.catalog, Ledger(s.config.storage))
    try:
        judge = lambda request, at: guard.judge(request, guard.detect(request), at)  # noqa: E731
        at = iter(now - timedelta(minutes=30 - i) for i in range(20))
        judge(gift("10.0.0.2", "12", "StarRiver"), next(at))  # allowed
        asked = judge(gift("10.0.0.2", "25", "PixelFox"), next(at)).approval  # over 20: a parent is asked
        judge(gift("10.0.0.2", "35", "StarRiver"), next(at))  # above the per-purchase cap: refused
        judge(checkout("10.0.0.2"), next(at))  # unknown amount: refused for Mia
        judge(garbled("10.0.0.2"), next(at))  # unreadable: refused
        judge(gift("10.0.0.2", "22", "LuluSings"), next(at))  # a second question
        judge(checkout("10.0.0.9"), next(at))  # unknown amount: allowed for Leo
        judge(gift("10.0.0.9", "25", "PixelFox"), next(at))  # Leo's week cap of 30 reaches 80 %
        judge(gift("10.0.0.9", "9", "PixelFox"), next(at))  # and then refuses
        conn = guard.ledger.conn
        approvals.decide(conn, asked, True, changes.PARENT_DASHBOARD, "dashboard", db.ms(now), over_cap=True)
        with db.transaction(conn):
            overrides.lock(conn, now, now + timedelta(hours=2))
            overrides.extra(conn, "Mia", Money(Decimal(10), "CNY"), s.config.household.calendar.local(now).date(), now)
            changes.record(conn, "locked all purchases", {}, db.ms(now), changes.PARENT_DASHBOARD)
            week = {"week": {"from": "50", "to": "30"}}
            changes.record(conn, "limits", {"child": "Leo", "changed": week}, db.ms(now), changes.PARENT_DASHBOARD)
            unrecognised.record(conn, "bilibili", "api.live.bilibili.com", "POST", "/xlive/pay/unknown", db.ms(now))
        devices_seen.record(conn, {"10.0.0.2": time.time(), "10.0.0.77": time.time() - 7200})
        phones.record(conn, "added", "Mia", "mia-phone", db.ms(now))
        logins.set_password(conn, PASSWORD, db.ms(now))
        for i in range(logins.NOTIFY_AFTER, 0, -1):  # someone guessed the dashboard password, a try every 10 s
            at_ms = db.ms(now) - i * 10_000
            logins.take_turn(conn, logins.ANYONE, at_ms)
            logins.failed(conn, logins.ANYONE, at_ms, words.of(s.config.household.language))
        logins.succeeded(conn, logins.ANYONE)  # then the parent logged in
        reports.weekly(conn, s.config, now)
        # The questions still waiting go to the phones again, urgently; Mum's phone could not be reached.
        say = words.of(s.config.household.language)
        channels.escalate(conn, s.config.escalate_after, db.ms(now), say)
        addressbook.put(addressbook.path_for(s.config), "mum-phone", addresses.parse("ntfy", NTFY_DEMO, "tk_demo12345"))
        why = say("connection refused (is the server running, and the address right?)")
        words_ = say("Could not reach %(who)s at %(server)s: %(why)s", who="ntfy", server="192.168.1.5", why=why)
        sends.record(conn, "mum-phone", db.ms(now), [], error=words_)
    finally:
        guard.ledger.close()
    return path
