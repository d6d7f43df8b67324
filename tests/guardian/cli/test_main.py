"""The `guardian` group (guardian/cli/__init__.py): every command registered, no module importing the group back."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from guardian.cli import main

ROOT = Path(__file__).resolve().parents[3]
CLI = ROOT / "guardian" / "cli"
COMMANDS = [
    "agent",
    "approvals",
    "check",
    "detect",
    "export",
    "install",
    "mitmdump",
    "phone",
    "rules",
    "run",
    "set-password",
    "setup",
    "verify",
]
MODULES = sorted(p.stem for p in CLI.glob("*.py") if p.stem != "__init__")


def test_help_lists_every_command():
    r = CliRunner().invoke(main, ["--help"])
    assert r.exit_code == 0
    listed = r.output.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in listed] == COMMANDS


def groups(group: click.Group = main, path: tuple[str, ...] = ()):
    yield path, group
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from groups(command, (*path, name))


def test_no_summary_in_any_command_list_is_cut_off():
    # click shortens a help text to fit 80 columns and ends it with "..."; each command says it in a line.
    listed = 0
    for path, _group in groups():
        r = CliRunner().invoke(main, [*path, "--help"], terminal_width=80)
        lines = r.output.split("Commands:\n", 1)[1].splitlines()
        assert not [line for line in lines if line.rstrip().endswith("...")], (path, lines)
        listed += len(lines)
    assert listed > len(COMMANDS)  # the subgroups' commands were read too


def test_the_console_script_runs_the_group():
    guardian = Path(sys.executable).parent / "guardian"  # installed from pyproject's guardian.cli:main
    r = subprocess.run([str(guardian), "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and all(f"\n  {name} " in r.stdout for name in COMMANDS)


def test_the_checker_sees_every_command_module():
    # Guards the tests below against passing vacuously (e.g. a wrong folder).
    assert {"common", "run", "rules", "setup"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_a_command_module_imports_alone(module: str):
    # A fresh interpreter: a module that needed the group (a cycle) fails here while the package imports it.
    code = f"import guardian.cli.{module}"
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("module", MODULES)
def test_a_command_module_never_imports_the_group(module: str):
    tree = ast.parse((CLI / f"{module}.py").read_text(encoding="utf-8"))
    found = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 0]
    found += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert "guardian.cli" not in found
