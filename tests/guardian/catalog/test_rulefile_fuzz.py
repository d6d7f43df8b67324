"""Property tests: any rule file parses or raises RuleError naming the file; shipped files survive mutation."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.catalog.index import Catalog, builtin_files
from guardian.catalog.model import RuleError
from guardian.catalog.rulefile import parse_app

FUZZ = settings(max_examples=200, deadline=None)
FILES = builtin_files()
values = st.one_of(
    st.integers().map(str),
    st.text(max_size=10).map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.sampled_from(["[]", '["*"]', '["**"]', "[1]", "{}", '"GET"', '"*.*"', '"0"', '"-1"', "'{\"a\": '", "true"]),
)


@FUZZ
@given(st.sampled_from(FILES), st.data())
def test_mutated_rule_files(file, data):
    name, text = file
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(lines) - 1))
        if "=" in lines[i] and data.draw(st.booleans()):
            lines[i] = lines[i].split("=", 1)[0] + "= " + data.draw(values)
        else:
            lines.pop(i)
    try:
        app = parse_app("\n".join(lines), Path(name))
    except RuleError as e:
        assert str(e).startswith(name)
        return
    Catalog([app])  # a file that parses builds a catalog


@FUZZ
@given(st.text(max_size=200))
def test_arbitrary_text(text):
    try:
        parse_app(text, Path("x.toml"))
    except RuleError as e:
        assert str(e).startswith("x.toml")
