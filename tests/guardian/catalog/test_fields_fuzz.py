"""Property tests: reading fields from any request raises only Unreadable;
ambiguity is never resolved by guessing."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from guardian.catalog.fields import Fields, Unreadable, parse_json
from guardian.catalog.request import Request

FUZZ = settings(max_examples=300, deadline=None)
names = st.sampled_from(["price", "gift_num", "fen", "a.b", "a.0", "x", ""])
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(names, inner, max_size=3)),
    max_leaves=12,
)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.lists(st.tuples(names, st.text(max_size=6)), max_size=5).map(
        lambda kv: "&".join(f"{k}={v}" for k, v in kv).encode()
    ),
    st.sampled_from(
        [b'{"fen": 1, "fen": 2}', b"[" * 5000, b'{"a": NaN}', b'{"a": 1e999}', b"\xff\xfe{", b"  ", b"\xef\xbb\xbf{}"]
    ),
    st.none(),
)
ctypes = st.sampled_from(
    [
        "",
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
        "APPLICATION/JSON; charset=gbk",
    ]
)
queries = st.lists(st.tuples(names, st.text(max_size=6)), max_size=4).map(tuple)


@FUZZ
@given(bodies, ctypes, queries, names)
def test_fields_raise_only_unreadable(body, ctype, query, name):
    request = Request("10.0.0.2", None, "POST", "h.example", "/p", query, ctype, body)
    try:
        fields = Fields(request)
        value = fields.get(name)
    except Unreadable as e:
        assert str(e)
        return
    from_query = [v for k, v in query if k == name]
    if from_query:
        assert str(value).strip() == from_query[0].strip()
        assert len({v.strip() for v in from_query}) == 1  # repeated keys agreed, or it would have been Unreadable


@FUZZ
@given(st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
def test_parse_json_raises_only_unreadable(body):
    try:
        parse_json(body)
    except Unreadable:
        pass


@FUZZ
@given(st.text(alphabet="abc", min_size=1, max_size=2), st.integers(), st.integers())
def test_duplicate_json_keys_with_different_values_are_unreadable(key, a, b):
    body = f'{{"{key}": {a}, "{key}": {b}}}'.encode()
    try:
        doc = parse_json(body)
    except Unreadable:
        assert a != b
    else:
        assert a == b and doc == {key: a}
