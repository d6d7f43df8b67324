"""The README and docs/ point only at files in the repository: no link leaves it, and none is broken."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_link_is_a_file_of_the_repository_or_a_web_address(doc: Path):
    text = doc.read_text(encoding="utf-8")
    links = [m.group(1).split("#", 1)[0] for m in LINK.finditer(text)]
    local = [link for link in links if link and not link.startswith(("http://", "https://", "mailto:"))]
    for link in local:
        target = (doc.parent / link).resolve()
        assert target.is_relative_to(ROOT) and target.exists(), f"{doc.name}: {link}"
    assert "../shared" not in text and "/work/" not in text  # the project's notes are not part of it


def test_the_checker_sees_the_readmes_links():
    assert "docs/rules.md" in LINK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
