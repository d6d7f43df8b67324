"""Following the config file: reload on change, keep the last good config on a bad edit."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class Follower[T]:
    """Loads `path` with `load` when its stat signature changes.

    `poll()` returns the new value when a changed file loaded cleanly, else None.
    A failed load is remembered in `error` (with the file, key and reason) and
    the previous value stays current.
    """

    def __init__(self, path: Path, load: Callable[[Path], T], extra: Callable[[], list[Path]] = lambda: []):
        self.path, self._load, self._extra = path, load, extra
        self.error: str | None = None
        self._signature = self._stat()
        self.current: T = load(path)  # the first load must succeed; the caller reports its error

    def _stat(self) -> tuple:
        sig = []
        for p in [self.path, *self._extra()]:
            try:
                st = os.stat(p)
                sig.append((str(p), st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                sig.append((str(p), None))
        return tuple(sig)

    def poll(self) -> T | None:
        signature = self._stat()
        if signature == self._signature:
            return None
        self._signature = signature
        try:
            value = self._load(self.path)
        except ValueError as e:
            self.error = str(e)
            log.error("config not reloaded, the last good one stays in force: %s", e)
            return None
        self.error = None
        self.current = value
        log.info("config reloaded from %s", self.path)
        return value
