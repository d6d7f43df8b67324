"""The core stays pure: no proxy or web framework in guardian/, and each backend in one module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Module name prefix -> the only guardian/ modules allowed to import it.
CONFINED = {
    "mitmproxy": set(),
    "flask": set(),
    "werkzeug": set(),
    "plyer": {"guardian/notify/desktop.py"},
    "apscheduler": {"guardian/notify/jobs.py"},
    "apprise": {"guardian/notify/transport.py"},
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
    assert "apprise" in imports(ROOT / "guardian" / "notify" / "transport.py")


def test_the_proxy_never_loads_apprise():
    # The phone channels' library belongs to the dashboard's job process: importing the addon must not pull it in.
    code = "import sys, addons.guardian_addon; sys.exit('apprise' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# The packages of guardian/, lowest first: a module may import its own layer and those below it, never above.
LAYERS = (
    ("words",),  # the catalog of messages in each language (guardian/words)
    ("household",),
    ("catalog",),
    ("settings",),  # the config and the catalog loaded together (guardian/settings.py)
    ("store",),
    ("enforce",),
    ("evidence", "notify", "setup"),
    ("cli",),
)
TOP_LEVEL_MODULES = {"__init__.py", "settings.py"}


def unit(module: str) -> str | None:
    """The package (or top-level module) of guardian/ that a dotted module name belongs to."""
    parts = module.split(".")
    return parts[1] if parts[0] == "guardian" and len(parts) > 1 else None


def layer(name: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if name in names)


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def graph() -> dict[str, set[str]]:
    """guardian module -> the guardian modules it imports (any import statement, at any depth)."""
    modules = {module_name(p): p for p in (ROOT / "guardian").rglob("*.py")}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from guardian.store import ledger` imports guardian.store.ledger
                targets = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
            else:
                continue
            found.update(t for t in targets if t in modules and t != name)
        edges[name] = found
    return edges


def test_every_module_is_in_a_package():
    loose = sorted(p.name for p in (ROOT / "guardian").glob("*.py") if p.name not in TOP_LEVEL_MODULES)
    assert loose == []
    packages = {p.name for p in (ROOT / "guardian").iterdir() if (p / "__init__.py").exists()}
    assert packages | {"settings"} == {name for names in LAYERS for name in names}


def test_no_import_goes_up_the_layers():
    offences = []
    for source, targets in graph().items():
        for target in targets:
            a, b = unit(source), unit(target)
            if a and b and layer(b) > layer(a):
                offences.append(f"{source} ({a}) imports {target} ({b})")
    assert sorted(offences) == []


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one member (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_between_modules_or_packages():
    edges = graph()
    assert cycles(edges) == []
    packages: dict[str, set[str]] = {}
    for source, targets in edges.items():
        a = unit(source)
        if a is None:  # guardian/__init__.py
            continue
        packages.setdefault(a, set()).update(b for b in map(unit, targets) if b and b != a)
    assert cycles(packages) == []


def test_the_layer_checks_can_fail():
    # Guards the tests above against passing vacuously: a downward edge is seen, and both checks catch bad graphs.
    edges = graph()
    assert "guardian.store.db" in edges["guardian.store.ledger"]
    assert "guardian.household.config" in edges["guardian.enforce.policy"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert layer("store") > layer("catalog") and layer("cli") > layer("notify") == layer("setup")
