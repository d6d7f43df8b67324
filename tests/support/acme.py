"""A made-up app, "acme", as rule-file text: the catalog tests parse it, break it and extend it."""

from pathlib import Path

FILE = Path("rules/acme.toml")

HEAD = """\
app = "acme"
name = "Acme Live"
currency = "CNY"
hosts = ["*.acme.example", "acme.tv"]
refusal = { status = 200, json = '{"code": 1, "msg": "$message"}' }
success = { path = "code", values = [0] }
"""

RULE = """\
[[rule]]
id = "acme.gift"
kind = "gift"
host = "pay.acme.example"
path = "/api/gift/send"
amount = ["price", "count"]
unit = "bean"
per_currency = "100"
"""


def acme(head: str = HEAD, rule: str = RULE) -> str:
    return head + "\n" + rule


def without(text: str, key: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if not line.startswith(f"{key} ="))
