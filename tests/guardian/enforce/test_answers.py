import html
import json
from pathlib import Path

import pytest

from guardian.catalog.index import Catalog
from guardian.catalog.rulefile import parse_app
from guardian.enforce.answers import DECISION_HEADER, REASON_HEADER, cors, preflight, refusal
from guardian.enforce.policy import Reason, explain


@pytest.mark.parametrize("reason", list(Reason))
@pytest.mark.parametrize("app_id", ["bilibili", "douyin", "kuaishou"])
def test_api_refusal_uses_the_apps_own_shape(catalog: Catalog, app_id: str, reason: Reason) -> None:
    app = catalog.apps[app_id]
    answer = refusal(app, reason, navigation=False)
    assert answer.status == app.refusal_status == 200
    assert answer.headers == {
        DECISION_HEADER: "blocked",
        REASON_HEADER: str(reason),
        "Cache-Control": "no-store",
        "Content-Type": "application/json; charset=utf-8",
    }
    doc = json.loads(answer.body.decode("utf-8"))
    zh, en = explain(reason, "zh"), explain(reason, "en")
    message = f"家长控制：{zh} / Parental control: {en}"
    expected = {
        "bilibili": {"code": 200013, "message": message, "ttl": 1, "data": None},
        "douyin": {"data": {"message": message, "prompts": message}, "extra": {}, "status_code": 40001},
        "kuaishou": {"result": 0, "error_msg": message, "host-name": "guardian"},
    }[app_id]
    assert doc == expected


def test_api_refusal_is_a_failure_by_the_apps_own_success_rule(catalog: Catalog) -> None:
    from guardian.catalog.fields import walk

    for app in catalog.apps.values():
        doc = json.loads(refusal(app, Reason.DAY_CAP, navigation=False).body)
        assert walk(doc, app.success.path) not in app.success.values


@pytest.mark.parametrize("reason", list(Reason))
def test_navigation_refusal_is_a_bilingual_page(catalog: Catalog, reason: Reason) -> None:
    answer = refusal(catalog.apps["bilibili"], reason, navigation=True)
    assert answer.status == 403
    assert answer.headers[DECISION_HEADER] == "blocked"
    assert answer.headers[REASON_HEADER] == str(reason)
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    assert answer.headers["Cache-Control"] == "no-store"
    page = answer.body.decode("utf-8")
    assert page.startswith("<!doctype html>")
    zh, en = explain(reason, "zh"), explain(reason, "en")
    # Each language names the app as its readers know it, Chinese first.
    assert f"{html.escape(zh)}（哔哩哔哩）" in page
    assert f"{html.escape(en)} (Bilibili)" in page
    assert page.index("这笔消费已被家长控制拦截") < page.index("This purchase was stopped by parental control")
    assert "<title>家长控制 · Parental control</title>" in page


def test_navigation_page_escapes_the_app_name() -> None:
    text = """\
app = "evil"
name = "<script>alert('x')</script> & co"
currency = "CNY"
hosts = ["evil.example"]
refusal = { status = 402, json = '{"error": "$message"}' }
[[rule]]
id = "evil.pay"
kind = "checkout"
host = "evil.example"
path = "/pay"
amount = "total"
"""
    app = parse_app(text, Path("evil.toml"))
    page = refusal(app, Reason.UNREADABLE, navigation=True).body.decode()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in page
    api = refusal(app, Reason.UNREADABLE, navigation=False)
    assert api.status == 402
    assert json.loads(api.body)["error"].endswith(explain(Reason.UNREADABLE, "en"))


def test_cors_lets_the_apps_own_page_read_the_answer_and_its_guardian_headers() -> None:
    assert cors("https://live.bilibili.com") == {
        "Access-Control-Allow-Origin": "https://live.bilibili.com",
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "Guardian-Decision, Guardian-Reason",
        "Vary": "Origin",
    }


@pytest.mark.parametrize(
    ("asked", "allowed"),
    [
        ("content-type, x-csrf-token", "content-type, x-csrf-token"),
        ("Content-Type", "Content-Type"),
        ("", None),
        ("content-type, bad name, x\r\nSet-Cookie: a=b, ok", "content-type, ok"),  # not header names: dropped
        (",".join(f"h{i}" for i in range(80)), ", ".join(f"h{i}" for i in range(50))),  # bounded
    ],
)
def test_a_preflight_answer_for_a_request_guardian_refuses(asked: str, allowed: str | None) -> None:
    answer = preflight("https://live.bilibili.com", "POST", asked, Reason.DAY_CAP)
    assert (answer.status, answer.body) == (204, b"")
    assert answer.headers["Access-Control-Allow-Origin"] == "https://live.bilibili.com"
    assert answer.headers["Access-Control-Allow-Credentials"] == "true"
    assert answer.headers["Access-Control-Allow-Methods"] == "POST"
    assert answer.headers["Access-Control-Max-Age"] == "0"  # not remembered once purchases are possible again
    assert answer.headers[DECISION_HEADER] == "blocked" and answer.headers[REASON_HEADER] == "day-cap"
    assert answer.headers.get("Access-Control-Allow-Headers") == allowed
