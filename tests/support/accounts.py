"""Running a command as another, unprivileged account (a spare uid), for tests that play the child and the service.

Needs root, `unshare` and `setpriv` (util-linux). The interpreter and the
project may sit below a private folder (pyenv under /root, a clone in a home
folder); each command gets its own mount namespace where such a folder is
replaced by an open tmpfs holding only the needed paths, bound from the real
ones. Nothing outside that namespace changes.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def why_not() -> str | None:
    """None when this machine can run commands as other accounts; else the reason, for a skip."""
    if sys.platform != "linux" or os.geteuid() != 0:
        return "needs root on Linux (CI runs as root) to play other accounts"
    missing = [t for t in ("unshare", "setpriv", "mount") if shutil.which(t) is None]
    return f"needs {', '.join(missing)} (util-linux)" if missing else None


def spare_ids(count: int, start: int = 61000) -> list[int]:
    """User ids no account uses (each also used as its group id)."""
    used = {p.pw_uid for p in pwd.getpwall()}
    free = [i for i in range(start, start + 1000) if i not in used]
    return free[:count]


def _private_ancestor(path: Path) -> Path | None:
    for folder in reversed(path.parents):  # from "/" down
        if folder != Path("/") and not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    return None


def _mounts(needed: list[Path], stage: Path) -> str:
    # The staging folder is a tmpfs of this namespace only: nothing is made on the real disk.
    lines, covered = [f"mount -t tmpfs -o mode=0700 guardian-stage {stage}"], set()
    for i, path in enumerate(needed):
        hidden = _private_ancestor(path)
        if hidden is None:
            continue
        lines.append(f"mkdir -p {stage}/{i} && mount --bind {shlex.quote(str(path))} {stage}/{i}")
        if hidden not in covered:
            lines.append(f"mount -t tmpfs -o mode=0755 guardian-test {shlex.quote(str(hidden))}")
            covered.add(hidden)
        lines.append(f"mkdir -p {shlex.quote(str(path))} && mount --bind {stage}/{i} {shlex.quote(str(path))}")
    return " && ".join(lines) if len(lines) > 1 else "true"


def as_user(uid: int, gid: int | None = None, stage: Path = Path("/mnt")) -> list[str]:
    """A command prefix: what follows runs as `uid` (no supplementary groups, no new privileges)."""
    needed = [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), ROOT]
    drop = f"setpriv --reuid={uid} --regid={gid or uid} --clear-groups --no-new-privs"
    script = f'{_mounts(needed, stage)} && exec {drop} -- "$@"'
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, "as-user"]


def run_as(uid: int, *argv: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*as_user(uid), *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "HOME": "/nonexistent", **(env or {})},
    )
