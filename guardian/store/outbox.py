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
from guardian.catalog.detect import Purchase, clean_text
from guardian.catalog.model import KIND_NAMES, App
from guardian.store import journal
from guardian.words import Words

# Kinds of event. Texts are built by the writer, in the household's language; everything from traffic in them
# is cleaned and bounded (`what`).
REFUSED, CAP_NEAR, BURST, WEEKLY, APPROVAL = "refused", "cap-80", "burst", "weekly-summary", "approval"
LOGINS = "login-failures"
KINDS = (REFUSED, CAP_NEAR, BURST, WEEKLY, APPROVAL, LOGINS)
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


def post(
    conn: sqlite3.Connection, kind: str, child: str | None, title: str, body: str, at_ms: int, link: str | None = None
) -> int:
    """Queue one notification, its body ending with the record's head; inside the caller's transaction or alone."""
    mark = witness(conn)
    cur = conn.execute(
        "INSERT INTO outbox (at_ms, kind, child, title, body, link) VALUES (?, ?, ?, ?, ?, ?)",
        (at_ms, kind, child, title[:MAX_TEXT], body[: MAX_TEXT - len(mark)] + mark, link),
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
            "%(app)s %(kind)s, %(amount)s, to %(recipient)s", **values, recipient=clean_text(purchase.recipient, 40)
        )
    return _("%(app)s %(kind)s, %(amount)s", **values)


_COLUMNS = "id, at_ms, kind, child, title, body, link, state, tries, last_error, delivered_ms"


def pending(conn: sqlite3.Connection, limit: int = 100) -> list[Event]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE state = 'pending' ORDER BY id LIMIT ?", (limit,))
    return [Event(*r) for r in rows.fetchall()]


def recent(conn: sqlite3.Connection, limit: int = 100) -> list[Event]:
    """Every state, newest first: the dashboard's notification list."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM outbox ORDER BY id DESC LIMIT ?", (limit,))
    return [Event(*r) for r in rows.fetchall()]
