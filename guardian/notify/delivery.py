"""Delivering the outbox: each pending event to the notifier once, bursts summarised.

Refusals for one child are sent at most once a minute: the first is sent at
once; any that follow within the minute wait, and when it is over they go out
as one summary (kind ``refusals-summary``, a delivered row of its own) and are marked
``summarised``. Several refusals already pending together are summarised at
once. A failed delivery leaves the rows pending with ``tries`` and
``last_error``, so nothing is lost and the dashboard can say why.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass

from guardian import words
from guardian.notify.desktop import MAX_BODY, Notifier, NotifyError, clean
from guardian.store import db, outbox
from guardian.words import DEFAULT, Words

BURST_MS = 60_000
SEPARATOR = {"zh": "；", "en": "; "}


@dataclass(frozen=True, slots=True)
class Report:
    delivered: int = 0
    summarised: int = 0
    failed: int = 0
    held: int = 0


def _last_refusal_note(conn: sqlite3.Connection, child: str | None, since_ms: int) -> int | None:
    row = conn.execute(
        "SELECT MAX(delivered_ms) FROM outbox "
        "WHERE state = 'delivered' AND kind IN (?, ?) AND child IS ? AND delivered_ms > ?",
        (outbox.REFUSED, outbox.REFUSALS_SUMMARY, child, since_ms),
    ).fetchone()
    return row[0]


def _mark(conn: sqlite3.Connection, ids: list[int], state: str, now_ms: int) -> None:
    conn.executemany(
        "UPDATE outbox SET state = ?, delivered_ms = ?, tries = tries + 1, last_error = NULL WHERE id = ?",
        [(state, now_ms, i) for i in ids],
    )


def _fail(conn: sqlite3.Connection, ids: list[int], error: str) -> None:
    conn.executemany(
        "UPDATE outbox SET tries = tries + 1, last_error = ? WHERE id = ?", [(error[:300], i) for i in ids]
    )


def _summary(child: str | None, events: list[outbox.Event], _: Words) -> tuple[str, str]:
    who = child or _("an unlisted device")
    span, n = events[-1].at_ms - events[0].at_ms, len(events)
    # Events that waited while no notifier worked can span hours: say "within a minute" only when true.
    if span <= BURST_MS:
        title = _.ngettext(
            "%(num)d purchase refused for %(child)s within a minute",
            "%(num)d purchases refused for %(child)s within a minute",
            n,
            child=who,
        )
    else:
        title = _.ngettext(
            "%(num)d purchase refused for %(child)s", "%(num)d purchases refused for %(child)s", n, child=who
        )
    # Each refusal's title is "Refused for Mia: <what>"; the summary lists the whats.
    prefix = _("Refused for %(child)s: %(what)s", child=who, what="")
    lines = SEPARATOR[_.language].join(e.title.removeprefix(prefix) for e in events[:5])
    if n > 5:
        lines = _("%(list)s; and %(num)d more", list=lines, num=n - 5)
    return title, clean(lines, MAX_BODY)


def deliver(
    conn: sqlite3.Connection, notifier: Notifier, now_ms: int, language: str = DEFAULT, limit: int = 200
) -> Report:
    """Send what is due, summaries in `language`. Run in one process at a time (the dashboard's job)."""
    events = outbox.pending(conn, limit)
    delivered = summarised = failed = held = 0
    refusals: dict[str | None, list[outbox.Event]] = defaultdict(list)
    for event in events:
        if event.kind == outbox.REFUSED:
            refusals[event.child].append(event)
            continue
        try:
            notifier.notify(event.title, event.body)
        except NotifyError as e:
            _fail(conn, [event.id], str(e))
            failed += 1
            continue
        _mark(conn, [event.id], "delivered", now_ms)
        delivered += 1
    for child, group in refusals.items():
        last = _last_refusal_note(conn, child, now_ms - BURST_MS)
        if last is not None:
            held += len(group)  # one refusal note per child per minute; the rest wait for the summary
            continue
        if len(group) == 1:
            title, body = group[0].title, group[0].body
            sent = body
        else:
            title, body = _summary(child, group, words.of(language))
            mark = outbox.witness(conn)  # the summary carries the record's head like every other note
            sent = clean(body, MAX_BODY - len(mark)) + mark
        try:
            notifier.notify(title, sent)
        except NotifyError as e:
            _fail(conn, [e_.id for e_ in group], str(e))
            failed += len(group)
            continue
        with db.transaction(conn):
            if len(group) == 1:
                _mark(conn, [group[0].id], "delivered", now_ms)
            else:
                burst = outbox.post(conn, outbox.REFUSALS_SUMMARY, child, title, body, now_ms, "/notifications")
                _mark(conn, [burst], "delivered", now_ms)
                _mark(conn, [e_.id for e_ in group], "summarised", now_ms)
                summarised += len(group)
        delivered += 1
    return Report(delivered, summarised, failed, held)


def failing(conn: sqlite3.Connection) -> tuple[int, str | None]:
    """How many events are waiting, and the latest reason delivery failed (None when none failed)."""
    count = conn.execute("SELECT COUNT(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
    row = conn.execute(
        "SELECT last_error FROM outbox WHERE state = 'pending' AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return count, None if row is None else row[0]
