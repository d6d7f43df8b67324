"""Fields inside JSON text inside a field, and list wildcards."""

from __future__ import annotations

import json

import pytest

from guardian.catalog.fields import DocFields, Fields, Unreadable
from guardian.catalog.request import Request


def fields(body: bytes = b"", ctype: str = "application/x-www-form-urlencoded", query=()) -> Fields:
    return Fields(Request("10.0.0.2", None, "POST", "h.example", "/p", tuple(query), ctype, body))


def test_a_field_inside_a_json_encoded_form_field():
    f = fields(b"biz_content=%7B%22total_amount%22%3A%2288.80%22%7D&method=x")
    assert f.get("biz_content.total_amount") == "88.80"
    assert f.get("biz_content.missing") is None


def test_a_field_inside_a_json_encoded_query_field_and_json_string_in_json():
    assert fields(query=[("biz_content", '{"a": {"b": 5}}')]).get("biz_content.a.b") == 5
    assert fields(b'{"extra": "{\\"msg\\": \\"hi\\"}"}', "application/json").get("extra.msg") == "hi"


def test_malformed_or_ambiguous_embedded_json_is_unreadable():
    with pytest.raises(Unreadable, match="not valid JSON"):
        fields(b"biz_content=%7B%22total_amount%22").get("biz_content.total_amount")
    with pytest.raises(Unreadable, match="repeats the key"):
        fields(query=[("b", '{"t": 1, "t": 2}')]).get("b.t")
    with pytest.raises(Unreadable, match="different values"):
        fields(b"b=%7B%22t%22%3A1%7D&b=%7B%22t%22%3A2%7D").get("b.t")


def test_wildcards_reach_every_list_element():
    doc = {"purchase_units": [{"amount": {"value": "1.50"}}, {"amount": {"value": "2"}}, {"other": 1}]}
    f = fields(json.dumps(doc).encode(), "application/json")
    assert f.get_all("purchase_units.*.amount.value") == ["1.50", "2"]
    assert f.get_all("purchase_units.*.nothing") == []
    assert DocFields(doc).get_all("purchase_units.*.amount.value") == ["1.50", "2"]
    assert f.get_all("purchase_units.0.amount.value") == ["1.50"]
