"""Host-level control: which connections are refused when only the host name is known."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from guardian.catalog.index import Catalog
from guardian.enforce.guard import Guard
from guardian.enforce.hostcontrol import caps_spent, check_caps, quick
from guardian.enforce.policy import Reason
from guardian.household.configfile import parse
from guardian.household.money import Money
from guardian.store import overrides
from guardian.store.ledger import Ledger
from guardian.store.spend import Spending

NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
CATALOG = Catalog.load()


def guard(tmp_path: Path, lines: str, unknown: str = "allow") -> Guard:
    text = (
        f'[household]\ntimezone = "Asia/Shanghai"\nunknown_devices = "{unknown}"\n'
        f'[[child]]\nname = "Mia"\ndevices = ["10.0.0.2"]\n{lines}'
    )
    config = parse(text, tmp_path / "g.toml", known_apps=CATALOG.apps)
    return Guard(config, CATALOG, Ledger(tmp_path / "g.db"))


def test_app_window_covers_every_host_and_purchase_window_only_payment_hosts(tmp_path):
    g = guard(
        tmp_path,
        '[child.windows]\npurchases = ["daily 20:00-21:00"]\n[child.windows.apps]\napple = ["daily 20:00-21:00"]\n',
    )
    assert quick(g, "p01-buy.itunes.apple.com", "10.0.0.2", None, NOW) == (Reason.APP_WINDOW, None)
    assert quick(g, "pay.bilibili.com", "10.0.0.2", None, NOW) == (Reason.PURCHASE_WINDOW, None)
    assert quick(g, "live.bilibili.com", "10.0.0.2", None, NOW) == (None, None)
    assert quick(g, "news.example", "10.0.0.2", None, NOW) == (None, None)
    assert quick(g, "pay.bilibili.com", "10.0.0.9", None, NOW) == (
        None,
        None,
    )  # an unlisted device the household allows


def test_lock_and_caps_need_the_ledger_only_for_payment_hosts(tmp_path):
    g = guard(tmp_path, '[child.caps]\nday = "10"\n')
    reason, child = quick(g, "android.clients.google.com", "10.0.0.2", None, NOW)
    assert reason is None and child is not None and child.name == "Mia"
    assert check_caps(g, child, NOW) is None
    assert quick(g, "www.bilibili.com", "10.0.0.2", None, NOW) == (None, None)
    overrides.lock(g.ledger.conn, NOW)
    assert check_caps(g, child, NOW) == Reason.LOCKED
    overrides.unlock(g.ledger.conn, NOW)
    assert check_caps(g, child, NOW) is None


def test_a_days_extra_allowance_reopens_a_spent_day_cap():
    c = parse('[[child]]\nname = "M"\n[child.caps]\nday = "10"\n', Path("g.toml")).children[0]
    zero = Money(Decimal(0), "CNY")
    spent = Spending(Money(Decimal(10), "CNY"), zero, zero, 0)
    assert caps_spent(c, spent) == Reason.DAY_CAP
    assert caps_spent(c, spent, extra_day=Decimal(5)) is None


def test_a_cap_reached_exactly_is_spent():
    g_child = parse('[[child]]\nname = "M"\n[child.caps]\nweek = "10"\n', Path("g.toml")).children[0]
    zero = Money(Decimal(0), "CNY")
    assert caps_spent(g_child, Spending(zero, Money(Decimal("9.99"), "CNY"), zero, 0)) is None
    assert caps_spent(g_child, Spending(zero, Money(Decimal(10), "CNY"), zero, 0)) == Reason.WEEK_CAP
