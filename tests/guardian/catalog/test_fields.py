from decimal import Decimal

import pytest

from guardian.catalog.fields import Fields, Unreadable, parse_json, walk
from guardian.catalog.request import MAX_BODY, Request

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def fields(body: bytes | None = b"", ctype: str = "", query: tuple[tuple[str, str], ...] = ()) -> Fields:
    return Fields(Request("10.0.0.2", None, "POST", "pay.example", "/pay", query, ctype, body))


def unreadable(
    body: bytes | None = b"", ctype: str = "", query: tuple[tuple[str, str], ...] = (), name: str = "n"
) -> str:
    with pytest.raises(Unreadable) as e:
        fields(body, ctype, query).get(name)
    return str(e.value)


def test_parse_json_reads_decimals_exactly() -> None:
    doc = parse_json(b'{"a": 0.1, "b": 3, "c": [1.10]}')
    assert doc == {"a": Decimal("0.1"), "b": 3, "c": [Decimal("1.10")]}
    assert isinstance(doc["a"], Decimal) and isinstance(doc["b"], int)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b'{"a": NaN}', "the body is not valid JSON (ValueError)"),
        (b'{"a": Infinity}', "the body is not valid JSON (ValueError)"),
        (b'{"a": -Infinity}', "the body is not valid JSON (ValueError)"),
        (b'{"a": 1,', "the body is not valid JSON (JSONDecodeError)"),
        (b"{'a': 1}", "the body is not valid JSON (JSONDecodeError)"),
        (b"\xff\xfe{", "the body is not valid JSON (UnicodeDecodeError)"),
        (b"[" * 200_000 + b"]" * 200_000, "the body is not valid JSON (RecursionError)"),
        (b'{"a": ' + b"9" * 5000 + b"}", "the body is not valid JSON (ValueError)"),  # int digit limit
        (b'{"a": 1, "a": 2}', "the JSON body repeats the key 'a'"),
        (b'{"x": {"gift_num": 1, "gift_num": 10}}', "the JSON body repeats the key 'gift_num'"),
        (b'{"a": "1", "a": 1}', "the JSON body repeats the key 'a'"),
    ],
)
def test_parse_json_bad(body: bytes, error: str) -> None:
    with pytest.raises(Unreadable) as e:
        parse_json(body)
    assert str(e.value) == error


def test_parse_json_allows_a_key_repeated_with_the_same_value() -> None:
    assert parse_json(b'{"a": 1, "a": 1}') == {"a": 1}


def test_query_fields() -> None:
    f = fields(query=(("price", "100"), ("gift_num", "10")))
    assert (f.get("price"), f.get("gift_num"), f.get("missing")) == ("100", "10", None)
    assert f.json is None and f.json_items() == []


def test_form_body_fields() -> None:
    f = fields(b"price=100&gift_num=10&msg=hello+world&empty=", FORM)
    assert (f.get("price"), f.get("gift_num"), f.get("msg"), f.get("empty")) == ("100", "10", "hello world", "")


def test_form_body_without_content_type_is_read() -> None:
    assert fields(b"gift_num=10", "").get("gift_num") == "10"
    assert fields(b"gift_num=10", "text/plain").get("gift_num") == "10"


def test_json_body_fields() -> None:
    f = fields(b'{"fen": 3000, "deep": {"list": [{"v": "x"}]}}', JSON)
    assert f.get("fen") == 3000
    assert f.get("deep.list.0.v") == "x"
    assert f.get("deep.list.1.v") is None
    assert f.get("deep.missing") is None
    assert f.json_items() == [f.json]


def test_json_is_sniffed_without_a_content_type() -> None:
    assert fields(b'  {"fen": 3000}', "").get("fen") == 3000
    assert fields(b'[{"fen": 1}, {"fen": 2}]', "text/plain").json_items() == [{"fen": 1}, {"fen": 2}]


def test_a_form_content_type_is_believed_over_json_looks() -> None:
    f = fields(b'{"fen": 3000}', FORM)
    assert f.json is None
    assert f.get("fen") is None


