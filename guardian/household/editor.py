"""Writing changes to the config file (a child's limits, the household, the notification channels): the parent's
comments kept, checked first, one writer at a time.

`update` applies a change (guardian.household.edits) to the file's tomlkit
document and checks the new text with the same parser the proxy uses
(`guardian.household.configfile.parse`) before anything is written, so a bad
value is refused with the loader's own message (file, key, reason) and the
last good config stays.

Concurrent edits lose nothing. Writers that go through here (the dashboard's
requests, `guardian phone add`) take turns on a lock of the config's folder
and each changes the file as it finds it, so a change to one child keeps
another's made a moment before. A form that was filled in from values since
changed elsewhere is refused (`expect`, raising `Conflict`). A writer that
takes no lock (a text editor) is caught by reading the file again just before
replacing it. The write is atomic: a temporary file beside the config,
renamed over it, so the proxy's reloader never reads half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import tomlkit
from tomlkit.toml_document import TOMLDocument

from guardian.household import configfile, tomlfile
from guardian.household.config import Config, ConfigError
from guardian.words import N_, Said

try:
    import fcntl
except ImportError:  # Windows: the re-read before replacing still catches a change under us
    fcntl = None


class Conflict(Said):
    """The file changed under an edit (in another window, a text editor, or a command); nothing was written."""


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer at a time: a lock on the config's folder (the file itself is replaced, not rewritten)."""
    if fcntl is None:
        yield
        return
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.chmod(tmp, path.stat().st_mode & 0o777)
        except FileNotFoundError:
            pass
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def update[T](
    path: Path,
    change: Callable[[TOMLDocument], T],
    known_apps: Iterable[str] = (),
    expect: Callable[[Config], None] | None = None,
) -> tuple[Config, T]:
    """Apply `change` to the file and write it if the parser accepts the result; the new config and what
    `change` returned.

    `expect(current)` sees the config as the file holds it now and raises Conflict when the change was
    made from values that are no longer there. Raises ConfigError (nothing written), Conflict, or the
    ValueError of `change` (a `Said` for those of guardian.household.edits).
    """
    known = list(known_apps)
    with _locked(path):
        text = tomlfile.read(path, "the config", ConfigError)
        if expect is not None:
            expect(configfile.parse(text, path, known))
        doc = tomlkit.parse(text)
        result = change(doc)
        new = tomlkit.dumps(doc)
        parsed = configfile.parse(new, path, known)
        if tomlfile.read(path, "the config", ConfigError) != text:
            raise Conflict(N_("the config file was changed by something else while saving; nothing was saved"))
        if new != text:
            atomic_write(path, new)
    return parsed, result


def save(path: Path, change: Callable[[TOMLDocument], object], known_apps: Iterable[str] = ()) -> Config:
    """`update` for a change whose result is not needed: the new config."""
    return update(path, change, known_apps)[0]
