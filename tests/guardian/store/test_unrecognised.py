"""The unrecognised table: bounded, one row per host and path shape."""

from __future__ import annotations

from guardian.store import unrecognised
from guardian.store.db import connect


def test_the_table_is_bounded_and_counts_repeats(tmp_path, monkeypatch):
    monkeypatch.setattr(unrecognised, "MAX_ROWS", 3)
    conn = connect(tmp_path / "d.db")
    for i in range(5):
        unrecognised.record(conn, "app", "h.example", "POST", f"/pay/{i}", 1000 + i)
    unrecognised.record(conn, "app", "h.example", "POST", "/pay/0", 2000)
    rows = unrecognised.recent(conn)
    assert len(rows) == 3
    assert (rows[0].path, rows[0].hits, rows[0].first_ms, rows[0].last_ms) == ("/pay/0", 2, 1000, 2000)
