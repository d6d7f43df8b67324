"""The chain key: the secret every journal entry's HMAC is computed with, in a file beside the ledger.

The file is ``chain-key`` in the ledger's folder (beside ``dashboard-secret``;
in service mode /var/lib/guardian, mode 0700, owned by the ``guardian``
account). It is made once, by the first process that journals, and never
stored in the database or logged. Whoever cannot read it cannot write an
entry that verifies; whoever can (the service account, an administrator)
could rewrite the record, which only the head copied outside (the anchor and
the parent's messages) then shows.

A process finds the key from the connection's file, so every store module
that journals (ledger, approvals, changes, ...) needs no key of its own.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from pathlib import Path

from guardian.household import secretfile

FILE = "chain-key"
_cache: dict[Path, bytes] = {}  # created once and never changed: read once per process
_paths: dict[str, Path] = {}  # one Path per file name: its hash and text are computed once, not per write


def ledger_file(conn: sqlite3.Connection) -> Path:
    """The file `conn` has open; ValueError for an in-memory database (it has no folder to keep a key in)."""
    name = conn.execute("PRAGMA database_list").fetchone()[2]
    if not name:
        raise ValueError("the journal needs a ledger file, not an in-memory database")
    path = _paths.get(name)
    if path is None:
        path = _paths[name] = Path(name)
    return path


def path_for(ledger: Path) -> Path:
    return ledger.parent / FILE


def for_writing(ledger: Path) -> bytes:
    """The key of the ledger at `ledger`, made the first time."""
    key = _cache.get(ledger)
    if key is None:
        key = _cache[ledger] = secretfile.create_once(path_for(ledger))
    return key


def for_reading(ledger: Path) -> bytes | None:
    """The key, or None when there is none yet or this account may not read it (nothing is created)."""
    key = _cache.get(ledger)
    if key is None:
        key = secretfile.read(path_for(ledger))
        if key is not None:
            _cache[ledger] = key
    return key


def missing(ledger: Path) -> bool:
    """No key file at all (a ledger from before the chain key, never written since), as opposed to an unreadable one."""
    try:
        path_for(ledger).lstat()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def key_id(key: bytes) -> str:
    """A short name for a key that reveals nothing of it: tells "another key wrote this" from "edited"."""
    return hmac.new(key, b"guardian chain key id", hashlib.sha256).hexdigest()[:16]
