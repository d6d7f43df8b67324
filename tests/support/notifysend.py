"""A recording `notify-send` placed first on PATH: plyer's Linux backend runs it like the real one."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

SCRIPT = """#!{python}
import json, sys
from pathlib import Path
folder = Path({folder!r})
failures = folder / "fail-next"
left = int(failures.read_text()) if failures.exists() else 0
if left > 0:
    failures.write_text(str(left - 1))
    print("Cannot autolaunch D-Bus without X11 $DISPLAY", file=sys.stderr)
    sys.exit(1)
with open(folder / "sent.jsonl", "a", encoding="utf-8") as f:
    f.write(json.dumps(sys.argv[1:], ensure_ascii=False) + "\\n")
"""


class FakeNotifySend:
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "notify-send"
        path.write_text(SCRIPT.format(python=sys.executable, folder=str(folder)), encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)

    def fail_next(self, times: int = 1) -> None:
        (self.folder / "fail-next").write_text(str(times))

    def sent(self) -> list[tuple[str, str]]:
        """(title, message) of each notification shown, in order."""
        log = self.folder / "sent.jsonl"
        if not log.exists():
            return []
        return [tuple(json.loads(line)[:2]) for line in log.read_text(encoding="utf-8").splitlines()]

    def path_env(self) -> str:
        return f"{self.folder}{os.pathsep}{os.environ.get('PATH', '')}"
