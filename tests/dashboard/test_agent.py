"""GET /agent/notes: only the parent's desktop agent, with its token, fetches the desktop notifications."""

from __future__ import annotations

from guardian.setup.service import token_hash
from guardian.store import desktop_notes
from guardian.store.db import connect


def test_the_agent_fetches_with_its_token_and_reports_what_it_showed(app, client, config_file):
    db = config_file.parent / "guardian.db"
    conn = connect(db)
    note = desktop_notes.post(conn, "Mia: refused", "50 CNY", 1)
    assert client.get("/agent/notes").status_code == 403  # no token file yet: the door is shut
    (config_file.parent / "agent-token.sha256").write_text(token_hash("the-parents-token"))
    for wrong in ({}, {"Authorization": "Bearer guess"}, {"Authorization": "the-parents-token"}):
        assert client.get("/agent/notes", headers=wrong).status_code == 403
    ok = {"Authorization": "Bearer the-parents-token"}
    first = client.get("/agent/notes", headers=ok)
    assert first.status_code == 200 and first.json["notes"][0]["title"] == "Mia: refused"
    assert client.get(f"/agent/notes?shown={note}", headers=ok).json["notes"] == []
    assert desktop_notes.agent(conn).waiting == 0 and desktop_notes.agent(conn).seen_ms is not None
    assert client.get("/agent/notes?shown=x", headers=ok).status_code == 400
    failed = client.get("/agent/notes?error=no+D-Bus", headers=ok)
    assert failed.status_code == 200 and desktop_notes.agent(conn).last_error == "no D-Bus"
