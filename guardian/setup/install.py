"""`guardian install`'s plan for this platform, and where its record of changes is kept."""

from __future__ import annotations

from pathlib import Path

from guardian.setup import service_linux, service_macos, service_windows
from guardian.setup.service import LINUX, Install
from guardian.setup.steps import Step

PLANNERS = {"linux": service_linux.plan, "windows": service_windows.plan, "darwin": service_macos.plan}


def plan(platform: str, install: Install) -> list[Step]:
    """The steps for `platform` ("linux", "windows" or "darwin")."""
    if platform not in PLANNERS:
        raise ValueError(f"guardian install knows Windows, macOS and Linux, not {platform!r}")
    return PLANNERS[platform](install)


def admin_dir(root: Path) -> Path:
    """Where install and setup keep their records: only administrators may write there, because undoing a
    record runs the commands it lists as an administrator."""
    return root / LINUX.admin.lstrip("/")


def state_path(root: Path) -> Path:
    return admin_dir(root) / "install.json"
