"""Delivering the outbox to the parent's phone channels, each within its own limits.

Every run of the job (four times a second):

1. **Escalate**: a question still unanswered `escalate_after` seconds after it was
   asked is posted again as ``approval-unanswered``: urgent (Bark
   ``level=critical``, ntfy priority 5) and for every channel, whatever its events.
2. **Fan out** the outbox events written since the last run: one ``sends`` row
   per channel whose events include the event's group.
3. **Send**, channel by channel, one message carrying what waits (urgent
   first, then oldest), as many notifications grouped as the channel's size
   allows, when the channel's limits leave room and its pace allows: a
   minute's allowance is spread over the minute (PushPlus, 5 a minute: one
   message every 12 s at most), so a burst never spends it in its first
   seconds and leaves the last question waiting for the next minute. The last
   fifth of a day's allowance is kept for messages that carry a question.
   A question is never dropped: what does not fit, or waits for the limits,
   goes with the channel's next message. A failed message leaves its rows
   pending with the words for why, and the channel rests (5 s, doubling to
   5 minutes) before it is tried again.

The first run looks back one hour, so a channel is not sent a whole history.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol
from zoneinfo import ZoneInfo

from guardian import words
from guardian.household.config import Config
from guardian.household.routes import Limits, Route, limits
from guardian.notify import messages
from guardian.notify.addresses import Address
from guardian.notify.desktop import NotifyError
from guardian.notify.messages import Context, Message
from guardian.store import outbox, sends
from guardian.words import Words

LOOK_BACK_MS = 3_600_000
REST_MS, MAX_REST_MS = 5_000, 300_000
BATCH = 200  # notifications read for one message: more than any channel's size takes
RESERVE = 0.8  # past this share of a day's allowance, only messages carrying a question are sent

# The group of events each outbox kind belongs to ([[notifications.channel]] events); any other kind
# (the service stopped, a device went quiet, failed logins) is "health".
GROUPS = {
    outbox.APPROVAL: "questions",
    outbox.UNANSWERED: "questions",
    outbox.REFUSED: "refusals",
    outbox.CAP_NEAR: "caps",
    outbox.BURST: "bursts",
    outbox.WEEKLY: "weekly",
}
DESKTOP_ONLY = {outbox.REFUSALS_SUMMARY}  # the desktop's own summary of refusals: the phones group their own


class Sender(Protocol):
    def send(self, message: Message) -> None: ...


@dataclass(frozen=True, slots=True)
class Channel:
    route: Route
    address: Address | None  # None: not in the address book (the dashboard says so)

    @property
    def limits(self) -> Limits:
        return limits(self.route, self.address.limits() if self.address else Limits(1, 1))

    @property
    def max_bytes(self) -> int:
        return messages.MAX_BODY[self.route.kind]


@dataclass
class Report:
    sent: int = 0  # messages accepted
    carried: int = 0  # notifications they carried
    failed: int = 0  # messages refused or unreachable
    held: dict[str, int] = field(default_factory=dict)  # channel -> notifications waiting for its limits
    escalated: int = 0


def configured(config: Config, book: Mapping[str, Address]) -> list[Channel]:
    """The configured channels with their addresses (a stored address of another kind does not count)."""
    found = []
    for route in config.channels:
        address = book.get(route.id)
        found.append(Channel(route, address if address is not None and address.kind == route.kind else None))
    return found


def group(kind: str) -> str:
    return GROUPS.get(kind, "health")


def escalate(conn: sqlite3.Connection, after_s: int, now_ms: int, _: Words) -> int:
    """Post ``approval-unanswered`` for each question pending longer than `after_s` (asked within the hour)."""
    if not after_s:
        return 0
    due = now_ms - after_s * 1000
    posted = 0
    for approval_id, child in outbox.unanswered(conn, due - LOOK_BACK_MS, due):
        outbox.post(
            conn,
            outbox.UNANSWERED,
            child,
            _("Still waiting: %(child)s's question #%(id)s", child=child, id=approval_id),
            _("No answer after %(seconds)s seconds.", seconds=after_s),
            now_ms,
            "/approvals",
            ref=approval_id,
        )
        posted += 1
    return posted


def fan_out(conn: sqlite3.Connection, chans: list[Channel], now_ms: int) -> int:
    """Queue the events written since the last run for the channels that take them; returns the rows queued."""
    start = sends.cursor(conn)
    if start is None:
        start = outbox.last_before(conn, now_ms - LOOK_BACK_MS)
    events = outbox.after(conn, start)
    if not events:
        if sends.cursor(conn) is None:
            sends.fan_out(conn, [], start)
        return 0
    rows = []
    for event in events:
        if event.kind in DESKTOP_ONLY:
            continue
        urgent = event.kind == outbox.UNANSWERED
        for ch in chans:
            if urgent or group(event.kind) in ch.route.events:
                rows.append((event.id, ch.route.id, urgent))
    sends.fan_out(conn, rows, events[-1].id)
    return len(rows)


def rest_ms(failures: int) -> int:
    """How long a channel rests after `failures` failed messages in a row."""
    return 0 if failures == 0 else min(REST_MS * 2 ** (failures - 1), MAX_REST_MS)


def pace_ms(lim: Limits) -> int:
    """The least time between two messages: a minute's allowance spread over the minute, not spent at once."""
    return 60_000 // lim.per_minute


