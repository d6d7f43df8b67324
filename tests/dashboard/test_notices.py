"""The Notifications page: what was sent, what waits and why, weekly summaries."""

from __future__ import annotations

from guardian.notify import delivery
from guardian.notify.desktop import NotifyError
from guardian.store import outbox


class Broken:
    def notify(self, title: str, body: str) -> None:
        raise NotifyError("notify-send exited with 1: Cannot autolaunch D-Bus")


class Works:
    def notify(self, title: str, body: str) -> None:
        pass


def test_failing_delivery_is_explained_and_delivered_ones_listed(parent, ledger):
    outbox.post(ledger.conn, outbox.REFUSED, "Mia", "Refused for Mia: <script>x</script>", "day-cap", 1_000)
    delivery.deliver(ledger.conn, Broken(), 2_000)
    page = parent.get("/notifications").text
    assert "1 notification waiting: desktop delivery is failing" in page
    assert "Cannot autolaunch D-Bus" in page and "tried 1×" in page
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    delivery.deliver(ledger.conn, Works(), 3_000)
    page = parent.get("/notifications").text
    assert "Every notification has been delivered" in page and "delivered" in page


def test_weekly_summaries_are_listed(parent, ledger):
    ledger.conn.execute(
        "INSERT INTO reports (week, at_ms, title, body) VALUES ('2026-03-02', 1, 'Guardian week of 2026-03-02', "
        "'[\"Mia: spent 5.00 CNY\"]')"
    )
    page = parent.get("/notifications").text
    assert "Guardian week of 2026-03-02" in page and "Mia: spent 5.00 CNY" in page and "every sun 19:00" in page
    assert "Mia: spent 5.00 CNY" in parent.get("/week?week=2026-03-05").text
