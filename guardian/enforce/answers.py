"""What the proxy answers instead of the app's server when it refuses, and the guard's verdict that carries it."""

from __future__ import annotations

import html
from dataclasses import dataclass

from guardian.catalog.model import App
from guardian.enforce.policy import EXPLAIN, Decision, Reason

DECISION_HEADER = "Guardian-Decision"
REASON_HEADER = "Guardian-Reason"


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


def _page(reason: Reason, app_name: str) -> bytes:
    zh, en = EXPLAIN[reason]
    name = html.escape(app_name)
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>家长控制 · Parental control</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}}
h1{{font-size:1.4rem}}p{{line-height:1.5}}.en{{color:#555}}</style></head>
<body><h1>这笔消费已被家长控制拦截</h1>
<p>{html.escape(zh)}（{name}）。如有需要，请和爸爸妈妈商量。</p>
<h1 class="en" lang="en">This purchase was stopped by parental control</h1>
<p class="en" lang="en">{html.escape(en)} ({name}). Talk to your parent if you need it.</p>
</body></html>
""".encode()


def refusal(app: App, reason: Reason, navigation: bool) -> Answer:
    """The app's own error shape for API calls; a short bilingual page for a page load."""
    headers = {DECISION_HEADER: "blocked", REASON_HEADER: str(reason), "Cache-Control": "no-store"}
    if navigation:
        headers["Content-Type"] = "text/html; charset=utf-8"
        return Answer(403, headers, _page(reason, app.name))
    zh, en = EXPLAIN[reason]
    headers["Content-Type"] = "application/json; charset=utf-8"
    return Answer(app.refusal_status, headers, app.refusal_body(f"家长控制：{zh} / Parental control: {en}"))
