"""`guardian install`'s plan for this platform, and where its record of changes is kept."""

from __future__ import annotations

from pathlib import Path

from guardian.setup import service_linux, service_macos, service_windows
from guardian.setup.service import Install
from guardian.setup.steps import Step

PLANNERS = {"linux": service_linux.plan, "windows": service_windows.plan, "darwin": service_macos.plan}


def plan(platform: str, install: Install) -> list[Step]:
    """The steps for `platform` ("linux", "windows" or "darwin")."""
    if platform not in PLANNERS:
        raise ValueError(f"guardian install knows Windows, macOS and Linux, not {platform!r}")
    return PLANNERS[platform](install)


def state_path(admin_dir: Path) -> Path:
    """The record of what install changed: in a folder only administrators can write, because undoing it runs
    the commands it lists as an administrator."""
    return admin_dir / "install.json"
