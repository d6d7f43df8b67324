"""The core stays pure: no proxy or web framework in guardian/, and each backend in one module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Module name prefix -> the only guardian/ modules allowed to import it.
CONFINED = {
    "mitmproxy": set(),
    "flask": set(),
    "werkzeug": set(),
    "plyer": {"guardian/notify/desktop.py"},
    "apscheduler": {"guardian/notify/jobs.py"},
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_core_modules_import_no_adapter_framework():
    offences = []
    for path in sorted((ROOT / "guardian").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        for name in imports(path):
            top = name.split(".")[0]
            if top in CONFINED and rel not in CONFINED[top]:
                offences.append(f"{rel} imports {name}")
    assert offences == []


def test_the_checker_sees_imports():
    # Guards the test above against passing vacuously (e.g. a wrong folder).
    assert "guardian.catalog.detect" in imports(ROOT / "guardian" / "enforce" / "guard.py")
    assert "mitmproxy" in imports(ROOT / "addons" / "enforcement.py")
