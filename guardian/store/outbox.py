"""The notification outbox: events the proxy writes and the dashboard's job delivers.

The proxy never notifies directly: it appends a row here (in a worker
thread), and a scheduled job in the dashboard process delivers pending rows
through the desktop notifier, each exactly once. While no notifier works the
rows stay pending, with the last error, so nothing is lost.

Every notification ends with the journal's head as it stood when it was
written (`` · #seq`` and the digest's first 16 characters, in no language so
that it reads the same in every message): the parent's own message history
then witnesses the record, and ``guardian verify --head`` finds any of these
digests in it, or says it was rewritten.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from guardian import words
from guardian.catalog.detect import Purchase
from guardian.catalog.model import KIND_NAMES, App
from guardian.household.text import quoted
from guardian.store import journal
from guardian.words import Words

# Kinds of event. Texts are built by the writer, in the household's language; everything from traffic in them
# is quoted, inert and bounded (`what`).
REFUSED, CAP_NEAR, BURST, WEEKLY, APPROVAL = "refused", "cap-80", "burst", "weekly-summary", "approval"
LOGINS = "login-failures"
# A question still unanswered after [notifications] escalate_after (ref: the approval), and the desktop's
# summary of refusals that came too fast to show one by one (the phones group their own).
UNANSWERED, REFUSALS_SUMMARY = "approval-unanswered", "refusals-summary"
# The kinds Guardian writes today (BURST waits for the burst breaker), each in both languages (a test).
KINDS = (REFUSED, CAP_NEAR, REFUSALS_SUMMARY, WEEKLY, APPROVAL, LOGINS, UNANSWERED)
MAX_TEXT = 300
SHORT_HEAD = 16  # hex characters of the head digest in a message: 64 bits, too many to match by chance


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    at_ms: int
    kind: str
    child: str | None
    title: str
    body: str
    link: str | None
    state: str
    tries: int
    last_error: str | None
    delivered_ms: int | None = None
    ref: int | None = None  # the approval a question is about


def post(
    conn: sqlite3.Connection,
    kind: str,
    child: str | None,
    title: str,
    body: str,
    at_ms: int,
    link: str | None = None,
    ref: int | None = None,
) -> int:
    """Queue one notification, its body ending with the record's head; inside the caller's transaction or alone."""
    mark = witness(conn)
    cur = conn.execute(
        "INSERT INTO outbox (at_ms, kind, child, title, body, link, ref) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (at_ms, kind, child, title[:MAX_TEXT], body[: MAX_TEXT - len(mark)] + mark, link, ref),
    )
    return cur.lastrowid


def witness(conn: sqlite3.Connection) -> str:
    """The head as a message carries it: " · #12 1f0c9a3b5d7e8f60" ("" while the journal is empty)."""
    seq, h = journal.head_entry(conn)
    return f" · #{seq} {h[:SHORT_HEAD]}" if seq else ""


@dataclass(frozen=True, slots=True)
class Say:
    """How the notifications about one purchase are worded: the household's language and the app's name in it."""

    words: Words
    app_name: str

    @classmethod
    def of(cls, language: str, app: App | None, app_id: str = "") -> Say:
        return cls(words.of(language), app_id if app is None else app.name_in(language))

    def what(self, purchase: Purchase) -> str:
        return what(purchase, self.app_name, self.words)


def what(purchase: Purchase, app_name: str, _: Words) -> str:
    """A purchase in a few words for a notification: "抖音 礼物，60.00 CNY，给 StarRiver"."""
    if purchase.money is not None:
        amount = str(purchase.money)
    else:
        amount = _("amount unknown") if purchase.unknown else _("amount unreadable")
    values = {"app": app_name, "kind": _(KIND_NAMES.get(purchase.kind, purchase.kind)), "amount": amount}
    if purchase.recipient:
        return _(
            # Quoted and inert: a recipient chosen to look like a link is not one on the parent's phone.
            "%(app)s %(kind)s, %(amount)s, to %(recipient)s",
            **values,
            recipient=quoted(purchase.recipient),
        )
    return _("%(app)s %(kind)s, %(amount)s", **values)


_COLUMNS = "id, at_ms, kind, child, title, body, link, state, tries, last_error, delivered_ms, ref"


def pending(conn: sqlite3.Connection, limit: int = 100) -> list[Event]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state = 'pending' ORDER BY id LIMIT ?", (limit,))
    return [Event(*r) for r in rows.fetchall()]


def after(conn: sqlite3.Connection, event_id: int, limit: int = 500) -> list[Event]:
    """Events newer than `event_id`, oldest first, whatever their desktop state (the phones' own reading)."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id > ? ORDER BY id LIMIT ?", (event_id, limit))
    return [Event(*r) for r in rows.fetchall()]


def get(conn: sqlite3.Connection, ids: list[int]) -> list[Event]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id IN ({','.join('?' * len(ids))}) ORDER BY id", ids)
    return [Event(*r) for r in rows.fetchall()]


def posted_since(conn: sqlite3.Connection, kind: str, child: str | None, title: str, since_ms: int) -> bool:
    """Whether this very notification was already written since `since_ms` (so a repeated check posts it once)."""
    row = conn.execute(
        "SELECT 1 FROM outbox WHERE kind = ? AND child IS ? AND title = ? AND at_ms >= ? LIMIT 1",
        (kind, child, title[:MAX_TEXT], since_ms),
    ).fetchone()
    return row is not None


def last_before(conn: sqlite3.Connection, at_ms: int) -> int:
    """The id of the newest event written before `at_ms` (0 when none)."""
    row = conn.execute("SELECT MAX(id) FROM outbox WHERE at_ms < ?", (at_ms,)).fetchone()
    return row[0] or 0


def unanswered(conn: sqlite3.Connection, asked_from_ms: int, asked_before_ms: int) -> list[tuple[int, str]]:
    """(approval id, child) of questions asked in [from, before) still pending and not yet sent again as urgent."""
    rows = conn.execute(
        "SELECT a.id, a.child FROM approvals a WHERE a.state = 'pending' AND a.at_ms >= ? AND a.at_ms < ? "
        "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.kind = ? AND o.ref = a.id) ORDER BY a.id",
        (asked_from_ms, asked_before_ms, UNANSWERED),
    )
    return rows.fetchall()


def recent(conn: sqlite3.Connection, limit: int = 100) -> list[Event]:
    """Every state, newest first: the dashboard's notification list."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox ORDER BY id DESC LIMIT ?", (limit,))
    return [Event(*r) for r in rows.fetchall()]
