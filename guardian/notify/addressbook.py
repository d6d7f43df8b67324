"""The channels' addresses: a JSON file only the service's account can read, beside the ledger.

An address is a token that writes to a parent's phone, so it is kept out of
guardian.toml (which the config's readers may see), out of the database (which
exports and copies carry) and out of every log. The file is created 0600 and
replaced whole (a temporary file renamed over it), so a reader never sees half
of it; a file that others could read is tightened when it is next read.

    {"channels": {"mum-bark": {"kind": "bark", "url": "barks://…", "shown": "Bark https://api.day.app/****a1c",
                               "server": "api.day.app"}}}
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
import threading
from pathlib import Path

from guardian.household.config import Config
from guardian.household.routes import KINDS
from guardian.household.tomlfile import FileError
from guardian.notify.addresses import Address

NAME = "channels.secret"
_lock = threading.Lock()  # the dashboard's threads change the file one at a time


class AddressBookError(FileError):
    """The file cannot be read or is not what Guardian wrote: names the file, the entry and the reason."""


def path_for(config: Config) -> Path:
    return config.storage.parent / NAME


def load(path: Path) -> dict[str, Address]:
    """Every stored address by channel id; {} when there is no file yet."""
    try:
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            _tighten(path)
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise AddressBookError(path, "", f"cannot read the channels' addresses: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise AddressBookError(path, "", "not UTF-8 text") from None
    try:
        data = json.loads(text)
    except ValueError as e:
        raise AddressBookError(path, "", f"not JSON ({e.msg} at line {e.lineno})") from None
    entries = data.get("channels") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        raise AddressBookError(path, "channels", "expected an object of channels")
    book = {}
    for ident, entry in entries.items():
        fields = entry if isinstance(entry, dict) else {}
        values = [fields.get(k) for k in ("kind", "url", "shown", "server")]
        if not all(isinstance(v, str) for v in values) or values[0] not in KINDS:
            raise AddressBookError(path, f"channels.{ident}", "expected kind, url, shown and server")
        book[str(ident)] = Address(*values)
    return book


def _tighten(path: Path) -> None:
    """Readable by others (written by hand, or copied in): make it the service's alone, if it is ours to change."""
    try:
        os.chmod(path, 0o600)
    except PermissionError:
        pass


def _save(path: Path, book: dict[str, Address]) -> None:
    data = {
        "channels": {i: {"kind": a.kind, "url": a.url, "shown": a.shown, "server": a.server} for i, a in book.items()}
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mkstemp: 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def put(path: Path, ident: str, address: Address) -> None:
    with _lock:
        book = load(path)
        book[ident] = address
        _save(path, book)


def remove(path: Path, ident: str) -> bool:
    with _lock:
        book = load(path)
        if book.pop(ident, None) is None:
            return False
        _save(path, book)
        return True
