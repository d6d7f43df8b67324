"""Applying and undoing `guardian setup`'s steps, recording each change.

Every applied action is appended to a state file in the data directory
before the next one starts, with what undoing it needs (a file's earlier
bytes, the command that reverts a command). `undo` walks that record
backwards, so a setup that stopped half-way is undone exactly as far as it
went. Commands go through one `Runner`, so tests can record them instead.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from guardian.setup.steps import ENGLISH, Append, Run, Step, Write
from guardian.words import Words

STATE = "setup-state.json"


class SetupError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Result:
    returncode: int
    stdout: str = ""
    stderr: str = ""


Runner = Callable[[Sequence[str]], Result]
Owners = Callable[[str], tuple[int, int]]  # an account name -> (uid, gid)


def account_ids(name: str) -> tuple[int, int]:
    """The real lookup of an account's user and primary group ids."""
    import pwd

    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise SetupError(f"there is no account called {name!r} on this computer") from None
    return entry.pw_uid, entry.pw_gid


def run_command(argv: Sequence[str]) -> Result:
    """The real runner."""
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        return Result(127, "", f"{argv[0]}: command not found")
    except subprocess.TimeoutExpired:
        return Result(124, "", f"{argv[0]}: did not finish within 120 s")
    return Result(done.returncode, done.stdout, done.stderr)


def is_admin() -> bool:
    if sys.platform == "win32":
        import ctypes

        return bool(ctypes.windll.shell32.IsUserAnAdmin())
    return os.geteuid() == 0


def tools() -> frozenset[str]:
    return frozenset(t for t in ("gsettings", "certutil", "systemctl", "update-ca-certificates") if shutil.which(t))


def sudo_available() -> bool:
    return sys.platform != "win32" and shutil.which("sudo") is not None


def with_sudo(step: Step) -> Step | None:
    """The step with its commands run through sudo (which asks for the password); None if it also writes files."""
    if not all(isinstance(a, Run) for a in step.actions):
        return None
    prefix = lambda argv: ("sudo", *argv) if argv else argv  # noqa: E731
    return replace(step, actions=tuple(Run(prefix(a.argv), prefix(a.undo), prefix(a.read)) for a in step.actions))


def state_path(config: Path) -> Path:
    return config.parent / STATE


def load_state(path: Path) -> list[dict]:
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SetupError(f"{path}: cannot read the record of setup changes ({e})") from None
    if not isinstance(data, list):
        raise SetupError(f"{path}: the record of setup changes is damaged")
    return data


def _save(path: Path, entries: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(entries, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def _check(runner: Runner, argv: Sequence[str]) -> Result:
    result = runner(argv)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise SetupError(f"`{' '.join(argv)}` failed ({result.returncode}){': ' + detail if detail else ''}")
    return result


def _mkdirs(path: Path) -> list[str]:
    made = []
    for parent in reversed(path.parents):
        if not parent.exists():
            parent.mkdir()
            made.append(str(parent))
    return made


def _write(action: Write, owners: Owners) -> None:
    """Write a file, its mode and owner set before any byte goes in (no moment when others may read it)."""
    if action.mode is None and action.owner is None:
        action.path.write_bytes(action.content())
        return
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(action.path, flags, 0o600 if action.mode is None else action.mode)
    with os.fdopen(fd, "wb") as f:
        if action.owner is not None and hasattr(os, "fchown"):
            os.fchown(f.fileno(), *owners(action.owner))
        if action.mode is not None and hasattr(os, "fchmod"):
            os.fchmod(f.fileno(), action.mode)
        f.write(action.content())


def _apply(action, step: Step, runner: Runner, owners: Owners = account_ids) -> dict:
    entry: dict = {"step": step.id}
    if isinstance(action, Write | Append):
        path = action.path
        before = path.read_bytes() if path.exists() else None
        entry.update(kind="file", path=str(path), before=None if before is None else base64.b64encode(before).decode())
        entry["dirs"] = _mkdirs(path)
        if isinstance(action, Write):
            _write(action, owners)
            return entry
        text = (before or b"").decode("utf-8")
        have = set(text.splitlines())
        missing = [line for line in action.lines if line not in have]
        if text and not text.endswith("\n"):
            text += "\n"
        path.write_bytes((text + "".join(f"{line}\n" for line in missing)).encode())
        return entry
    assert isinstance(action, Run)
    undo = list(action.undo)
    if action.read:
        previous = _check(runner, action.read).stdout.strip()
        undo = [part.replace("{previous}", previous) for part in undo]
    if action.argv:
        _check(runner, action.argv)
    entry.update(kind="run", argv=list(action.argv), undo=undo)
    return entry


def apply(
    steps: list[Step],
    state: Path,
    runner: Runner = run_command,
    ask: Callable[[Step, int, int], bool] = lambda step, i, n: True,
    say: Callable[[str], None] = print,
    admin: bool = True,
    sudo: bool = False,
    owners: Owners = account_ids,
    again: str = "guardian setup --undo",
    _: Words = ENGLISH,
) -> list[Step]:
    """Apply the steps the parent accepts; returns the applied ones. Stops at the first failure (already recorded).

    What it says is in `_`'s language."""
    entries = load_state(state)
    if entries:
        raise SetupError(
            _("this was already applied (recorded in %(path)s); run `%(again)s` first", path=state, again=again)
        )
    applied = []
    for i, step in enumerate(steps, 1):
        what = step.said(_)[0]
        if not ask(step, i, len(steps)):
            say(_("  Skipped: %(what)s.", what=what))
            continue
        if step.admin and not admin:
            elevated = with_sudo(step) if sudo else None
            if elevated is None:
                say(
                    _(
                        "  Skipped: %(what)s needs administrator rights. "
                        "Run `guardian setup` again as an administrator for it.",
                        what=what,
                    )
                )
                continue
            say(_("  You may be asked for your password (administrator rights)."))
            step = elevated
        try:
            for action in step.actions:
                entries.append(_apply(action, step, runner, owners))
                _save(state, entries)
        except (OSError, SetupError) as e:
            say(_("  Failed: %(what)s: %(error)s", what=what, error=e))
            say(_("  Nothing else was changed. `%(again)s` reverts what was done so far.", again=again))
            raise SetupError(str(e)) from None
        applied.append(step)
        say(_("  Done: %(what)s.", what=what))
    return applied


def undo(state: Path, runner: Runner = run_command, say: Callable[[str], None] = print, _: Words = ENGLISH) -> int:
    """Revert every recorded change, newest first; returns how many were reverted."""
    entries = load_state(state)
    count = 0
    while entries:
        entry = entries[-1]
        if entry["kind"] == "file":
            path = Path(entry["path"])
            if entry["before"] is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(base64.b64decode(entry["before"]))
            for folder in reversed(entry.get("dirs", [])):
                try:
                    Path(folder).rmdir()
                except OSError:
                    pass  # something else was put there since: keep it
            say(
                _("  Restored %(path)s", path=path)
                if entry["before"] is not None
                else _("  Removed %(path)s", path=path)
            )
        elif entry["undo"]:
            _check(runner, entry["undo"])
            say(_("  Ran %(command)s", command=" ".join(entry["undo"])))
        entries.pop()
        count += 1
        if entries:
            _save(state, entries)
        else:
            state.unlink(missing_ok=True)
    return count
