"""Ask a parent: purchases waiting for a parent's yes or no, kept in the shared SQLite file.

One row per question to a parent:

    pending --approve / deny (dashboard, command line)--> approved | denied
    approved --the purchase it lets through is recorded--> used

A parent may change an answer until it is used; the latest word counts and
every word is journaled. A yes is usable for `valid` minutes after it was
given, once, by the next identical purchase (same child, app, recipient,
amount); a no stands for identical purchases for as long.

The proxy and the dashboard share nothing but this file. Decisions and uses
are written in ``BEGIN IMMEDIATE`` transactions (SQLite's write lock), a use
only ``WHERE state = 'approved'``, and the proxy reads the approval again
inside the transaction that records the purchase: so a yes is used at most
once, and never after the parent took it back.
"""

from __future__ import annotations

import getpass
import sqlite3
from dataclasses import dataclass

from guardian.catalog.detect import Purchase
from guardian.household.devices import device_key
from guardian.store import db, journal, outbox
from guardian.words import N_, Said

PENDING, APPROVED, DENIED, USED = "pending", "approved", "denied", "used"
MAX_WHO = 64


class ApprovalError(Said):
    """An approval that does not exist or can no longer be decided; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Approval:
    id: int
    at_ms: int  # when the child asked
    child: str
    app: str
    kind: str
    recipient: str | None
    amount: str
    currency: str
    client_ip: str
    proxy_user: str | None
    attempt_id: int | None  # the attempt that asked
    state: str
    over_cap: bool
    decided_by: str | None
    decided_via: str | None
    decided_ms: int | None
    used_attempt: int | None
    used_ms: int | None

    @property
    def device(self) -> str:
        return device_key(self.client_ip, user=self.proxy_user or None)


_COLUMNS = (
    "id, at_ms, child, app, kind, recipient, amount, currency, client_ip, proxy_user, attempt_id, state,"
    " over_cap, decided_by, decided_via, decided_ms, used_attempt, used_ms"
)


def _approval(row: tuple) -> Approval:
    values = list(row)
    values[12] = bool(values[12])
    return Approval(*values)


def os_user() -> str:
    """Who is answering at this computer: the operating-system account."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no USER variable and no password entry (containers)
        return "unknown"


def get(conn: sqlite3.Connection, approval_id: int) -> Approval | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM approvals WHERE id = ?", (approval_id,)).fetchone()
    return None if row is None else _approval(row)


def state(conn: sqlite3.Connection, approval_id: int) -> str | None:
    row = conn.execute("SELECT state FROM approvals WHERE id = ?", (approval_id,)).fetchone()
    return None if row is None else row[0]


def pending(conn: sqlite3.Connection, limit: int = 100) -> list[Approval]:
    """Questions still waiting for a parent, oldest first."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM approvals WHERE state = 'pending' ORDER BY id LIMIT ?", (limit,))
    return [_approval(r) for r in rows.fetchall()]


def decided(conn: sqlite3.Connection, limit: int = 20) -> list[Approval]:
    """The latest answers, newest first."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM approvals WHERE state != 'pending' ORDER BY decided_ms DESC, id DESC LIMIT ?", (limit,)
    )
    return [_approval(r) for r in rows.fetchall()]


def app_amount(conn: sqlite3.Connection, approval: Approval) -> tuple[str | None, str] | None:
    """The amount in the app's own units (coins, beans) and their name, from the attempt that asked."""
    if approval.attempt_id is None:
        return None
    row = conn.execute("SELECT app_amount, app_unit FROM attempts WHERE id = ?", (approval.attempt_id,)).fetchone()
    return None if row is None else (row[0], row[1])


# A purchase whose request carries no amount (a YouTube checkout, a Stripe confirm, an unpriced gift) is
# asked about as "unknown": identical means the same child, app and recipient, also without an amount.
UNKNOWN, UNKNOWN_UNITS = "unknown", -1


def _key(purchase: Purchase) -> tuple[str, int, str] | None:
    """(amount text, units, currency) that identify the purchase's amount; None when unreadable."""
    if purchase.money is not None:
        return str(purchase.money.amount), purchase.money.to_units(), purchase.money.currency
    if getattr(purchase, "unknown", False):
        return UNKNOWN, UNKNOWN_UNITS, ""
    return None


