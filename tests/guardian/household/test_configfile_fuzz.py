"""Property tests: any config text parses or raises ConfigError naming the file (never another exception)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.household.config import ConfigError
from guardian.household.configfile import parse

FUZZ = settings(max_examples=250, deadline=None)
FILE = Path("/home/parent/guardian.toml")
VALID = """\
[household]
currency = "CNY"
timezone = "Asia/Shanghai"
week_starts = "monday"
unknown_devices = "allow"
rates = { USD = "7.2" }
[storage]
path = "guardian.db"
[proxy]
listen = "127.0.0.1:8080"
[dashboard]
listen = "127.0.0.1:8765"
[[child]]
name = "Mia"
devices = ["192.168.1.23", "192.168.1.40/30", "user:mia"]
[child.caps]
per_purchase = "30"
day = "50"
week = "200"
month = "500"
per_minute = 3
[child.windows]
purchases = ["sat-sun 10:00-20:00"]
[child.windows.apps]
kuaishou = ["mon-fri 18:00-20:00"]
"""
LINES = VALID.splitlines()
toml_value = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True).map(lambda f: repr(f).replace("inf", "inf").replace("nan", "nan")),
    st.booleans().map(lambda b: str(b).lower()),
    st.text(max_size=12).map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.sampled_from(
        [
            "[]",
            '[1, "a"]',
            "{}",
            "{ a = 1 }",
            '"Asia/Nowhere"',
            '"../../etc/passwd"',
            '"\\u0000"',
            '"-5"',
            '"1e3"',
            '"  30  "',
            '"30 USD"',
            '"daily 22:00-01:00"',
            '["always"]',
            '"mia"',
            "1979-05-27",
            '"0.0.0.0:99999"',
        ]
    ),
)


def mutate(data: st.DataObject) -> str:
    lines = list(LINES)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        what = data.draw(st.sampled_from(["value", "drop", "key", "dup", "junk"]))
        key = lines[i].split("=", 1)[0].strip() if "=" in lines[i] else None
        if what == "value" and key:
            lines[i] = f"{key} = {data.draw(toml_value)}"
        elif what == "drop":
            lines.pop(i)
        elif what == "key":
            lines.insert(i, f"{data.draw(st.from_regex(r'[a-z_]{1,12}', fullmatch=True))} = {data.draw(toml_value)}")
        elif what == "dup":
            lines.insert(i, lines[i])
        else:
            lines.insert(i, data.draw(st.text(max_size=20)))
        if not lines:
            break
    return "\n".join(lines) + "\n"


def check(text: str) -> None:
    try:
        config = parse(text, FILE, known_apps=["bilibili", "douyin", "kuaishou"])
    except ConfigError as e:
        assert str(e).startswith(str(FILE))  # names the file, then the key and the reason
        return
    assert config.path == FILE and config.storage.is_absolute()
    for child in config.children:
        assert config.child(child.name) is child


@FUZZ
@given(st.data())
def test_mutated_configs(data):
    check(mutate(data))


@FUZZ
@given(st.text(max_size=200))
def test_arbitrary_text(text):
    check(text)


def test_the_valid_config_parses():
    assert parse(VALID, FILE, known_apps=["kuaishou"]).children[0].caps.per_minute == 3
