"""An evidence pack (guardian.export.Pack) written as CSV, JSON or printable HTML.

Each format carries every attempt with the same fields (export.FIELDS), the
totals, the chain check with its head digest, and the cover in Chinese and
English. In HTML every value is escaped; the page prints cleanly (A4, the
attempts table repeats its header on each page).
"""

from __future__ import annotations

import csv
import io
import json
from html import escape

from guardian.evidence.export import FIELDS, Pack, Totals
from guardian.household.money import format_amount

FORMATS = ("csv", "json", "html")


def _m(pack: Pack, amount) -> str:
    return f"{format_amount(amount)} {pack.currency}"


def cover(pack: Pack) -> list[tuple[str, str]]:
    """The plain-language cover, paragraph by paragraph: (English, Chinese)."""
    r, t = pack.report, pack.total
    check_en = (
        f"The record was checked when this pack was made and is intact: its {r.entries} journal entries chain "
        "together, every attempt and every other recorded row matches its entry, and the head copied after the "
        "last write is still in the chain."
        if r.intact
        else f"WARNING: the record does NOT verify: {r.why}. Treat the rows after that point with care."
    )
    check_zh = (
        f"生成本文件时已校验记录：{r.entries} 条日志链接完整，每一次尝试及其他每一行记录都与其日志条目一致，"
        "最后一次写入后复制的链头仍在链中。"
        if r.intact
        else f"警告：记录校验未通过：{r.why}。该处之后的数据需谨慎对待。"
    )
    devices = "; ".join(f"{d} ({n})" for d, n in pack.devices[:5]) or "none"
    hours = ", ".join(f"{h:02d}:00-{h:02d}:59 ({n})" for h, n in pack.hours[:5]) or "none"
    streamers = "; ".join(f"{name} ({n}, {_m(pack, s)})" for name, n, s in pack.recipients[:10]) or "none"
    period = f"{pack.start} - {pack.end} ({pack.timezone})"
    return [
        (
            "How this record was made. Guardian is a parental-control proxy on this family's home network. "
            "Each payment request from the child's device to a streaming app passed through it and was recorded "
            "at that moment, before it reached the app: time with time zone, the device's IP address (and proxy "
            "user and hardware MAC address when known), the app, the kind of purchase, the recipient, the amount, "
            "Guardian's decision and how the app's server answered. "
            "Nothing else from the traffic (no cookies, passwords or other pages) is kept. "
            "Each entry, and every parent's answer, limit change, lock, learned gift price and added phone, is "
            "chained to the one before it by an HMAC-SHA256 code computed with a secret key.",
            "记录方式：Guardian 是安装在本家庭网络中的家长控制代理。"
            "孩子设备向直播应用发出的每一个支付请求都经过它，并在到达应用之前当场记录："
            "带时区的时间、设备 IP 地址（以及已知时的代理用户名和硬件 MAC 地址）、"
            "应用、购买类型、收款主播、金额、Guardian 的决定以及应用服务器的答复。"
            "除此之外不保存任何流量内容（不保存 Cookie、密码或其他网页）。"
            "每条记录，以及家长的每次答复、限额修改、锁定、学到的礼物价格和添加的手机，"
            "都用一把秘密密钥计算的 HMAC-SHA256 校验码与上一条记录链接在一起。",
        ),
        (
            "What the check can and cannot detect. The key is kept in a file that only Guardian's own service "
            "account and the computer's administrators can read. Without it, nobody (a child who can open the "
            "database file included) can edit, delete, insert or reorder an entry, forge one, or recompute the "
            "chain without the check failing. Deleting the newest entries is caught too: after each write Guardian "
            "copies the chain's head to a separate file, and every notification to the parent carries it. What it "
            "cannot detect: someone who holds the key, that is an administrator of this computer, can rewrite the "
            "record and that file together so that they agree; only a head digest copied off the computer earlier "
            "(from the parent's notifications, weekly summaries or an earlier export) shows such a rewrite. Entries "
            "written before Guardian kept a key use plain SHA-256: edits in the middle still show, but anyone could "
            "have recomputed them. Checking the entries needs the key, so a third party checking this record needs "
            "it too, and could then write entries as well.",
            "校验能发现什么、不能发现什么：密钥保存在一个只有 Guardian 自己的服务账户和本机管理员才能读取的文件中。"
            "没有密钥的人（包括能打开数据库文件的孩子）无法在不被校验发现的情况下修改、删除、插入或重新排序任何记录，"
            "也无法伪造记录或重新计算整条链。"
            "删除最新的记录同样会被发现：每次写入后，Guardian 都会把链头复制到另一个文件中，"
            "发给家长的每条通知也都带有链头。不能发现的情况：持有密钥的人（即本机管理员）可以同时改写记录和该文件，"
            "使二者一致；只有事先复制到本机以外的链头摘要（家长收到的通知、每周总结或更早的导出）才能揭示这种改写。"
            "Guardian 开始保存密钥之前写入的记录使用普通 SHA-256：中间的修改仍可被发现，但任何人都可能重新计算过它们。"
            "校验记录需要密钥，因此第三方要校验本记录也需要密钥，而拿到密钥后也就能写入记录。",
        ),
        (
            f"What it shows. Child: {pack.child}. Period: {period}. "
            f"{t.attempts} purchase attempts: {t.allowed} allowed, {t.blocked} refused. "
            f"Spent (allowed and not refused by the app): {_m(pack, t.spent)}; "
            f"refused by Guardian: {_m(pack, t.refused)}.",
            f"记录内容：孩子：{pack.child}。期间：{period}。"
            f"共 {t.attempts} 次购买尝试：放行 {t.allowed} 次，拦截 {t.blocked} 次。"
            f"已消费（放行且未被应用拒绝）：{_m(pack, t.spent)}；被 Guardian 拦截：{_m(pack, t.refused)}。",
        ),
        (
            f"Which devices: {devices}. Which hours (local time, attempts): {hours}. "
            f"Which streamers (attempts, spent): {streamers}.",
            f"设备：{devices}。时段（当地时间，次数）：{hours}。主播（次数，消费）：{streamers}。",
        ),
        (
            f"How fast: at most {pack.max_per_minute} attempts within one minute; at most "
            f"{_m(pack, pack.max_hour_amount)} spent within one hour.",
            f"速度：一分钟内最多 {pack.max_per_minute} 次尝试；一小时内最多消费 {_m(pack, pack.max_hour_amount)}。",
        ),
        (
            f"{check_en} Head digest: {r.head} (journal seq {r.head_seq or 0}). Keep a copy of this digest away "
            "from the computer: later, `guardian verify --head` with this digest (or its first 16 characters) says "
            "whether the record still holds this entry unchanged.",
            f"{check_zh} 链头摘要：{r.head}（日志序号 {r.head_seq or 0}）。"
            "请在本机以外另行保存此摘要：日后用 `guardian verify --head` 加上此摘要（或其前 16 个字符）"
            "即可确认记录中这一条目是否仍然存在且未被改动。",
        ),
    ]


