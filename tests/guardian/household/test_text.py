"""Text from traffic shown to a parent: bounded, no control characters, nothing a chat app reads as a link."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guardian.household.text import inert, quoted


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("7734", "“7734”"),
        ("主播小美", "“主播小美”"),
        ("https://evil.example/approve?pin", "“https：／／evil．example／approve?pin”"),
        ("[tap](http://x.io)", "“［tap］（http：／／x．io）”"),
        ('a"b\\c', "“a＂b＼c”"),
        ("<b>mum</b>", "“‹b›mum‹／b›”"),
        ("a\u202eb\nc\x00", "“ab c”"),
        ("x" * 60, "“" + "x" * 39 + "…”"),
    ],
)
def test_quoted_is_readable_and_inert(raw, shown):
    assert quoted(raw) == shown


@given(st.text(max_size=200))
def test_nothing_inert_can_be_a_link_or_markup(text):
    shown = inert(text)
    assert len(shown) <= 40
    assert not re.search(r"[\x00-\x1f\x7f<>\[\]()*`\"\\:/@.]", shown)
