"""What the catalog holds: an app's refusal body, with the message put where its template says."""

import json

import pytest

from guardian.catalog.index import Catalog
from guardian.catalog.rulefile import parse_app
from tests.support.acme import FILE, HEAD, acme


def test_refusal_body_fills_message(catalog: Catalog) -> None:
    body = catalog.apps["bilibili"].refusal_body("已达到今日消费上限")
    doc = json.loads(body)
    assert doc == {"code": 200013, "message": "已达到今日消费上限", "ttl": 1, "data": None}
    assert "已达到今日消费上限".encode() in body  # UTF-8, not \u escapes


def test_refusal_body_fills_every_placeholder(catalog: Catalog) -> None:
    doc = json.loads(catalog.apps["douyin"].refusal_body("余额不足"))
    assert doc == {"data": {"message": "余额不足", "prompts": "余额不足"}, "extra": {}, "status_code": 40001}


@pytest.mark.parametrize(
    "message",
    [
        'say "stop"',
        '"}, "code": 0, "x": {"',
        "<script>alert(1)</script>",
        "back\\slash",
        "line\nbreak\u2028",
        "</script><!--",
    ],
)
def test_refusal_body_escapes_the_message(catalog: Catalog, message: str) -> None:
    for app in catalog.apps.values():
        body = app.refusal_body(message)
        doc = json.loads(body)  # still valid JSON
        flat = json.dumps(doc, ensure_ascii=False)
        assert flat.count(json.dumps(message, ensure_ascii=False)) >= 1
    doc = json.loads(catalog.apps["bilibili"].refusal_body(message))
    assert doc["message"] == message and doc["code"] == 200013  # an injected "code" cannot replace the real one


def test_refusal_body_replaces_only_whole_placeholders() -> None:
    app = parse_app(
        acme(HEAD.replace("""'{"code": 1, "msg": "$message"}'""", """'{"a": "x $message", "b": ["$message", 2]}'""")),
        FILE,
    )
    assert json.loads(app.refusal_body("M")) == {"a": "x $message", "b": ["M", 2]}