def _totals(t: Totals) -> dict:
    return {
        "attempts": t.attempts,
        "allowed": t.allowed,
        "blocked": t.blocked,
        "spent": format_amount(t.spent),
        "refused": format_amount(t.refused),
    }


def as_dict(pack: Pack) -> dict:
    r = pack.report
    return {
        "child": pack.child,
        "from": str(pack.start),
        "to": str(pack.end),
        "timezone": pack.timezone,
        "currency": pack.currency,
        "made_at": pack.made_at.isoformat(timespec="seconds"),
        "verification": {
            "intact": r.intact,
            "head_digest": r.head,
            "head_seq": r.head_seq,
            "entries": r.entries,
            "problems": [str(p) for p in r.problems],
        },
        "cover": {"en": [en for en, _ in cover(pack)], "zh": [zh for _, zh in cover(pack)]},
        "totals": _totals(pack.total),
        "per_app": {k: _totals(v) for k, v in pack.per_app.items()},
        "per_day": {k: _totals(v) for k, v in pack.per_day.items()},
        "attempts": pack.attempts,
    }


def to_json(pack: Pack) -> str:
    return json.dumps(as_dict(pack), ensure_ascii=False, indent=2) + "\n"


# A spreadsheet runs a cell that starts with one of these as a formula; such text gets a leading
# apostrophe (and so does text that starts with one, so reading back is unambiguous).
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "'")


def _cell(value: str | None) -> str:
    if value is None:
        return ""
    return "'" + value if value.startswith(_FORMULA) else value


def _uncell(text: str) -> str | None:
    if not text:
        return None
    return text[1:] if text.startswith("'") else text


