"""Secrets kept in files in the private data directory (beside the ledger), never in the database or the config.

Each is created once, exclusively (two processes starting together agree on
one), readable and writable by its owner only (mode 0600). In service mode the
owner is the ``guardian`` account and the folder is itself 0700, so a child's
account can neither read nor replace them. Their contents are never logged.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path


def read(path: Path) -> bytes | None:
    """The secret at `path`, or None when there is none or this account may not read it."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, PermissionError, IsADirectoryError):
        return None
    return data or None


def create_once(path: Path, size: int = 32) -> bytes:
    """The secret at `path`, made from `size` random bytes the first time (mode 0600, never overwritten)."""
    return read(path) or _create(path, secrets.token_bytes(size))


def create_text_once(path: Path, text: str) -> str:
    """The text at `path`, written as `text` the first time (mode 0600): a one-time code a person types."""
    found = read(path) or _create(path, text.encode("utf-8") + b"\n")
    return found.decode("utf-8").strip()


def _create(path: Path, data: bytes) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: theirs wins
        return _wait_for(path)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return data


def _wait_for(path: Path) -> bytes:
    for _ in range(200):  # the other process writes its few bytes right after creating the file
        found = read(path)
        if found is not None:
            return found
        time.sleep(0.01)
    raise PermissionError(f"{path} exists but cannot be read, or stays empty: does it belong to another account?")
