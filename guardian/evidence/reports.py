"""The weekly summary: stored as a report the dashboard shows, and posted to the outbox.

It ends with the record's check and its full head digest, so the parent's
messages keep a copy of the head outside this computer each week (and the
parent hears of a record that no longer verifies).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from guardian import words
from guardian.evidence import review, verify
from guardian.household.config import Config
from guardian.household.money import format_amount
from guardian.store import db, outbox


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    week: str
    at_ms: int
    title: str
    lines: list[str]


def weekly(conn: sqlite3.Connection, config: Config, now: datetime) -> Report | None:
    """Summarise the household week holding `now`; None if it was already summarised."""
    calendar = config.household.calendar
    first = review.week_start(calendar, calendar.local(now).date())
    currency = config.household.currency
    _ = words.of(config.household.language)
    lines = []
    for cw in review.week(conn, calendar, first, [c.name for c in config.children], top=3):
        child = config.child(cw.child)
        cap = child.caps.week if child is not None else None
        top = ", ".join(f"{r.name} ({format_amount(r.amount)})" for r in cw.recipients) or _("no recipients")
        spent = f"{format_amount(cw.total)} {currency}"
        values = {"child": cw.child, "spent": spent, "refused": len(cw.refused), "top": top}
        if cap is not None:
            line = _("%(child)s: spent %(spent)s of %(cap)s; %(refused)d refused; top: %(top)s", cap=cap, **values)
        else:
            line = _("%(child)s: spent %(spent)s; %(refused)d refused; top: %(top)s", **values)
        lines.append(line)
    title = _("Guardian week of %(week)s", week=first.isoformat())
    at_ms = db.ms(now)
    with db.transaction(conn):
        check = verify.verify(conn)  # in the transaction: the digest is the head this summary is written on
        status = _("Record intact") if check.intact else _("Record NOT intact: %(problem)s", problem=check.why(_))
        lines.append(
            _("%(status)s; head digest %(head)s (seq %(seq)s)", status=status, head=check.head, seq=check.head_seq or 0)
        )
        cur = conn.execute(
            "INSERT OR IGNORE INTO reports (week, at_ms, title, body) VALUES (?, ?, ?, ?)",
            (first.isoformat(), at_ms, title, json.dumps(lines, ensure_ascii=False)),
        )
        if not cur.rowcount:  # another process summarised this week first
            return None
        outbox.post(
            conn,
            outbox.WEEKLY,
            None,
            title,
            # The check first: a long week is cut short at the end, and the head follows anyway (outbox.post).
            " | ".join([status, *lines[:-1]]) if len(lines) > 1 else f"{status} | {_('No purchases this week.')}",
            at_ms,
            f"/week?week={first.isoformat()}",
        )
    return Report(cur.lastrowid, first.isoformat(), at_ms, title, lines)


def recent(conn: sqlite3.Connection, limit: int = 20) -> list[Report]:
    rows = conn.execute(
        "SELECT id, week, at_ms, title, body FROM reports ORDER BY week DESC LIMIT ?", (limit,)
    ).fetchall()
    return [Report(i, w, at, t, json.loads(b)) for i, w, at, t, b in rows]
