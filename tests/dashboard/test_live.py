"""The Live page and its JSON feed."""

from __future__ import annotations

from datetime import UTC, datetime

from guardian.enforce.policy import Reason
from tests.dashboard.conftest import add

XSS = "<img src=x onerror=alert(1)>"


def test_attempts_newest_first_with_every_column(parent, ledger):
    add(ledger, amount="12", recipient="7734", at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    add(ledger, amount="31", recipient="8888", reason=Reason.PER_PURCHASE, at=datetime(2026, 3, 1, 3, 0, tzinfo=UTC))
    page = parent.get("/").text
    assert page.index("8888") < page.index("7734")
    # 03:00 UTC is 11:00 in Shanghai: times are shown in the household's zone.
    assert "2026-03-01 11:00:00" in page and "2026-03-01 10:00:00" in page
    for text in ("Mia", "127.0.0.1", "bilibili", "gift", "31.00 CNY", "blocked", "per-purchase", "allowed"):
        assert text in page


def test_a_recipient_from_traffic_is_shown_as_text(parent, ledger):
    add(ledger, recipient=XSS, reason=Reason.DAY_CAP)
    page = parent.get("/").text
    assert XSS not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    feed = parent.get("/live.json").json
    assert feed["attempts"][0]["recipient"] == XSS  # plain data; live.js sets it with textContent
    for url in ("/week", "/notifications"):
        assert XSS not in parent.get(url).text


def test_feed_returns_only_newer_attempts(parent, ledger):
    first = add(ledger)
    second = add(ledger, amount="5")
    feed = parent.get(f"/live.json?after={first}").json
    assert [a["id"] for a in feed["attempts"]] == [second] and feed["latest"] == second
    assert parent.get(f"/live.json?after={second}").json == {"attempts": [], "latest": second}
    assert parent.get("/live.json?after=junk").json["latest"] == second


def test_filters_by_child_app_and_decision(parent, ledger):
    add(ledger, child="Mia", app="bilibili", recipient="r-mia")
    add(ledger, child="Leo", app="douyin", recipient="r-leo", client_ip="10.0.0.9")
    add(ledger, child="Mia", app="douyin", recipient="r-refused", reason=Reason.DAY_CAP)

    def recipients(query: str) -> list[str]:
        return [a["recipient"] for a in parent.get(f"/live.json?{query}").json["attempts"]]

    assert recipients("child=Mia") == ["r-refused", "r-mia"]
    assert recipients("app=douyin") == ["r-refused", "r-leo"]
    assert recipients("decision=blocked") == ["r-refused"]
    assert recipients("child=Mia&decision=allowed") == ["r-mia"]
    page = parent.get("/?child=Leo").text
    assert "r-leo" in page and "r-mia" not in page


def test_unreadable_amount_and_long_fields_are_bounded(parent, ledger):
    add(ledger, amount=None, recipient="x" * 64, reason=Reason.UNREADABLE)
    [a] = parent.get("/live.json").json["attempts"]
    assert a["amount"] == "amount unreadable" and a["reason"] == "amount unreadable"
    assert "could not be read" in a["explain"]
    assert all(len(v) <= 80 for v in a.values() if isinstance(v, str))


def test_an_unknown_amount_is_never_called_unreadable(parent, ledger):
    add(ledger, amount=None, app="youtube", reason=Reason.UNKNOWN_AMOUNT)
    add(ledger, amount=None, app="youtube")  # allowed without an amount (unknown_amount = "allow")
    refused, allowed = parent.get("/live.json").json["attempts"][::-1]
    assert refused["amount"] == allowed["amount"] == "amount unknown" and refused["reason"] == "amount unknown"
    page = parent.get("/").text
    assert "unreadable" not in page and page.count("amount unknown") >= 2


def test_a_poller_that_fell_behind_catches_up_without_gaps(parent, ledger):
    ids = [add(ledger, amount=str(i + 1)) for i in range(5)]
    seen, after = [], 0
    after = ids[0]
    for _ in range(3):
        feed = parent.get(f"/live.json?after={after}&limit=2").json
        seen += [a["id"] for a in feed["attempts"]]
        after = feed["latest"]
    assert sorted(seen) == ids[1:]
