"""How long `guardian verify`, an export and a purge take on a large ledger, and what the journal adds to a purchase.

    .venv/bin/python benchmarks/verify.py [--attempts 50000]

Builds a real ledger file through guardian.ledger (each attempt its own
transaction, as the proxy writes them), then times the evidence work on it.
Also times recording an attempt with and without its journal entries, on
copies of the same ledger, and prints the ratio.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guardian.evidence import export, formats, retention, verify
from guardian.store import anchor, journal  # noqa: E402
from guardian.store.db import connect, transaction  # noqa: E402
from guardian.store.ledger import Ledger  # noqa: E402
from tests.support.ledgers import START, Buy, record  # noqa: E402


def timed(fn, *args):
    t = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=50_000)
    n = parser.parse_args().attempts
    folder = Path(tempfile.mkdtemp())
    db = folder / "guardian.db"
    ledger = Ledger(db)
    step = timedelta(days=365) / n
    t = time.perf_counter()
    for i in range(n):
        record(ledger, Buy(str(1 + i % 50), recipient=str(7000 + i % 40), allowed=i % 7 != 0), START + i * step)
    per_attempt = (time.perf_counter() - t) / n
    ledger.close()
    print(
        f"{n} attempts over a year, {db.stat().st_size / 1e6:.1f} MB; recording one (attempt + outcome, 2 "
        f"transactions): {per_attempt * 1e3:.2f} ms"
    )

    conn = connect(db)
    report, secs = timed(verify.verify, conn)
    print(f"verify: {report.entries} entries, intact={report.intact}: {secs:.2f} s")
    day = START.date() + timedelta(days=100)
    pack, secs = timed(
        export.build, conn, "Mia", day, day + timedelta(days=30), "Asia/Shanghai", "CNY", datetime.now(UTC)
    )
    print(f"export of one month ({len(pack.attempts)} attempts), including verify: {secs:.2f} s")
    for fmt in formats.FORMATS:
        text, secs = timed(formats.render, pack, fmt)
        print(f"  render {fmt}: {len(text) / 1e6:.2f} MB in {secs:.2f} s")
    cutoff = int((START + timedelta(days=180)).timestamp() * 1000)
    preview, secs = timed(retention.preview, conn, cutoff)
    print(f"purge preview (half the year, {preview.attempts} attempts): {secs:.2f} s")
    cp, secs = timed(retention.purge, conn, cutoff)
    print(f"purge (verify + checkpoint + delete): {secs:.2f} s")
    report, secs = timed(verify.verify, conn)
    print(f"verify after the purge: {report.entries} entries, intact={report.intact}: {secs:.2f} s")
    conn.close()

    # The journal's cost per purchase: the same insert with and without the journal append, on the big file.
    plain = sqlite3.connect(db, isolation_level=None)
    plain.execute("PRAGMA journal_mode=WAL")
    plain.execute("PRAGMA synchronous=NORMAL")
    row = dict(
        zip(
            [d[0] for d in plain.execute("SELECT * FROM attempts LIMIT 1").description],
            plain.execute("SELECT * FROM attempts LIMIT 1").fetchone(),
            strict=True,
        )
    )
    row.pop("id")
    sql = f"INSERT INTO attempts ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})"
    rounds = 2000
    timings = {}
    advance = anchor.advance
    # bare; keyed journal entry without the head file; with it (what Guardian does)
    for variant in ("bare", "journal", "anchored") * 2:
        anchor.advance = advance if variant == "anchored" else (lambda *a: False)
        t = time.perf_counter()
        for _ in range(rounds):
            with transaction(plain):
                cur = plain.execute(sql, tuple(row.values()))
                if variant != "bare":
                    journal.append(plain, "attempt", cur.lastrowid, row, row["at_ms"])
        timings.setdefault(variant, []).append((time.perf_counter() - t) / rounds)
    anchor.advance = advance
    bare, chained, anchored = (min(timings[v]) for v in ("bare", "journal", "anchored"))
    print(
        f"insert an attempt: {bare * 1e6:.0f} us bare, {chained * 1e6:.0f} us with its keyed journal entry "
        f"(ratio {chained / bare:.2f}), {anchored * 1e6:.0f} us with the head file too (ratio {anchored / bare:.2f}; "
        f"the head file adds {(anchored - chained) * 1e6:.0f} us)"
    )
    plain.close()


if __name__ == "__main__":
    main()