def to_csv(pack: Pack) -> str:
    """The attempts, one per row, then the totals and the cover as '#'-prefixed rows a spreadsheet shows below them."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(FIELDS)
    for a in pack.attempts:
        w.writerow([_cell(a[f]) for f in FIELDS])
    w.writerow([])
    r = pack.report
    w.writerow(
        ["# verification", "intact" if r.intact else "NOT intact", "head digest", r.head, "head seq", r.head_seq or 0]
    )
    for title, table in (("# per app", pack.per_app), ("# per day", pack.per_day)):
        w.writerow([title, "attempts", "allowed", "blocked", "spent", "refused"])
        for k, t in table.items():
            w.writerow([k, *_totals(t).values()])
    for en, zh in cover(pack):
        w.writerow(["# cover", en])
        w.writerow(["# 说明", zh])
    return out.getvalue()


def read_csv(text: str) -> list[dict]:
    """The attempts back from `to_csv` (empty cells as None)."""
    rows = list(csv.reader(io.StringIO(text)))
    header, attempts = rows[0], []
    for row in rows[1:]:
        if not row:
            break
        attempts.append({k: _uncell(v) for k, v in zip(header, row, strict=True)})
    return attempts


_CSS = """
body { font: 11pt/1.45 "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 2em; color: #111; }
h1 { font-size: 16pt; } h2 { font-size: 13pt; margin-top: 1.5em; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: .5em 0; }
th, td { border: 1px solid #999; padding: 2px 4px; text-align: left; vertical-align: top; }
#attempts { font-size: 7pt; } #attempts th { word-break: break-all; }
td.wrap { word-break: break-all; min-width: 6em; } td.wrap.hash { font: 6.5pt monospace; min-width: 8em; }
th { background: #eee; } .bad { color: #a00; font-weight: bold; }
.digest { font-family: monospace; overflow-wrap: anywhere; }
.cover p { margin: .4em 0; } .zh { color: #222; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { margin: 0; } thead { display: table-header-group; } tr { break-inside: avoid; }
  .cover { break-after: page; }
}
"""


# Long unbroken text (digests, traffic text) wraps anywhere; everything else only between words.
_WRAP = {"recipient": "wrap", "problem": "wrap", "proxy_user": "wrap", "journal_hash": "wrap hash"}


def _table(head: list[str], rows: list[list[object]], ident: str = "") -> str:
    h = "".join(f"<th>{escape(str(c))}</th>" for c in head)
    classes = [f' class="{_WRAP[c]}"' if c in _WRAP else "" for c in head]
    body = "".join(
        "<tr>"
        + "".join(f"<td{k}>{escape('' if c is None else str(c))}</td>" for k, c in zip(classes, row, strict=True))
        + "</tr>\n"
        for row in rows
    )
    attr = f' id="{ident}"' if ident else ""
    return f"<table{attr}><thead><tr>{h}</tr></thead><tbody>\n{body}</tbody></table>\n"


def to_html(pack: Pack) -> str:
    r = pack.report
    title = f"Guardian evidence / 证据: {pack.child}, {pack.start} - {pack.end}"
    paras = "".join(f'<p>{escape(en)}</p>\n<p class="zh" lang="zh-CN">{escape(zh)}</p>\n' for en, zh in cover(pack))
    status = "intact / 完整" if r.intact else f"NOT intact / 未通过: {r.why}"
    totals_head = [
        "",
        "attempts 次数",
        "allowed 放行",
        "blocked 拦截",
        f"spent 消费 ({pack.currency})",
        f"refused 拦截金额 ({pack.currency})",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>\n"
        f'<section class="cover"><h1>{escape(title)}</h1>\n{paras}'
        f'<p>Verification / 校验: <span class="{"" if r.intact else "bad"}">{escape(status)}</span><br>'
        f'Head digest / 链头摘要: <span class="digest" id="head">{escape(r.head)}</span> (seq {r.head_seq or 0})<br>'
        f"Made / 生成于: {escape(pack.made_at.isoformat(timespec='seconds'))}</p></section>\n"
        "<h2>Totals per app / 按应用合计</h2>\n"
        + _table(totals_head, [[k, *_totals(t).values()] for k, t in pack.per_app.items()], "per-app")
        + "<h2>Totals per day / 按日合计</h2>\n"
        + _table(totals_head, [[k, *_totals(t).values()] for k, t in pack.per_day.items()], "per-day")
        + "<h2>Every attempt / 每一次尝试</h2>\n"
        + _table(list(FIELDS), [[a[f] for f in FIELDS] for a in pack.attempts], "attempts")
        + "</body></html>\n"
    )


def render(pack: Pack, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return {"csv": to_csv, "json": to_json, "html": to_html}[fmt](pack)
