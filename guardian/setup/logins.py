"""The parent's dashboard password, the first-run setup code, session generations and slowed-down failures.

The password is stored only as a salted scrypt hash (``scrypt:N:r:p$salt$hex``, werkzeug's format).

The first password can be chosen in the browser only with a one-time setup
code: `setup_code` writes it to ``setup-code`` in the private data directory
(0600; in service mode only the ``guardian`` account and administrators read
it) and the dashboard prints it in its own log. Whoever can reach the
dashboard but not those (a child, a web page) cannot claim it first. Once a
password is set the code is spent; ``guardian set-password`` as an
administrator sets or resets it without one.

Sessions name the generation they were opened in (``parent_login.generation``);
logging out and setting the password start a new one, so a copied session
cookie stops working after either.

Throttling that a child cannot turn against the parent. Everything arrives
from 127.0.0.1, so a count per address would let the child's guesses lock the
parent out. Failures are counted per *lane* instead: one lane per browser the
parent has logged in with before (it carries a signed cookie the child cannot
make), and one shared by everyone else. In a lane, after FREE failures each
try must wait twice as long as the last, but never more than MAX_WAIT_MS: a
child guessing all day gets about one guess per five seconds, and the parent
at their own browser is not slowed by her at all (nor, at a new browser, for
longer than a few seconds at a time). Every NOTIFY_AFTER-th failure, then
every tenfold more, tells the parent (outbox). A success clears its lane;
`take_turn` counts a try before the password is checked, so guesses sent in
parallel do not slip past the wait.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from pathlib import Path

from guardian.household import secretfile
from guardian.store import db, outbox
from guardian.words import N_, Said, Words

MIN_LENGTH = 8
FREE = 3
MAX_WAIT_MS = 5_000
NOTIFY_AFTER = 10
ANYONE = "anyone"  # the lane of every browser the parent has not logged in with
COMMAND_LINE = "command line"  # the lane of password tries at a terminal (guardian.cli.authority)
SETUP_FILE = "setup-code"
_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


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
    """Store the hash and start a new session generation; with `only_if_unset`, False when one exists (a race)."""
    hashed = _hash(check_new(password))
    if only_if_unset:
        cur = conn.execute("INSERT OR IGNORE INTO parent_login (id, hash, set_ms) VALUES (1, ?, ?)", (hashed, at_ms))
        return cur.rowcount == 1
    conn.execute(
        "INSERT INTO parent_login (id, hash, set_ms) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE"
        " SET hash = excluded.hash, set_ms = excluded.set_ms, generation = generation + 1",
        (hashed, at_ms),
    )
    return True


def verify(conn: sqlite3.Connection, password: str) -> bool:
    row = conn.execute("SELECT hash FROM parent_login WHERE id = 1").fetchone()
    return row is not None and len(password) <= 512 and _matches(row[0], password)


def generation(conn: sqlite3.Connection) -> int | None:
    """The current session generation (None while no password is set)."""
    row = conn.execute("SELECT generation FROM parent_login WHERE id = 1").fetchone()
    return None if row is None else row[0]


def revoke(conn: sqlite3.Connection) -> None:
    """Start a new session generation: every session opened before stops working."""
    conn.execute("UPDATE parent_login SET generation = generation + 1 WHERE id = 1")


def setup_code(folder: Path) -> str:
    """The one-time code that lets the first password be chosen in the browser (made once, kept in `folder`)."""
    fresh = "-".join("".join(secrets.choice(_CODE_LETTERS) for _ in range(4)) for _ in range(3))
    return secretfile.create_text_once(folder / SETUP_FILE, fresh)


def setup_code_matches(folder: Path, sent: str) -> bool:
    """Whether `sent` is the setup code (spaces, dashes and case aside), compared in constant time."""
    stored = secretfile.read(folder / SETUP_FILE)
    if stored is None:
        return False
    want, got = _normal(stored.decode("utf-8", "replace")), _normal(sent[:100])
    return bool(want) and hmac.compare_digest(want.encode(), got.encode())


def spend_setup_code(folder: Path) -> None:
    """The first password is set: the code is no use to anyone any more."""
    (folder / SETUP_FILE).unlink(missing_ok=True)


def _normal(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def _wait(failures: int, last_ms: int, now_ms: int) -> int:
    if failures < FREE:
        return 0
    return max(0, last_ms + min(1000 * 2 ** min(failures - FREE, 30), MAX_WAIT_MS) - now_ms)


def wait_ms(conn: sqlite3.Connection, lane: str, now_ms: int) -> int:
    """How long `lane` must wait before its next try (0: may try now)."""
    row = conn.execute("SELECT failures, last_ms FROM login_failures WHERE client = ?", (lane,)).fetchone()
    return 0 if row is None else _wait(row[0], row[1], now_ms)


def take_turn(conn: sqlite3.Connection, lane: str, now_ms: int) -> int:
    """Before checking a password: 0 and the try counted as a failure (until `succeeded`), or how long to wait."""
    with db.transaction(conn):
        wait = wait_ms(conn, lane, now_ms)
        if not wait:
            conn.execute(
                "INSERT INTO login_failures (client, failures, last_ms) VALUES (?, 1, ?)"
                " ON CONFLICT (client) DO UPDATE SET failures = failures + 1, last_ms = excluded.last_ms",
                (lane, now_ms),
            )
    return wait


def failed(conn: sqlite3.Connection, lane: str, now_ms: int, _: Words) -> bool:
    """After a wrong password (already counted by `take_turn`): tell the parent when due, in `_`'s language.

    True when told.
    """
    with db.transaction(conn):
        row = conn.execute("SELECT failures, noticed FROM login_failures WHERE client = ?", (lane,)).fetchone()
        if row is None or row[0] < max(NOTIFY_AFTER, 10 * row[1]):
            return False
        conn.execute("UPDATE login_failures SET noticed = failures WHERE client = ?", (lane,))
        if lane == ANYONE:
            where = _("Someone is guessing the dashboard password from a browser you have not used.")
        elif lane == COMMAND_LINE:
            where = _("Someone is guessing the parent password at this computer's command line.")
        else:
            where = _("Someone is guessing the dashboard password from a browser you logged in with before.")
        outbox.post(
            conn,
            outbox.LOGINS,
            None,
            _("%(count)s wrong parent passwords", count=row[0]),
            where + " " + _("If it was not you, keep the password secret: each try now waits a few seconds."),
            now_ms,
            "/",
        )
    return True


def succeeded(conn: sqlite3.Connection, lane: str) -> None:
    conn.execute("DELETE FROM login_failures WHERE client = ?", (lane,))


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
