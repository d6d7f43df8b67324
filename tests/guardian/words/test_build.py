"""The catalog is complete and compiled: every message the code uses has its Chinese, and the .mo is the .po's."""

from __future__ import annotations

import gettext
import io

import pytest
from babel.messages.catalog import Catalog

from guardian import words
from guardian.words import build


@pytest.fixture(scope="module")
def used() -> Catalog:
    return build.extract()


@pytest.mark.parametrize("language", build.TRANSLATED)
def test_every_message_the_code_uses_has_a_translation(used: Catalog, language: str) -> None:
    catalog = build.read(language)
    missing = [m.id for m in used if m.id and m.id not in catalog]
    assert missing == [], f"messages not in the {language} catalog: run bin/words and translate them"
    assert build.untranslated(catalog) == [], f"messages without a {language} translation in {build.po_path(language)}"


@pytest.mark.parametrize("language", build.TRANSLATED)
def test_the_catalog_holds_only_messages_the_code_uses(used: Catalog, language: str) -> None:
    unused = [m.id for m in build.read(language) if m.id and m.id not in used]
    assert unused == [], "messages no code uses: run bin/words"


@pytest.mark.parametrize("language", build.TRANSLATED)
def test_the_po_file_is_as_bin_words_writes_it(used: Catalog, language: str) -> None:
    # Sorted, without line numbers: the form that keeps merges between branches small.
    assert build.po_path(language).read_bytes() == build.po_text(build.merge(used, language)), "run bin/words"


@pytest.mark.parametrize("language", build.TRANSLATED)
def test_the_compiled_catalog_is_the_po_file(language: str) -> None:
    with build.po_path(language).with_suffix(".mo").open("rb") as f:
        shipped = gettext.GNUTranslations(f)
    fresh = gettext.GNUTranslations(io.BytesIO(build.mo_bytes(build.read(language))))
    assert shipped._catalog == fresh._catalog, f"{language}: the .mo is older than the .po: run bin/words"


@pytest.mark.parametrize("language", build.TRANSLATED)
def test_translations_keep_the_placeholders(language: str) -> None:
    # A translation that drops or renames %(child)s would fail where it is shown; babel's checkers find it first.
    problems = [(m.id, [str(e) for e in errors]) for m, errors in build.read(language).check()]
    assert problems == []


def test_the_checks_can_fail(used: Catalog) -> None:
    catalog = build.read("zh")
    catalog.add("A message no one translated", "")
    assert build.untranslated(catalog) == ["A message no one translated"]
    assert any(m.id for m in used), "extraction found no message: the sources moved?"
    assert words.LOCALE_DIR.is_dir()
