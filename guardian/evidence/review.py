"""What the parent reviews: recent attempts, one week's spending, caps at a glance.

Pure functions of a database connection, the household calendar and dates;
the dashboard's views call them and only render the results.
Spending counts like the caps do: allowed purchases whose outcome is pending or accepted.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from guardian.household.config import Child
from guardian.household.money import SCALE
from guardian.household.periods import Calendar
from guardian.store import db
from guardian.store.ledger import Row, _row
from guardian.store.overrides import Overrides

COUNTS = "decision = 'allowed' AND outcome IN ('pending', 'accepted')"
MAX_LIMIT = 500


def _amount(units: int) -> Decimal:
    return Decimal(units) / SCALE


def attempts(
    conn: sqlite3.Connection,
    *,
    child: str | None = None,
    app: str | None = None,
    decision: str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[Row]:
    """Attempts newest first, optionally filtered.

    With `after_id`, the oldest `limit` attempts after it (still listed newest first), so a
    poller that falls behind catches up over several polls instead of skipping any.
    """
    sql = "SELECT * FROM attempts WHERE id > ?"
    args: list[object] = [after_id]
    for column, value in (("child", child), ("app", app), ("decision", decision)):
        if value:
            sql += f" AND {column} = ?"
            args.append(value)
    sql += f" ORDER BY id {'ASC' if after_id else 'DESC'} LIMIT ?"
    args.append(max(1, min(limit, MAX_LIMIT)))
    cur = conn.execute(sql, args)
    names = [d[0] for d in cur.description]
    rows = [_row(dict(zip(names, r, strict=True))) for r in cur.fetchall()]
    return rows[::-1] if after_id else rows


def choices(conn: sqlite3.Connection) -> tuple[list[str], list[str]]:
    """The children and apps that appear in the ledger, for filter menus."""
    children = [
        r[0] for r in conn.execute("SELECT DISTINCT child FROM attempts WHERE child IS NOT NULL ORDER BY child")
    ]
    apps = [r[0] for r in conn.execute("SELECT DISTINCT app FROM attempts ORDER BY app")]
    return children, apps


def spent(conn: sqlite3.Connection, child: str, start: datetime, end: datetime) -> Decimal:
    units = conn.execute(
        f"SELECT COALESCE(SUM(amount_units), 0) FROM attempts "
        f"WHERE child = ? AND {COUNTS} AND at_ms >= ? AND at_ms < ?",
        (child, db.ms(start), db.ms(end)),
    ).fetchone()[0]
    return _amount(units)


@dataclass(frozen=True, slots=True)
class CapStatus:
    period: str  # day, week, month
    spent: Decimal
    cap: Decimal | None

    @property
    def fraction(self) -> float:
        """Share of the cap spent, 0..1 (1 when a zero cap); 0 without a cap."""
        if self.cap is None:
            return 0.0
        if self.cap == 0:
            return 1.0 if self.spent > 0 else 0.0
        return float(min(self.spent / self.cap, Decimal(1)))


def caps_status(
    conn: sqlite3.Connection, child: Child, at: datetime, calendar: Calendar, extra: Overrides | None = None
) -> list[CapStatus]:
    """Spending in the day, week and month holding `at`, each against its cap (today's extra allowance included)."""
    caps = child.caps.with_extra(extra.extra_day if extra else Decimal(0))
    local_day = calendar.local(at).date()
    day_start, day_end = calendar.day_bounds(local_day)
    week_first, week_last = calendar.week_of(local_day)
    month_first = local_day.replace(day=1)
    next_month = (month_first + timedelta(days=32)).replace(day=1)
    return [
        CapStatus("day", spent(conn, child.id, day_start, day_end), None if caps.day is None else caps.day.amount),
        CapStatus(
            "week",
            spent(conn, child.id, calendar.day_bounds(week_first)[0], calendar.day_bounds(week_last)[1]),
            None if caps.week is None else caps.week.amount,
        ),
        CapStatus(
            "month",
            spent(conn, child.id, calendar.day_bounds(month_first)[0], calendar.day_bounds(next_month)[0]),
            None if caps.month is None else caps.month.amount,
        ),
    ]


@dataclass(frozen=True, slots=True)
class Recipient:
    app: str
    name: str
    amount: Decimal
    count: int


@dataclass(slots=True)
class ChildWeek:
    child: str
    days: list[tuple[date, Decimal]]
    apps: list[tuple[str, Decimal]]
    recipients: list[Recipient]
    refused: list[Row] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((amount for _, amount in self.days), Decimal(0))


def week_start(calendar: Calendar, day: date) -> date:
    return calendar.week_of(day)[0]


def week(
    conn: sqlite3.Connection, calendar: Calendar, first: date, children: list[str], top: int = 10
) -> list[ChildWeek]:
    """Each child's spending in the household week starting on the local date `first`.

    `children` are the configured children's ids, in the order to list them; other ids found in the week
    (a removed child's) follow.
    """
    dates = [first + timedelta(days=i) for i in range(7)]
    start, end = calendar.day_bounds(dates[0])[0], calendar.day_bounds(dates[-1])[1]
    found = sorted(
        {
            *children,
            *(
                r[0]
                for r in conn.execute(
                    "SELECT DISTINCT child FROM attempts WHERE child IS NOT NULL AND at_ms >= ? AND at_ms < ?",
                    (db.ms(start), db.ms(end)),
                )
            ),
        },
        key=lambda c: (c not in children, children.index(c) if c in children else 0, c),
    )
    result = []
    for child in found:
        per_day: dict[date, int] = defaultdict(int)
        per_app: dict[str, int] = defaultdict(int)
        per_recipient: dict[tuple[str, str], int] = defaultdict(int)
        counts: Counter[tuple[str, str]] = Counter()
        for at_ms, app, recipient, units in conn.execute(
            f"SELECT at_ms, app, recipient, amount_units FROM attempts "
            f"WHERE child = ? AND {COUNTS} AND at_ms >= ? AND at_ms < ?",
            (child, db.ms(start), db.ms(end)),
        ):
            local = calendar.local(datetime.fromtimestamp(at_ms / 1000, UTC)).date()
            per_day[local] += units
            per_app[app] += units
            if recipient:
                per_recipient[(app, recipient)] += units
                counts[(app, recipient)] += 1
        ranked = sorted(per_recipient.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        cur = conn.execute(
            "SELECT * FROM attempts WHERE child = ? AND decision = 'blocked' AND at_ms >= ? AND at_ms < ? "
            "ORDER BY id DESC LIMIT 200",
            (child, db.ms(start), db.ms(end)),
        )
        names = [d[0] for d in cur.description]
        result.append(
            ChildWeek(
                child,
                [(d, _amount(per_day[d])) for d in dates],
                sorted(((a, _amount(u)) for a, u in per_app.items()), key=lambda kv: (-kv[1], kv[0])),
                [Recipient(app, name, _amount(u), counts[(app, name)]) for (app, name), u in ranked],
                [_row(dict(zip(names, r, strict=True))) for r in cur.fetchall()],
            )
        )
    return result
