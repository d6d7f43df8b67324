"""Keep the catalog in step with the code: ``bin/words`` (or ``python -m guardian.words.build``).

1. Extract every marked message from guardian/ and dashboard/ (Python and Jinja templates).
2. Merge them into each translated language's .po: new messages get an empty translation, dropped ones go.
3. Compile each .po to its .mo (the file gettext and Flask-Babel read).

The .po is sorted and carries no line numbers, so two branches adding messages rarely touch the same lines;
the .mo is rebuilt from the .po, never merged (tests/guardian/words/test_build.py fails when it is stale).
Development tooling: only this module imports babel's message tools; the running core never does.
"""

from __future__ import annotations

import io
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from guardian.words import DOMAIN, LANGUAGES, LOCALE_DIR

ROOT = LOCALE_DIR.parents[2]
SOURCES = ("guardian", "dashboard")
METHODS = [("**/locale/**", "ignore"), ("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")  # English is the source
# A fixed header: no dates or tool versions that would change the file on every run.
HEADER = "Guardian's messages in Chinese. English is the source language: see guardian/words/__init__.py."
FIXED = datetime(2026, 1, 1, tzinfo=UTC)


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract(root: Path = ROOT) -> Catalog:
    """Every message the code marks, with the files that use it."""
    found = Catalog(domain=DOMAIN, project="Guardian", charset="utf-8")
    for source in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            root / source, METHODS, keywords=KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True
        ):
            found.add(message, None, [(f"{source}/{filename}", lineno)], auto_comments=comments, context=context)
    return found


def read(language: str) -> Catalog:
    with po_path(language).open("rb") as f:
        return read_po(f, locale=language, domain=DOMAIN)


def merge(template: Catalog, language: str) -> Catalog:
    """The language's catalog with exactly the template's messages, translations kept."""
    path = po_path(language)
    catalog = read(language) if path.exists() else Catalog(locale=language, domain=DOMAIN, project="Guardian")
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.obsolete.clear()
    catalog.header_comment = f"# {HEADER}"
    catalog.fuzzy = False
    catalog.project, catalog.version = "Guardian", "1"
    catalog.msgid_bugs_address = catalog.last_translator = catalog.language_team = "Guardian"
    catalog.creation_date = catalog.revision_date = FIXED
    return catalog


def po_text(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=120, no_location=True, sort_output=True, include_previous=False)
    return re.sub(rb'"Generated-By: [^"]*"\n', b"", out.getvalue())


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def untranslated(catalog: Catalog) -> list[str]:
    return [m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and (m.fuzzy or not _done(m.string))]


def _done(string: object) -> bool:
    return all(string) if isinstance(string, (tuple, list)) else bool(string)


def main() -> int:
    template = extract()
    missing = 0
    for language in TRANSLATED:
        catalog = merge(template, language)
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(po_text(catalog))
        path.with_suffix(".mo").write_bytes(mo_bytes(catalog))
        todo = untranslated(catalog)
        missing += len(todo)
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages, {len(todo)} without a translation")
        for message in todo:
            print(f"  {message!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