def test_empty_or_blank_body_has_no_fields() -> None:
    for body in (b"", b"  \r\n"):
        f = fields(body, JSON)
        assert f.json is None and f.get("fen") is None


def test_body_of_exactly_max_body_is_read() -> None:
    body = b"fen=1&pad=" + b"x" * (MAX_BODY - len(b"fen=1&pad="))
    assert len(body) == MAX_BODY
    assert fields(body, FORM).get("fen") == "1"


@pytest.mark.parametrize(
    ("body", "ctype", "error"),
    [
        (None, FORM, "the body could not be read (too large or badly encoded)"),
        (b"x" * (MAX_BODY + 1), FORM, "the body is larger than 65536 bytes"),
        (b"fen=\xff", FORM, "the form body is not UTF-8"),
        (b'{"fen": 1', JSON, "the body is not valid JSON (JSONDecodeError)"),
        (b"fen=1", JSON, "the body is not valid JSON (JSONDecodeError)"),
        # A multipart body always holds '=' (name="..."): it must not be read as a form.
        (
            b'--XX\r\nContent-Disposition: form-data; name="n"\r\n\r\n1000\r\n--XX--\r\n',
            "multipart/form-data; boundary=XX",
            "multipart bodies are not read on payment endpoints",
        ),
        (
            b"--XX\r\n\r\n--XX--\r\n",
            "multipart/form-data; boundary=XX",
            "multipart bodies are not read on payment endpoints",
        ),
    ],
)
def test_unreadable_bodies(body: bytes | None, ctype: str, error: str) -> None:
    with pytest.raises(Unreadable) as e:
        fields(body, ctype)
    assert str(e.value) == error


def test_multipart_cannot_hide_a_different_amount_behind_the_query() -> None:
    body = b'--XX\r\nContent-Disposition: form-data; name="gift_num"\r\n\r\n1000\r\n--XX--\r\n'
    with pytest.raises(Unreadable):
        fields(body, "multipart/form-data; boundary=XX", (("gift_num", "1"),))


def test_a_field_repeated_with_the_same_value_is_fine() -> None:
    assert fields(query=(("n", "5"), ("n", "5"))).get("n") == "5"
    assert fields(b"n=5", FORM, (("n", "5"),)).get("n") == "5"
    assert fields(b'{"n": 5}', JSON, (("n", "5"),)).get("n") == "5"  # the query copy comes first
    assert fields(b'{"n": " 5 "}', JSON, (("n", "5"),)).get("n") == "5"


@pytest.mark.parametrize(
    ("body", "ctype", "query"),
    [
        (b"", "", (("n", "5"), ("n", "50"))),  # repeated query keys
        (b"n=5&n=50", FORM, ()),  # repeated form keys
        (b"n=50", FORM, (("n", "5"),)),  # query and form disagree
        (b'{"n": 50}', JSON, (("n", "5"),)),  # query and JSON disagree
        (b'{"n": 5.0}', JSON, (("n", "5"),)),  # written differently: the server may read either
        (b"n=", FORM, (("n", "5"),)),
    ],
)
def test_ambiguous_fields_are_unreadable(body: bytes, ctype: str, query: tuple[tuple[str, str], ...]) -> None:
    assert unreadable(body, ctype, query) == "the field 'n' appears with different values"


def test_ambiguity_is_reported_only_for_the_field_asked_for() -> None:
    f = fields(b"other=1&other=2&n=5", FORM)
    assert f.get("n") == "5"
    with pytest.raises(Unreadable, match="^the field 'other' appears with different values$"):
        f.get("other")


@pytest.mark.parametrize(
    ("doc", "path", "value"),
    [
        ({"code": 0}, "code", 0),
        ({"data": {"status": -4}}, "data.status", -4),
        ({"data": None}, "data.status", None),
        ({"a": [{"b": 1}, {"b": 2}]}, "a.1.b", 2),
        ({"a": [1]}, "a.5", None),
        ({"a": [1]}, "a.x", None),
        ([{"b": 1}], "0.b", 1),
        ("text", "a", None),
        (None, "a", None),
    ],
)
def test_walk(doc: object, path: str, value: object) -> None:
    assert walk(doc, path) == value
