"""The "Waiting for you" page with Flask's test client: listing, answering, login and CSRF."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from guardian.catalog.detect import Purchase
from guardian.catalog.index import Catalog
from guardian.household.money import Money
from guardian.store import approvals
from guardian.store.outbox import Say

XSS = "<script>alert(1)</script>"
SAY = Say.of("en", Catalog.load().apps["bilibili"])


def ask(ledger, yuan: str = "25", recipient: str | None = XSS) -> int:
    purchase = Purchase("bilibili", "gift", "r", Decimal(yuan) * 1000, "gold", Money(Decimal(yuan), "CNY"), recipient)
    ledger.conn.execute("BEGIN IMMEDIATE")
    approval_id = approvals.create(
        ledger.conn, "Mia", purchase, "127.0.0.1", None, 1, int(datetime.now(UTC).timestamp() * 1000), SAY
    )
    ledger.conn.execute("COMMIT")
    return approval_id


def test_the_page_lists_questions_with_traffic_text_escaped(parent, ledger):
    approval_id = ask(ledger)
    page = parent.get("/approvals")
    assert page.status_code == 200
    assert f'id="approval-{approval_id}"' in page.text and "25 CNY" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and XSS not in page.text
    assert 'href="/approvals"' in page.text  # in the navigation


def test_approve_over_the_cap_and_deny_are_recorded_with_the_channel(parent, ledger):
    first, second = ask(ledger), ask(ledger, "30", None)
    r = parent.post(f"/approvals/{first}/approve", data={"csrf_token": parent.csrf, "over_cap": "1"})
    assert r.status_code == 302 and r.location.endswith("/approvals")
    parent.post(f"/approvals/{second}/deny", data={"csrf_token": parent.csrf, "over_cap": "1"})
    a, b = approvals.get(ledger.conn, first), approvals.get(ledger.conn, second)
    assert (a.state, a.over_cap, a.decided_via) == ("approved", True, "dashboard")
    assert (b.state, b.over_cap) == ("denied", False)  # a no is never "over the cap"
    page = parent.get("/approvals")
    assert "Nothing is waiting for you." in page.text and "Latest answers" in page.text


def test_an_unknown_approval_is_a_message_not_an_error(parent):
    page = parent.post("/approvals/999/approve", data={"csrf_token": parent.csrf}, follow_redirects=True)
    assert page.status_code == 200 and "there is no approval #999" in page.text


def test_answers_need_a_login_and_a_csrf_token(app, parent, ledger):
    approval_id = ask(ledger)
    forged = parent.post(f"/approvals/{approval_id}/approve", data={})
    assert forged.status_code in (400, 403)
    assert approvals.get(ledger.conn, approval_id).state == "pending"
    stranger = app.test_client()  # no session
    assert stranger.get("/approvals").status_code == 302
    assert "/login" in stranger.get("/approvals").location
    assert stranger.post(f"/approvals/{approval_id}/approve", data={"csrf_token": parent.csrf}).status_code in (
        302,
        400,
        403,
    )
    assert approvals.get(ledger.conn, approval_id).state == "pending"
