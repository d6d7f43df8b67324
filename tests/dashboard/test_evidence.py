"""The Evidence page: the record's check, the export download, and the retention warning."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

from guardian.evidence import formats
from tests.dashboard.conftest import add


def test_needs_login(client):
    # No password set yet: every page sends the parent to set one; nothing is exported.
    r = client.get("/evidence")
    assert r.status_code == 302 and r.headers["Location"].endswith(("/setup", "/login"))
    r = client.get("/evidence/export?child=Mia&from=2026-01-01&to=2026-12-31&format=json")
    assert r.status_code == 302 and b"attempts" not in r.data


def test_shows_an_intact_record_and_its_head_digest(parent, ledger):
    add(ledger, amount="12")
    page = parent.get("/evidence").text
    assert "Intact: 1 journal entries, 1 attempts" in page
    head = ledger.conn.execute("SELECT hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert head in page


def test_a_tampered_record_is_shown_as_such(parent, ledger, config_file):
    attempt = add(ledger, amount="12")
    raw = sqlite3.connect(config_file.parent / "guardian.db")
    raw.execute("UPDATE attempts SET amount = '1' WHERE id = ?", (attempt,))
    raw.commit()
    raw.close()
    page = parent.get("/evidence").text
    assert "does NOT verify" in page and f"attempts id {attempt}: edited" in page


def test_export_downloads_every_attempt_in_the_range(parent, ledger):
    now = datetime.now(UTC)
    add(ledger, amount="12", recipient="<img src=x onerror=alert(1)>", at=now)
    add(ledger, amount="5", at=now - timedelta(days=40))  # outside the range
    add(ledger, child="Leo", amount="7", at=now)  # another child
    today = now.date()
    query = f"child=Mia&from={(today - timedelta(days=2)).isoformat()}&to={(today + timedelta(days=1)).isoformat()}"
    as_json = parent.get(f"/evidence/export?{query}&format=json")
    assert as_json.status_code == 200
    assert "attachment" in as_json.headers["Content-Disposition"]
    doc = json.loads(as_json.data)
    assert [a["amount"] for a in doc["attempts"]] == ["12"]
    as_csv = parent.get(f"/evidence/export?{query}&format=csv").data.decode("utf-8-sig")
    assert [r["amount"] for r in formats.read_csv(as_csv)] == ["12"]
    as_html = parent.get(f"/evidence/export?{query}&format=html").text
    assert "<img src=x" not in as_html and "&lt;img src=x onerror=alert(1)&gt;" in as_html


def test_export_refuses_unknown_children_formats_and_bad_dates(parent):
    assert parent.get("/evidence/export?child=Nobody&from=2026-01-01&to=2026-01-02&format=json").status_code == 400
    assert parent.get("/evidence/export?child=Mia&from=2026-01-01&to=2026-01-02&format=exe").status_code == 400
    r = parent.get("/evidence/export?child=Mia&from=yesterday&to=2026-01-02&format=json")
    assert r.status_code == 400


def test_offers_an_export_before_retention_purges(parent, ledger, config_file):
    text = config_file.read_text().replace('path = "guardian.db"', 'path = "guardian.db"\nkeep_days = 30')
    config_file.write_text(text)
    add(ledger, amount="3", at=datetime.now(UTC) - timedelta(days=45))
    page = parent.get("/evidence").text
    assert "1 attempts from" in page and "export them first" in page