def deliver_channel(conn: sqlite3.Connection, ch: Channel, sender: Sender, ctx: Context, now_ms: int, report: Report):
    """Send one message of what waits for one channel, if its limits and its pace allow it now."""
    ident = ch.route.id
    failed, last = sends.failures(conn, ident)
    if failed and last is not None and now_ms - last.at_ms < rest_ms(failed):
        return
    waiting = sends.pending(conn, ident, BATCH)
    events = {e.id: e for e in outbox.get(conn, [w.event for w in waiting])}
    if len(events) < len(waiting):
        sends.drop(conn, ident, [w.event for w in waiting if w.event not in events])
        waiting = [w for w in waiting if w.event in events]
    if not waiting:
        return
    lim = ch.limits
    minute, day, latest = sends.window(conn, ident, now_ms)
    # An urgent message skips the pace (never the limits): it is the one a parent must not miss.
    paced = latest is not None and now_ms - latest < pace_ms(lim) and not waiting[0].urgent
    if minute >= lim.per_minute or day >= lim.per_day or paced:
        report.held[ident] = len(waiting)
        return
    items = messages.load(conn, [(events[w.event], w.urgent) for w in waiting], ctx)
    message = messages.compose(items, ctx, ch.max_bytes)
    carried = set(message.events)
    if day >= lim.per_day * RESERVE and not any(i.question for i in items if i.event.id in carried):
        report.held[ident] = len(waiting)  # the rest of the day's allowance is kept for questions
        return
    try:
        sender.send(message)
    except NotifyError as e:
        sends.record(conn, ident, now_ms, list(message.events), message.urgent, str(e), e.permanent)
        report.failed += 1
        return
    sends.record(conn, ident, now_ms, list(message.events), message.urgent)
    report.sent += 1
    report.carried += len(message.events)


def deliver(
    conn: sqlite3.Connection,
    config: Config,
    book: Mapping[str, Address],
    names: Mapping[str, str],
    make_sender: Callable[[Address, Words], Sender],
    now_ms: int,
) -> Report:
    """One run: escalate, fan out, and send to every channel that has an address (`names`: the apps' names in the
    household's language)."""
    report = Report()
    chans = configured(config, book)
    _ = words.of(config.household.language)
    report.escalated = escalate(conn, config.escalate_after, now_ms, _)
    fan_out(conn, chans, now_ms)
    ctx = Context(ZoneInfo(config.household.timezone), names, messages.witness(conn), _)
    for ch in chans:
        if ch.address is not None:
            deliver_channel(conn, ch, make_sender(ch.address, _), ctx, now_ms, report)
    return report
