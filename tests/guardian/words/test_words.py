"""The languages: translating with values, plurals, the setting's grammar, the terminal's locale."""

from __future__ import annotations

import pytest

from guardian import words


def test_english_is_the_source_and_chinese_comes_from_the_catalog() -> None:
    message = "Today's spending limit is reached"
    assert words.of("en")(message) == message
    assert words.of("zh")(message) == "已达到今日消费上限"


def test_values_are_filled_in_after_translation() -> None:
    message = "Refused for %(child)s: %(what)s"
    assert words.of("zh")(message, child="Mia", what="x") == "已为 Mia 拦截：x"
    # Plain text: escaping is the page's business.
    assert words.of("en")(message, child="<b>", what="x") == "Refused for <b>: x"


def test_plural_forms() -> None:
    en, zh = words.of("en"), words.of("zh")
    one, many = "%(num)d purchase refused for %(child)s", "%(num)d purchases refused for %(child)s"
    assert en.ngettext(one, many, 1, child="Mia") == "1 purchase refused for Mia"
    assert en.ngettext(one, many, 3, child="Mia") == "3 purchases refused for Mia"
    assert zh.ngettext(one, many, 3, child="Mia") == "已为 Mia 拦截 3 笔消费"


def test_both_puts_chinese_first() -> None:
    assert words.both("Today's spending limit is reached") == "已达到今日消费上限 / Today's spending limit is reached"


def test_an_unknown_language_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown language 'fr': expected one of zh, en"):
        words.of("fr")


@pytest.mark.parametrize(
    ("value", "language"),
    [("zh", "zh"), ("en", "en"), ("ZH", "zh"), ("zh-CN", "zh"), ("zh_Hans", "zh"), ("en_GB.UTF-8", "en")],
)
def test_parse(value: str, language: str) -> None:
    assert words.parse(value) == language


@pytest.mark.parametrize("value", ["fr", "", "chinese", 3, None])
def test_parse_refuses_other_languages(value: object) -> None:
    with pytest.raises(ValueError, match=r'expected "zh" \(中文\) or "en" \(English\)'):
        words.parse(value)


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, None),
        ({"LANG": "C.UTF-8"}, None),
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # gettext's order: LC_ALL before LANG
        ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, None),  # the first one set decides
        ({"LANGUAGE": "fr:zh_CN", "LANG": "en_US.UTF-8"}, "zh"),  # LANGUAGE lists preferences
        ({"LANGUAGE": "fr", "LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, None),
    ],
)
def test_from_environment(environ: dict[str, str], language: str | None) -> None:
    assert words.from_environment(environ) == language
