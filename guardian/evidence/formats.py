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

from guardian import words
from guardian.evidence.export import FIELDS, Pack, Totals
from guardian.household.money import format_amount
from guardian.words import DEFAULT, N_, Words

FORMATS = ("csv", "json", "html")
SEPARATOR = {"zh": "；", "en": "; "}


def _m(pack: Pack, amount) -> str:
    return f"{format_amount(amount)} {pack.currency}"


def paragraphs(pack: Pack, _: Words) -> list[str]:
    """The plain-language cover in one language, paragraph by paragraph."""
    r, t = pack.report, pack.total
    if r.intact:
        check = _(
            "The record was checked when this pack was made and is intact: its %(entries)s journal entries chain "
            "together, every attempt and every other recorded row matches its entry, and the head copied after "
            "the last write is still in the chain.",
            entries=r.entries,
        )
    else:
        check = _(
            "WARNING: the record does NOT verify: %(problem)s. Treat the rows after that point with care.",
            problem=r.why(_),
        )
    sep = SEPARATOR[_.language]
    none = _("none")
    devices = sep.join(f"{d} ({n})" for d, n in pack.devices[:5]) or none
    hours = sep.join(f"{h:02d}:00-{h:02d}:59 ({n})" for h, n in pack.hours[:5]) or none
    streamers = sep.join(f"{name} ({n}, {_m(pack, s)})" for name, n, s in pack.recipients[:10]) or none
    period = f"{pack.start} - {pack.end} ({pack.timezone})"
    return [
        _(
            "How this record was made. Guardian is a parental-control proxy on this family's home network. "
            "Each payment request from the child's device to a streaming app passed through it and was recorded "
            "at that moment, before it reached the app: time with time zone, the device's IP address (and proxy "
            "user and hardware MAC address when known), the app, the kind of purchase, the recipient, the amount, "
            "Guardian's decision and how the app's server answered. "
            "Nothing else from the traffic (no cookies, passwords or other pages) is kept. "
            "Each entry, and every parent's answer, limit change, lock, learned gift price and added phone, is "
            "chained to the one before it by an HMAC-SHA256 code computed with a secret key."
        ),
        _(
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
            "it too, and could then write entries as well."
        ),
        _(
            "What it shows. Child: %(child)s. Period: %(period)s. "
            "%(attempts)s purchase attempts: %(allowed)s allowed, %(blocked)s refused. "
            "Spent (allowed and not refused by the app): %(spent)s; refused by Guardian: %(refused)s.",
            child=pack.child,
            period=period,
            attempts=t.attempts,
            allowed=t.allowed,
            blocked=t.blocked,
            spent=_m(pack, t.spent),
            refused=_m(pack, t.refused),
        ),
        _(
            "Which devices: %(devices)s. Which hours (local time, attempts): %(hours)s. "
            "Which streamers (attempts, spent): %(streamers)s.",
            devices=devices,
            hours=hours,
            streamers=streamers,
        ),
        _(
            "How fast: at most %(per_minute)s attempts within one minute; at most %(per_hour)s spent within one hour.",
            per_minute=pack.max_per_minute,
            per_hour=_m(pack, pack.max_hour_amount),
        ),
        check
        + _(
            " Head digest: %(head)s (journal seq %(seq)s). Keep a copy of this digest away from the computer: "
            "later, `guardian verify --head` with this digest (or its first 16 characters) says whether the record "
            "still holds this entry unchanged.",
            head=r.head,
            seq=r.head_seq or 0,
        ),
    ]


def cover(pack: Pack) -> list[tuple[str, str]]:
    """The plain-language cover, paragraph by paragraph: (English, Chinese). It is always in both."""
    return list(zip(paragraphs(pack, words.of("en")), paragraphs(pack, words.of("zh")), strict=True))


def _order(language: str) -> tuple[Words, Words]:
    """The household's language first, the other second."""
    other = "en" if language == "zh" else "zh"
    return words.of(language), words.of(other)


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


def to_csv(pack: Pack, language: str = DEFAULT) -> str:
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
    first, second = _order(language)
    for a, b in zip(paragraphs(pack, first), paragraphs(pack, second), strict=True):
        w.writerow([f"# {first('cover')}", a])
        w.writerow([f"# {second('cover')}", b])
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
.cover p { margin: .4em 0; } .second { color: #333; }
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


def to_html(pack: Pack, language: str = DEFAULT) -> str:
    """Printable, with the cover in both languages: the household's first."""
    r = pack.report
    first, second = _order(language)
    lang = {"zh": "zh-CN", "en": "en"}

    def two(message: str, **values: object) -> str:
        return f"{first(message, **values)} / {second(message, **values)}"

    title = two("Guardian evidence: %(child)s, %(start)s - %(end)s", child=pack.child, start=pack.start, end=pack.end)
    paras = "".join(
        f'<p lang="{lang[first.language]}">{escape(a)}</p>\n'
        f'<p class="second" lang="{lang[second.language]}">{escape(b)}</p>\n'
        for a, b in zip(paragraphs(pack, first), paragraphs(pack, second), strict=True)
    )
    status = two("intact") if r.intact else f"{two('NOT intact')}: {r.why()}"
    totals_head = [
        "",
        two("attempts"),
        two("allowed"),
        two("refused"),
        f"{two('spent')} ({pack.currency})",
        f"{two('refused amount')} ({pack.currency})",
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{lang[first.language]}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>\n"
        f'<section class="cover"><h1>{escape(title)}</h1>\n{paras}'
        f'<p>{escape(two("Verification"))}: <span class="{"" if r.intact else "bad"}">{escape(status)}</span><br>'
        f'{escape(two("Head digest"))}: <span class="digest" id="head">{escape(r.head)}</span> (seq {r.head_seq or 0})'
        f"<br>{escape(two('Made'))}: {escape(pack.made_at.isoformat(timespec='seconds'))}</p></section>\n"
        f"<h2>{escape(two('Totals per app'))}</h2>\n"
        + _table(totals_head, [[k, *_totals(t).values()] for k, t in pack.per_app.items()], "per-app")
        + f"<h2>{escape(two('Totals per day'))}</h2>\n"
        + _table(totals_head, [[k, *_totals(t).values()] for k, t in pack.per_day.items()], "per-day")
        + f"<h2>{escape(two('Every attempt'))}</h2>\n"
        + _table(list(FIELDS), [[a[f] for f in FIELDS] for a in pack.attempts], "attempts")
        + "</body></html>\n"
    )


# Words the HTML pack shows in both languages (marked here: two() takes them as variables).
_HEADINGS = (
    N_("Guardian evidence: %(child)s, %(start)s - %(end)s"),
    N_("intact"),
    N_("NOT intact"),
    N_("attempts"),
    N_("allowed"),
    N_("refused"),
    N_("spent"),
    N_("refused amount"),
    N_("Verification"),
    N_("Head digest"),
    N_("Made"),
    N_("Totals per app"),
    N_("Totals per day"),
    N_("Every attempt"),
    N_("cover"),
)


def render(pack: Pack, fmt: str, language: str = DEFAULT) -> str:
    """The pack as `fmt`; the household's `language` comes first where both are shown (JSON holds both alike)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if fmt == "json":
        return to_json(pack)
    return {"csv": to_csv, "html": to_html}[fmt](pack, language)
