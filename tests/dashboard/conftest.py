"""Fixtures for the dashboard: a household config on disk, the app, a logged-in parent, ledger rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from dashboard import create_app
from guardian.catalog.detect import Purchase
from guardian.enforce.policy import Decision, Reason
from guardian.household.money import Money
from guardian.household.periods import Calendar
from guardian.setup import logins
from guardian.store.ledger import Attempt, Ledger
from tests.conftest import household_config
from tests.support.ledgers import judged

PASSWORD = "correct horse battery"
CAPS = """
[child.caps]
per_purchase = "30"   # keep me: a parent's comment
day = "50"
week = "200"
month = "500"
"""
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token(html: str) -> str:
    m = _TOKEN.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "guardian.toml"
    path.write_text(household_config(CAPS) + '\n[[child]]\nname = "Leo"\ndevices = ["10.0.0.9"]\n', encoding="utf-8")
    return path


HOST = "127.0.0.1:8765"  # the dashboard's default listen address: the only Host names it answers are its own


@pytest.fixture
def app(config_file: Path):
    # SERVER_NAME gives the test client's requests the Host header a browser at the listen address sends.
    return create_app({"GUARDIAN_CONFIG": str(config_file), "TESTING": True, "SERVER_NAME": HOST})


@pytest.fixture
def client(app):
    """A browser that asks for English (test_words.py covers Chinese and the switch)."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    return client


@pytest.fixture
def ledger(config_file: Path):
    ledger = Ledger(config_file.parent / "guardian.db")
    yield ledger
    ledger.close()


@pytest.fixture
def parent(client, ledger):
    """A test client logged in as the parent; `.csrf` holds the session's token."""
    logins.set_password(ledger.conn, PASSWORD, 0)
    page = client.get("/login")
    r = client.post("/login", data={"password": PASSWORD, "csrf_token": token(page.text)})
    assert r.status_code == 302, r.text
    client.csrf = token(client.get("/limits").text)
    return client


def add(
    ledger: Ledger,
    *,
    child: str | None = "Mia",
    app: str = "bilibili",
    amount: str | None = "12",
    recipient: str | None = "7734",
    reason: Reason | None = None,
    at: datetime | None = None,
    tz: str = "Asia/Shanghai",
    client_ip: str = "127.0.0.1",
) -> int:
    """One attempt through the ledger's real write path."""
    from zoneinfo import ZoneInfo

    money = None if amount is None else Money(Decimal(amount), "CNY")
    purchase = Purchase(
        app, "gift", f"{app}-gift", None if amount is None else Decimal(amount) * 1000, "gold", money, recipient
    )
    decision = Decision(True) if reason is None else Decision(False, reason)
    attempt = Attempt(at or datetime.now(UTC), client_ip, None, child, purchase)
    attempt_id, _ = judged(ledger, attempt, Calendar(ZoneInfo(tz), 0), "CNY", lambda spending: decision)
    return attempt_id
