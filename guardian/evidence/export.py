"""An evidence pack: one child's attempts in a date range, with totals, the chain check and a cover.

`build` gathers it from the ledger; guardian.export_formats writes it as CSV,
JSON or printable HTML. Dates are the household's local dates, both ends
included. Everything in an attempt that came from traffic (recipient,
problem) is text to escape, never markup.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from guardian.evidence import verify
from guardian.store import db, journal
from guardian.words import N_, Said

# The attempt fields an export carries, in order (also the CSV header).
FIELDS = (
    "id",
    "time",
    "timezone",
    "device_ip",
    "proxy_user",
    "mac",
    "child",
    "app",
    "kind",
    "recipient",
    "app_amount",
    "app_unit",
    "amount",
    "currency",
    "decision",
    "reason",
    "problem",
    "outcome",
    "continues",
    "journal_seq",
    "journal_hash",
)
COUNTED = ("pending", "accepted")  # allowed purchases that the app's server did not refuse


def counts(a: dict) -> bool:
    """Spent: allowed, not refused by the server, and not a later step of a payment counted at its first."""
    return a["decision"] == "allowed" and a["outcome"] in COUNTED and not a.get("continues")


@dataclass(frozen=True, slots=True)
class Totals:
    attempts: int = 0
    allowed: int = 0
    blocked: int = 0
    spent: Decimal = Decimal(0)  # allowed and not refused by the server
    refused: Decimal = Decimal(0)  # asked for but blocked by Guardian

    def add(self, a: dict) -> Totals:
        amount = Decimal(a["amount"]) if a["amount"] else Decimal(0)
        allowed = a["decision"] == "allowed"
        return Totals(
            self.attempts + 1,
            self.allowed + allowed,
            self.blocked + (not allowed),
            self.spent + (amount if counts(a) else 0),
            self.refused + (0 if allowed else amount),
        )


@dataclass(frozen=True, slots=True)
class Pack:
    child: str
    start: date
    end: date
    timezone: str
    currency: str
    made_at: datetime
    attempts: list[dict]  # FIELDS -> str | None
    per_app: dict[str, Totals]
    per_day: dict[str, Totals]
    total: Totals
    devices: list[tuple[str, int]]  # "IP / user / MAC", attempts
    hours: list[tuple[int, int]]  # local hour, attempts (busiest first)
    recipients: list[tuple[str, int, Decimal]]  # recipient, attempts, spent
    max_per_minute: int
    max_hour_amount: Decimal
    report: verify.Report


def _device(a: dict) -> str:
    return " / ".join(
        p for p in (a["device_ip"], a["proxy_user"] and f"user {a['proxy_user']}", a["mac"] and f"MAC {a['mac']}") if p
    )


def _max_in_window(times: list[datetime], window: timedelta, weights: list[Decimal] | None = None) -> Decimal:
    """The largest count (or sum of weights) of events inside any window of this length."""
    best, total, lo = Decimal(0), Decimal(0), 0
    for hi, t in enumerate(times):
        total += weights[hi] if weights else 1
        while t - times[lo] >= window:
            total -= weights[lo] if weights else 1
            lo += 1
        best = max(best, total)
    return best


def _attempt(row: dict, tz: ZoneInfo, seq: int | None, h: str | None) -> dict:
    local = datetime.fromtimestamp(row["at_ms"] / 1000, UTC).astimezone(ZoneInfo(row["tz"]) if row["tz"] else tz)
    return {
        "id": str(row["id"]),
        "time": local.isoformat(timespec="milliseconds"),
        "timezone": row["tz"],
        "device_ip": row["client_ip"],
        "proxy_user": row["proxy_user"],
        "mac": row.get("mac"),
        "child": row["child"],
        "app": row["app"],
        "kind": row["kind"],
        "recipient": row["recipient"],
        "app_amount": row["app_amount"],
        "app_unit": row["app_unit"],
        "amount": row["amount"],
        "currency": row["currency"],
        "decision": row["decision"],
        "reason": row["reason"],
        "problem": row["problem"],
        "outcome": row["outcome"],
        "continues": None if row.get("continues") is None else str(row["continues"]),
        "journal_seq": None if seq is None else str(seq),
        "journal_hash": h,
    }


def build(
    conn: sqlite3.Connection, child: str, start: date, end: date, timezone: str, currency: str, now: datetime
) -> Pack:
    """Every attempt by `child` from `start` to `end` (local dates, inclusive), and what they show."""
    if end < start:
        raise Said(N_("the range ends (%(end)s) before it starts (%(start)s)"), end=end, start=start)
    tz = ZoneInfo(timezone)
    lo = db.ms(datetime.combine(start, time(0), tzinfo=tz))
    hi = db.ms(datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz))
    with db.snapshot(conn):  # the attempts and the check describe the same moment
        report = verify.verify(conn)
        cur = conn.execute(
            "SELECT * FROM attempts WHERE child = ? AND at_ms >= ? AND at_ms < ? ORDER BY at_ms, id", (child, lo, hi)
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        entries = {
            ref: (seq, h)
            for ref, seq, h in conn.execute(
                "SELECT ref, seq, hash FROM journal WHERE kind = 'attempt' AND ref IN (SELECT value FROM json_each(?))",
                (journal.canonical([r["id"] for r in rows]),),
            )
        }
    attempts = [_attempt(r, tz, *entries.get(r["id"], (None, None))) for r in rows]
    per_app: dict[str, Totals] = {}
    per_day: dict[str, Totals] = {}
    total = Totals()
    for a in attempts:
        per_app[a["app"]] = per_app.get(a["app"], Totals()).add(a)
        day = a["time"][:10]
        per_day[day] = per_day.get(day, Totals()).add(a)
        total = total.add(a)
    spent_rows = [(r, a) for r, a in zip(rows, attempts, strict=True) if counts(a)]
    recipients: dict[str, list] = {}
    for a in attempts:
        if a["recipient"]:
            entry = recipients.setdefault(a["recipient"], [0, Decimal(0)])
            entry[0] += 1
            if counts(a) and a["amount"]:
                entry[1] += Decimal(a["amount"])
    at = [datetime.fromtimestamp(r["at_ms"] / 1000, UTC) for r in rows]
    spent_at = [datetime.fromtimestamp(r["at_ms"] / 1000, UTC) for r, _ in spent_rows]
    return Pack(
        child=child,
        start=start,
        end=end,
        timezone=timezone,
        currency=currency,
        made_at=now.astimezone(tz),
        attempts=attempts,
        per_app=dict(sorted(per_app.items())),
        per_day=dict(sorted(per_day.items())),
        total=total,
        devices=Counter(_device(a) for a in attempts).most_common(),
        hours=Counter(t.astimezone(tz).hour for t in at).most_common(),
        recipients=sorted(((k, v[0], v[1]) for k, v in recipients.items()), key=lambda x: (-x[2], -x[1], x[0])),
        max_per_minute=int(_max_in_window(at, timedelta(minutes=1))),
        max_hour_amount=_max_in_window(
            spent_at, timedelta(hours=1), [Decimal(a["amount"] or 0) for _, a in spent_rows]
        ),
        report=report,
    )
