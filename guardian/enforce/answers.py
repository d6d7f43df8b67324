"""What the proxy answers instead of the app's server when it refuses, and the guard's verdict that carries it.

What the child reads is in Chinese and English, Chinese first, whatever the household's language:
a child may read either, and an app's own page does not say which it shows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from guardian import words
from guardian.catalog.model import App
from guardian.enforce.policy import Decision, Reason, explain
from guardian.words import Words

DECISION_HEADER = "Guardian-Decision"
REASON_HEADER = "Guardian-Reason"
EXPOSED = f"{DECISION_HEADER}, {REASON_HEADER}"  # what a page's script may read of a refusal
TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$")  # an HTTP header name or method
CHILD_LANGUAGES = ("zh", "en")  # the order the child reads them in


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Verdict:
    attempt_id: int
    decision: Decision
    answer: Answer | None  # what to answer instead of the server; None to forward
    approval: int | None = None  # the question put to a parent (guardian.enforce.holds)
    wait: int = 0  # seconds to hold the request for the parent's answer before `answer`


def message(reason: Reason) -> str:
    """The refusal in one line for an app to show: "家长控制：已达到今日消费上限 / Parental control: ..."."""
    parts = []
    for lang in CHILD_LANGUAGES:
        _ = words.of(lang)
        parts.append(_("Parental control: %(reason)s", reason=explain(reason, lang)))
    return " / ".join(parts)


def page(title: str, heading: str, paragraph: Callable[[Words], str], head: str = "") -> bytes:
    """A short page in each of the child's languages: `title` and `heading` are messages, `paragraph` makes the text."""
    sections = []
    for i, lang in enumerate(CHILD_LANGUAGES):
        _ = words.of(lang)
        extra = ' class="second"' if i else ""
        sections.append(
            f'<h1 lang="{lang}"{extra}>{html.escape(_(heading))}</h1>\n'
            f'<p lang="{lang}"{extra}>{html.escape(paragraph(_))}</p>'
        )
    both = " · ".join(html.escape(words.of(lang)(title)) for lang in CHILD_LANGUAGES)
    body = "\n".join(sections)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
{head}<title>{both}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}}
h1{{font-size:1.4rem}}p{{line-height:1.5}}.second{{color:#555}}</style></head>
<body>{body}
</body></html>
""".encode()


def _refusal_page(reason: Reason, app: App) -> bytes:
    def paragraph(_: Words) -> str:
        return _(
            "%(reason)s (%(app)s). Talk to your parent if you need it.",
            reason=explain(reason, _.language),
            app=app.name_in(_.language),
        )

    return page(words.N_("Parental control"), words.N_("This purchase was stopped by parental control"), paragraph)


def refusal(app: App, reason: Reason, navigation: bool) -> Answer:
    """The app's own error shape for API calls; a short bilingual page for a page load."""
    headers = {DECISION_HEADER: "blocked", REASON_HEADER: str(reason), "Cache-Control": "no-store"}
    if navigation:
        headers["Content-Type"] = "text/html; charset=utf-8"
        return Answer(403, headers, _refusal_page(reason, app))
    headers["Content-Type"] = "application/json; charset=utf-8"
    return Answer(app.refusal_status, headers, app.refusal_body(message(reason)))


def cors(origin: str) -> dict[str, str]:
    """What an app's server sends its own pages with a cross-origin answer: `origin` may read it, cookies and all."""
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": EXPOSED,
        "Vary": "Origin",
    }


def preflight(origin: str, method: str, asked: str, reason: Reason) -> Answer:
    """The answer to a CORS preflight for a request Guardian will refuse: the page may send it, and reads the
    refusal. `asked` is the preflight's Access-Control-Request-Headers; names that are not header names are
    dropped. Not cached (max-age 0): once purchases are possible again, the app's server answers preflights.
    """
    names = [n.strip() for n in asked.split(",")[:50]]
    headers = {
        **cors(origin),
        "Access-Control-Allow-Methods": method,
        "Access-Control-Max-Age": "0",
        DECISION_HEADER: "blocked",
        REASON_HEADER: str(reason),
        "Cache-Control": "no-store",
    }
    allowed = ", ".join(n for n in names if TOKEN.match(n))
    if allowed:
        headers["Access-Control-Allow-Headers"] = allowed
    return Answer(204, headers, b"")
