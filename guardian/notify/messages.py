"""What a phone channel is sent: one notification as a message, or several grouped in one, within the channel's size.

A question (a purchase waiting for a parent) is laid out field by field, in the household's language:

    Mia 请求花费 30.00 CNY
    金额：30.00 CNY（3000 gold）
    应用：哔哩哔哩 礼物
    主播 ID：“7734”
    设备：10.0.0.9
    时间：12-02 20:31:05
    问题 #12
    链接：https://…                 (when the question has one)
    · #57 1f0c9a3b5d7e8f60

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

from guardian.catalog.model import KIND_NAMES
from guardian.household.money import format_amount
from guardian.household.text import inert, quoted
from guardian.notify.desktop import clean
from guardian.store import approvals, outbox
from guardian.words import Words

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
# The record's head as guardian.store.outbox put it at the end of a body when it was written; a message ends
# with the head as it is when sent, once.
_WITNESS = re.compile(rf"\s*·\s*#\d+ [0-9a-f]{{{outbox.SHORT_HEAD}}}\s*$")


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
    names: Mapping[str, str]  # app id -> the app's own name in the household's language (哔哩哔哩)
    head: str  # witness(conn), read once per delivery
    words: Words  # the household's language


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    child: str
    amount: str | None  # household money; None when unknown
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
    """The record's head as a message's last line carries it: "· #57 1f0c9a3b5d7e8f60" ("" while it is empty)."""
    return outbox.witness(conn).strip()


def _money(amount: str, currency: str) -> str | None:
    try:
        return f"{format_amount(Decimal(amount))} {currency}"
    except InvalidOperation:
        return None


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
    _ = ctx.words
    device = a.client_ip if a.proxy_user is None else _("user %(name)s", name=quoted(a.proxy_user))
    return Question(
        id=a.id,
        child=a.child,
        amount=_money(a.amount, a.currency) if a.amount != approvals.UNKNOWN else None,
        in_app=in_app,
        app=ctx.names.get(a.app, a.app),
        kind=_(KIND_NAMES.get(a.kind, a.kind)),
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


def _title(q: Question, urgent: bool, _: Words) -> str:
    if q.amount is None:
        title = _("%(child)s asks to spend an unknown amount", child=q.child)
    else:
        title = _("%(child)s asks to spend %(amount)s", child=q.child, amount=q.amount)
    return _("Still waiting: %(title)s", title=title) if urgent else title


def _amount(q: Question, _: Words) -> str:
    amount = _("amount unknown") if q.amount is None else q.amount
    return _("%(amount)s (%(in_app)s)", amount=amount, in_app=q.in_app) if q.in_app else amount


def _lines(q: Question, _: Words) -> list[str]:
    lines = [_("Amount: %(amount)s", amount=_amount(q, _)), _("App: %(app)s %(kind)s", app=q.app, kind=q.kind)]
    if q.streamer:
        lines.append(_("Streamer id: %(id)s", id=q.streamer))
    lines += [
        _("Device: %(device)s", device=q.device),
        _("Time: %(time)s", time=q.at.strftime("%m-%d %H:%M:%S")),
        _("Question #%(id)s", id=q.id),
    ]
    return lines


def _one_line(item: Item, _: Words) -> str:
    q = item.question
    if q is None:
        line = f"{clean(item.event.title, MAX_TITLE)}: {_body(item.event.body)}"
    else:
        streamer = _(" · streamer %(id)s", id=q.streamer) if q.streamer else ""
        line = _(
            "#%(id)s %(child)s %(amount)s · %(app)s %(kind)s%(streamer)s · %(device)s · %(time)s",
            id=q.id,
            child=q.child,
            amount=_amount(q, _),
            app=q.app,
            kind=q.kind,
            streamer=streamer,
            device=q.device,
            time=q.at.strftime("%H:%M:%S"),
        )
        line = ("‼ " if item.urgent else "") + line
    return "• " + line + (f" {item.link}" if item.link else "")


def single(item: Item, ctx: Context, max_bytes: int) -> Message:
    q, event, _ = item.question, item.event, ctx.words
    if q is not None:
        title, lines = _title(q, item.urgent, _), _lines(q, _)
        if item.link:
            lines.append(_("Link: %(link)s", link=item.link))
        elif not q.answered:
            lines.append(_("Answer it on the dashboard's “Waiting for you” page."))
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
        line = _fit(_one_line(item, ctx.words), 600)
        size = len(line.encode()) + 1
        if taken and size > room:
            break
        taken.append(item)
        lines.append(line)
        room -= size
    if len(taken) == 1:
        return single(taken[0], ctx, max_bytes)
    _ = ctx.words
    asked = sum(1 for i in taken if i.question is not None)
    urgent = any(i.urgent for i in taken)
    title = _.ngettext("Guardian: %(num)d notification", "Guardian: %(num)d notifications", len(taken))
    if asked:
        title += _.ngettext(", %(num)d question", ", %(num)d questions", asked)
    title = _("Urgent: %(title)s", title=title) if urgent else title
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
