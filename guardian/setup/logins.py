"""The parent's dashboard password and the record of failed logins.

The password is stored only as a salted scrypt hash (``scrypt:N:r:p$salt$hex``, werkzeug's format).
Failed logins are counted per client in the database, so the delay survives
a restart: after FREE failures each further try waits twice as long as the
last (1 s, 2 s, 4 s ... up to MAX_WAIT), and a success clears the count.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3

from guardian.words import N_, Said

MIN_LENGTH = 8
FREE = 3
MAX_WAIT_MS = 15 * 60 * 1000


def check_new(password: str) -> str:
    """The password if acceptable, else ValueError saying why."""
    if len(password) < MIN_LENGTH:
        raise Said(N_("use at least %(minimum)s characters"), minimum=MIN_LENGTH)
    if len(password) > 512:
        raise Said(N_("use at most %(maximum)s characters"), maximum=512)
    return password


def is_set(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM parent_login WHERE id = 1").fetchone() is not None


def set_password(conn: sqlite3.Connection, password: str, at_ms: int, *, only_if_unset: bool = False) -> bool:
    """Store the hash; with `only_if_unset`, False when a password already exists (first-run race)."""
    hashed = _hash(check_new(password))
    if only_if_unset:
        cur = conn.execute("INSERT OR IGNORE INTO parent_login (id, hash, set_ms) VALUES (1, ?, ?)", (hashed, at_ms))
        return cur.rowcount == 1
    conn.execute("INSERT OR REPLACE INTO parent_login (id, hash, set_ms) VALUES (1, ?, ?)", (hashed, at_ms))
    return True


def verify(conn: sqlite3.Connection, password: str) -> bool:
    row = conn.execute("SELECT hash FROM parent_login WHERE id = 1").fetchone()
    return row is not None and len(password) <= 512 and _matches(row[0], password)


def wait_ms(conn: sqlite3.Connection, client: str, now_ms: int) -> int:
    """How long `client` must wait before its next try (0: may try now)."""
    row = conn.execute("SELECT failures, last_ms FROM login_failures WHERE client = ?", (client,)).fetchone()
    if row is None or row[0] < FREE:
        return 0
    delay = min(1000 * 2 ** (row[0] - FREE), MAX_WAIT_MS)
    return max(0, row[1] + delay - now_ms)


def failed(conn: sqlite3.Connection, client: str, now_ms: int) -> None:
    conn.execute(
        "INSERT INTO login_failures (client, failures, last_ms) VALUES (?, 1, ?)"
        " ON CONFLICT (client) DO UPDATE SET failures = failures + 1, last_ms = excluded.last_ms",
        (client, now_ms),
    )


def succeeded(conn: sqlite3.Connection, client: str) -> None:
    conn.execute("DELETE FROM login_failures WHERE client = ?", (client,))


# scrypt with the cost werkzeug uses (N=2**15, r=8, p=1): about 100 ms and 32 MiB per try.
_N, _R, _P = 2**15, 8, 1


def _scrypt(password: str, salt: str, n: int, r: int, p: int) -> str:
    return hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p).hex()


def _hash(password: str) -> str:
    salt = secrets.token_urlsafe(12)[:16]
    return f"scrypt:{_N}:{_R}:{_P}${salt}${_scrypt(password, salt, _N, _R, _P)}"


def _matches(stored: str, password: str) -> bool:
    try:
        method, salt, digest = stored.split("$", 2)
        name, n, r, p = method.split(":")
        if name != "scrypt":
            return False
        return hmac.compare_digest(_scrypt(password, salt, int(n), int(r), int(p)), digest)
    except ValueError:
        return False
