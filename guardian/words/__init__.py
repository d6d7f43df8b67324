"""Guardian's words in Chinese and English: one gettext catalog for the core, the proxy, the CLI and the dashboard.

English is the source language: a message is written in English where it is used and marked for
translation; ``locale/zh/LC_MESSAGES/guardian.po`` holds its Chinese, compiled to ``guardian.mo`` beside it.
The core reads the catalog with Python's gettext; the dashboard with Flask-Babel, pointed at the same folder.

    from guardian import words
    _ = words.of("zh")
    _("Refused for %(child)s", child="Mia")          # values are filled in after translation
    _.ngettext("%(num)d purchase", "%(num)d purchases", 3)
    REASON = words.N_("Today's spending limit is reached")   # marked here, translated where it is shown

After adding or changing a message run ``bin/words`` (extract, merge into the .po, compile the .mo),
write the Chinese for each new entry in the .po and run it again; tests/guardian/words fail on a
message without Chinese or a .mo older than its .po.
"""

from __future__ import annotations

import functools
import gettext
import os
from collections.abc import Mapping
from pathlib import Path

LANGUAGES = ("zh", "en")
DEFAULT = "zh"  # the families Guardian is made for read Chinese first
NAMES = {"zh": "中文", "en": "English"}
DOMAIN = "guardian"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:  # noqa: N802 (the gettext convention extractors look for)
    """Mark a message for translation where it is written; it is translated where it is shown."""
    return message


class Words:
    """One language's messages: call it with an English message (and its values) for the translation."""

    def __init__(self, language: str, translations: gettext.NullTranslations):
        self.language, self._t = language, translations

    def __call__(self, message: str, /, **values: object) -> str:
        text = self._t.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, num: int, /, **values: object) -> str:
        """The form for `num` (Chinese has one); `num` is a value too, as in Jinja's ngettext."""
        return self._t.ngettext(singular, plural, num) % {"num": num, **values}

    def __repr__(self) -> str:
        return f"Words({self.language!r})"


@functools.cache
def of(language: str) -> Words:
    """The messages of `language` (one of LANGUAGES); English needs no catalog, being the source."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}: expected one of {', '.join(LANGUAGES)}")
    return Words(language, gettext.translation(DOMAIN, LOCALE_DIR, [language], fallback=language == "en"))


def both(message: str, /, **values: object) -> str:
    """The message in Chinese and in English, Chinese first (what the child reads): "中文 / English"."""
    return f"{of('zh')(message, **values)} / {of('en')(message, **values)}"


class Said(ValueError):
    """A mistake whose message is in the catalog: `str()` is the English, `in_(words)` the translation.

    raise Said(N_("use at least %(minimum)s characters"), minimum=10)
    """

    def __init__(self, message: str, /, **values: object):
        self.message, self.values = message, values
        super().__init__(message % values if values else message)

    def in_(self, words: Words) -> str:
        return words(self.message, **self.values)


def say(error: Exception, words: Words) -> str:
    """An error's message in `words`' language when it has one (a `Said`), else as it was written."""
    return error.in_(words) if isinstance(error, Said) else str(error)


def parse(value: object) -> str:
    """A language setting: "zh" or "en" (a region or script after it, like "zh-CN" or "zh_Hans", is accepted)."""
    found = from_locale(value) if isinstance(value, str) else None
    if found is None:
        raise ValueError(f'expected "zh" (中文) or "en" (English), got {value!r}')
    return found


def from_locale(text: str | None) -> str | None:
    """The language a locale name asks for ("zh_CN.UTF-8" -> "zh"); None for "C", "POSIX" and others."""
    if not text:
        return None
    code = text.strip().replace("-", "_").split(".")[0].split("_")[0].lower()
    return code if code in LANGUAGES else None


def from_environment(environ: Mapping[str, str] = os.environ) -> str | None:
    """The language the terminal asks for, read as gettext does (LANGUAGE, LC_ALL, LC_MESSAGES, LANG); None if none."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            # LANGUAGE may list several ("zh_CN:en"); the first Guardian speaks wins. The others hold one.
            for part in value.split(":") if name == "LANGUAGE" else [value]:
                found = from_locale(part)
                if found:
                    return found
            if name != "LANGUAGE":
                return None  # the first one set decides, as for gettext: "C.UTF-8" asks for no language
    return None
