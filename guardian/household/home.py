"""Where Guardian keeps its files, and the config it writes on first run.

The config path is, in order: the `--config` option, the GUARDIAN_CONFIG
environment variable, or ``guardian.toml`` in the data directory
(GUARDIAN_HOME, else $XDG_DATA_HOME/guardian, else ~/.local/share/guardian).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path


def data_dir() -> Path:
    if os.environ.get("GUARDIAN_HOME"):
        return Path(os.environ["GUARDIAN_HOME"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "guardian"


def config_path(option: str | os.PathLike[str] | None = None) -> Path:
    if option:
        return Path(option).expanduser()
    if os.environ.get("GUARDIAN_CONFIG"):
        return Path(os.environ["GUARDIAN_CONFIG"]).expanduser()
    return data_dir() / "guardian.toml"


def default_config_text() -> str:
    return (resources.files("guardian.household") / "templates" / "guardian.toml").read_text(encoding="utf-8")


def ensure_config(path: Path) -> bool:
    """Write the commented default config if there is none; True when it was written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    # Exclusive create: never overwrite a config another process just wrote.
    try:
        with path.open("x", encoding="utf-8") as f:
            f.write(default_config_text())
    except FileExistsError:
        return False
    return True


def rules_dir(config: Path) -> Path:
    """Where a parent may drop extra app rule files: beside the config."""
    return config.parent / "rules"


def mitmproxy_dir(config: Path) -> Path:
    """The proxy's CA and state, kept beside the config so the CA survives reinstalls."""
    return config.parent / "mitmproxy"
