"""What a phone channel is sent: one notification as a message, or several grouped in one, within the channel's size.

A question (a purchase waiting for a parent) is laid out field by field:

    Mia 请求消费 / asks to spend 30.00 CNY
    金额 Amount: 30.00 CNY (3000 gold)
    应用 App: 哔哩哔哩 gift
    主播 Streamer id: “7734”
    设备 Device: 10.0.0.9
    时间 Time: 12-02 20:31:05
    链接 Link: https://…            (when the question has one)
    记录 record #57 1f0c9a3b5d7e8f60

A group has one line per notification, questions first, as many as the
channel takes; the rest wait for its next message. Every message ends with the
record's head as it is when sent, so the parent's message history witnesses
the record. Text from traffic (the streamer id, a proxy user name) is quoted and
inert (guardian.household.text); texts the writers built are cleaned again.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from guardian.household.money import format_amount
from guardian.household.text import inert, quoted
from guardian.notify.desktop import clean
from guardian.store import approvals, outbox

MAX_TITLE = 90
# Bytes of body each kind of channel takes (UTF-8), below each service's own limit: APNs (Bark) 4 KB for the
# whole push, ntfy 4 KB, WeCom 2 KB with the title folded in, the others far more than a phone screen needs.
MAX_BODY = {
    "pushplus": 12_000,
    "bark": 2_000,
    "ntfy": 3_500,
    "dingtalk": 12_000,
    "feishu": 12_000,
    "wecom": 1_700,
    "email": 30_000,
    "webhook": 12_000,
}
QUESTIONS = (outbox.APPROVAL, outbox.UNANSWERED)
# The record's head as guardian.store.outbox may already have put it at the end of a body.
_WITNESS = re.compile(r"\s*·?\s*记录 record #\d+ [0-9a-f]{8,64}\s*$")
SHORT_HEAD = 16


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    body: str
    link: str | None = None  # where a tap leads: a question's own page, when it has one
    urgent: bool = False  # raised priority: Bark level=critical, ntfy priority 5
    events: tuple[int, ...] = ()  # the outbox events it carries


@dataclass(frozen=True, slots=True)
class Context:
    tz: ZoneInfo
    names: Mapping[str, str]  # app id -> the app's own name (哔哩哔哩)
    head: str  # witness(conn), read once per delivery


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    child: str
    amount: str  # household money, or "unknown amount"
    in_app: str | None  # the app's units: "3000 gold"
    app: str
    kind: str
    streamer: str | None  # already quoted and inert
    device: str
    at: datetime
    answered: bool


@dataclass(frozen=True, slots=True)
class Item:
    event: outbox.Event
    urgent: bool
    question: Question | None = None

    @property
    def link(self) -> str | None:
        link = self.event.link or ""
        return link if link.startswith(("https://", "http://")) and len(link) <= 500 else None


def witness(conn: sqlite3.Connection) -> str:
    """The record's head as a message carries it: "记录 record #57 1f0c9a3b5d7e8f60" ("" while it is empty)."""
    row = conn.execute("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
    return f"记录 record #{row[0]} {row[1][:SHORT_HEAD]}" if row else ""


def _money(amount: str, currency: str) -> str:
    try:
        return f"{format_amount(Decimal(amount))} {currency}"
    except InvalidOperation:
        return "unknown amount"


def question(conn: sqlite3.Connection, approval_id: int, ctx: Context) -> Question | None:
    a = approvals.get(conn, approval_id)
    if a is None:
        return None
    units = approvals.app_amount(conn, a)
    in_app = None
    if units is not None and units[0] is not None:
        try:
            in_app = f"{Decimal(units[0]).normalize():f} {inert(units[1], 20)}"
        except InvalidOperation:
            in_app = None
    device = a.client_ip if a.proxy_user is None else f"user {quoted(a.proxy_user)}"
    return Question(
        id=a.id,
        child=a.child,
        amount=_money(a.amount, a.currency) if a.amount != approvals.UNKNOWN else "unknown amount",
        in_app=in_app,
        app=ctx.names.get(a.app, a.app),
        kind=a.kind,
        streamer=None if a.recipient is None else quoted(a.recipient),
        device=device,
        at=datetime.fromtimestamp(a.at_ms / 1000, UTC).astimezone(ctx.tz),
        answered=a.state != approvals.PENDING,
    )


def load(conn: sqlite3.Connection, waiting: list[tuple[outbox.Event, bool]], ctx: Context) -> list[Item]:
    """Items for (event, urgent) pairs, each question with its approval's details."""
    items = []
    for event, urgent in waiting:
        q = question(conn, event.ref, ctx) if event.kind in QUESTIONS and event.ref is not None else None
        items.append(Item(event, urgent or event.kind == outbox.UNANSWERED, q))
    return items


def _body(text: str) -> str:
    return clean(_WITNESS.sub("", text), outbox.MAX_TEXT)


def _title(q: Question, urgent: bool) -> str:
    still = "仍在等待 / Still waiting: " if urgent else ""
    return f"{still}{q.child} 请求消费 / asks to spend {q.amount}"


def _lines(q: Question) -> list[str]:
    amount = q.amount + (f" ({q.in_app})" if q.in_app else "")
    lines = [f"金额 Amount: {amount}", f"应用 App: {q.app} {q.kind}"]
    if q.streamer:
        lines.append(f"主播 Streamer id: {q.streamer}")
    lines += [f"设备 Device: {q.device}", f"时间 Time: {q.at:%m-%d %H:%M:%S}", f"问题 Question #{q.id}"]
    return lines


def _one_line(item: Item) -> str:
    q = item.question
    if q is None:
        line = f"{clean(item.event.title, MAX_TITLE)}: {_body(item.event.body)}"
    else:
        streamer = f" · 主播 streamer {q.streamer}" if q.streamer else ""
        in_app = f" ({q.in_app})" if q.in_app else ""
        still = "‼ " if item.urgent else ""
        line = (
            f"{still}#{q.id} {q.child} {q.amount}{in_app} · {q.app} {q.kind}{streamer} · {q.device} · {q.at:%H:%M:%S}"
        )
    return "• " + line + (f" {item.link}" if item.link else "")


def single(item: Item, ctx: Context, max_bytes: int) -> Message:
    q, event = item.question, item.event
    if q is not None:
        title, lines = _title(q, item.urgent), _lines(q)
        if item.link:
            lines.append(f"链接 Link: {item.link}")
        elif not q.answered:
            lines.append("在家长面板“等待您处理”中回答 / Answer on the dashboard, 'Waiting for you'")
    else:
        title, lines = clean(event.title, MAX_TITLE), [_body(event.body)]
        if item.link:
            lines.append(item.link)
    body = _fit("\n".join(lines), max_bytes - len(ctx.head.encode()) - 1)
    return Message(clean(title, MAX_TITLE), _sign(body, ctx), item.link, item.urgent, (event.id,))


def compose(items: list[Item], ctx: Context, max_bytes: int) -> Message:
    """One message carrying the first of `items` and as many after it as fit in `max_bytes`."""
    if len(items) == 1:
        return single(items[0], ctx, max_bytes)
    room = max_bytes - len(ctx.head.encode()) - 1
    taken: list[Item] = []
    lines: list[str] = []
    for item in items:
        line = _fit(_one_line(item), 600)
        size = len(line.encode()) + 1
        if taken and size > room:
            break
        taken.append(item)
        lines.append(line)
        room -= size
    if len(taken) == 1:
        return single(taken[0], ctx, max_bytes)
    asked = sum(1 for i in taken if i.question is not None)
    urgent = any(i.urgent for i in taken)
    title = ("紧急 / Urgent · " if urgent else "") + f"Guardian: {len(taken)} 条通知 / notifications"
    title += f", {asked} 个问题 / questions" if asked else ""
    links = {i.link for i in taken if i.link}
    link = links.pop() if len(links) == 1 else None
    return Message(title, _sign("\n".join(lines), ctx), link, urgent, tuple(i.event.id for i in taken))


def _fit(text: str, max_bytes: int) -> str:
    data = text.encode()
    if len(data) <= max_bytes:
        return text
    return data[: max(0, max_bytes - 3)].decode(errors="ignore") + "…"


def _sign(body: str, ctx: Context) -> str:
    return f"{body}\n{ctx.head}" if ctx.head else body