def find(conn: sqlite3.Connection, child: str, purchase: Purchase, now_ms: int, valid_ms: int) -> Approval | None:
    """What answers an identical purchase now.

    An unused yes given within `valid_ms`, else such a no, else a pending question.
    """
    key = _key(purchase)
    if key is None:
        return None
    amount, units, currency = key
    row = conn.execute(
        f"""SELECT {_COLUMNS} FROM approvals
            WHERE child = ? AND app = ? AND recipient IS ? AND amount_units = ? AND currency = ?
              AND (state = 'pending' OR (state IN ('approved', 'denied') AND decided_ms >= ?))
            ORDER BY CASE state WHEN 'approved' THEN 0 WHEN 'denied' THEN 1 ELSE 2 END,
                     CASE state WHEN 'pending' THEN id ELSE -decided_ms END
            LIMIT 1""",
        (child, purchase.app, purchase.recipient, units, currency, now_ms - valid_ms),
    ).fetchone()
    return None if row is None else _approval(row)


def create(
    conn: sqlite3.Connection,
    child: str,
    purchase: Purchase,
    client_ip: str,
    proxy_user: str | None,
    attempt_id: int | None,
    at_ms: int,
    say: outbox.Say,
) -> int:
    """Ask a parent: a pending approval, its journal entry and the parent's notification.

    Runs inside the caller's transaction.
    """
    key = _key(purchase)
    if key is None:
        raise ValueError("an unreadable purchase cannot be put to a parent")
    row = {
        "at_ms": at_ms,
        "child": child,
        "app": purchase.app,
        "kind": purchase.kind,
        "recipient": purchase.recipient,
        "amount": key[0],
        "amount_units": key[1],
        "currency": key[2],
        "client_ip": client_ip,
        "proxy_user": proxy_user,
        "attempt_id": attempt_id,
    }
    cur = conn.execute(
        f"INSERT INTO approvals ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
    )
    approval_id = cur.lastrowid
    journal.append(conn, "approval-asked", approval_id, row, at_ms)
    _ = say.words
    if purchase.money is not None:
        amount = f"{row['amount']} {row['currency']}"
        title = _("%(child)s asks to spend %(amount)s", child=child, amount=amount)
    else:
        title = _("%(child)s asks to spend an unknown amount", child=child)
    # Never a command that answers: this text may be read on the child's own screen.
    body = _(
        "%(what)s. Approve or deny it on the dashboard's “Waiting for you” page.",
        what=say.what(purchase),
    )
    outbox.post(conn, outbox.APPROVAL, child, title, body, at_ms, link="/approvals", ref=approval_id)
    return approval_id


def use(conn: sqlite3.Connection, approval_id: int, attempt_id: int, at_ms: int) -> None:
    """Spend a yes on the attempt it let through. Inside the transaction that records the attempt."""
    cur = conn.execute(
        "UPDATE approvals SET state = 'used', used_attempt = ?, used_ms = ? WHERE id = ? AND state = 'approved'",
        (attempt_id, at_ms, approval_id),
    )
    if cur.rowcount != 1:
        raise ApprovalError(N_("approval #%(id)s is no longer a usable yes"), id=approval_id)
    journal.append(conn, "approval-used", approval_id, {"attempt_id": attempt_id}, at_ms)


def decide(
    conn: sqlite3.Connection,
    approval_id: int,
    approve: bool,
    by: str,
    via: str,
    at_ms: int,
    over_cap: bool = False,
) -> Approval:
    """Record a parent's yes (optionally allowed over the caps) or no, in its own transaction, and journal it."""
    new_state = APPROVED if approve else DENIED
    over = bool(approve and over_cap)
    who = " ".join(str(by).split())[:MAX_WHO] or "unknown"
    with db.transaction(conn):
        current = get(conn, approval_id)
        if current is None:
            raise ApprovalError(N_("there is no approval #%(id)s"), id=approval_id)
        if current.state == USED:
            raise ApprovalError(
                N_("approval #%(id)s was already used by a purchase; it cannot be changed"), id=approval_id
            )
        conn.execute(
            "UPDATE approvals SET state = ?, over_cap = ?, decided_by = ?, decided_via = ?, decided_ms = ? "
            "WHERE id = ?",
            (new_state, int(over), who, via, at_ms, approval_id),
        )
        body = {"state": new_state, "over_cap": over, "by": who, "via": via, "was": current.state}
        journal.append(conn, "approval-decided", approval_id, body, at_ms)
    result = get(conn, approval_id)
    assert result is not None
    return result
