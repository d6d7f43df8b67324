"""Host-level control, for traffic the proxy does not decrypt (pinned apps, Apple and Google billing).

Only the host name is known, so a connection is judged, not a purchase:
- any host of an app is refused while the child is outside that app's window;
- an app's payment host (catalog ``payment_hosts``) is also refused while
  purchases are not possible for the child: a parent's lock, outside the
  purchase window, or a day, week or month cap already spent (a day's extra
  allowance counts).
Otherwise the connection goes through untouched (a pass-through host is not
decrypted at all, so the pinned app keeps working).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from guardian.enforce.guard import Guard
from guardian.enforce.policy import Reason, app_open
from guardian.household.config import Child
from guardian.store import overrides
from guardian.store.spend import Spending


def quick(
    guard: Guard, host: str, client: str, user: str | None, now: datetime, tunnel: str | None = None
) -> tuple[Reason | None, Child | None]:
    """What can be decided without the database: (refusal, None) or (None, child whose lock and caps to check).

    Cheap enough for the event loop. A child is returned only for a payment host, whose lock and caps need the ledger.
    """
    app = guard.app_for(host)
    if app is None:
        return None, None
    child = guard.config.child_for(client, user, tunnel)
    if child is None:
        return None, None
    local = guard.calendar.local(now)
    if not app_open(child, app.id, now, guard.calendar):
        return Reason.APP_WINDOW, None
    if guard.catalog.payment_host(host) is None:
        return None, None
    if not child.purchases.allows(local):
        return Reason.PURCHASE_WINDOW, None
    return None, child


def caps_spent(child: Child, spending: Spending, extra_day: Decimal = Decimal(0)) -> Reason | None:
    """The first cap already reached, if any: nothing more can be bought in that period."""
    caps = child.caps.with_extra(extra_day)
    for cap, spent, reason in (
        (caps.day, spending.day, Reason.DAY_CAP),
        (caps.week, spending.week, Reason.WEEK_CAP),
        (caps.month, spending.month, Reason.MONTH_CAP),
    ):
        if cap is not None and spent.amount >= cap.amount:
            return reason
    return None


def check_caps(guard: Guard, child: Child, now: datetime) -> Reason | None:
    """A parent's lock or a spent cap. Blocking (reads the ledger): call from the proxy's database thread."""
    with guard.ledger.reading() as view:
        active = overrides.active(view.conn, child.id, now, guard.calendar)
        if active.locked:
            return Reason.LOCKED
        caps = child.caps
        if caps.day is None and caps.week is None and caps.month is None:
            return None
        spending = view.spending(child.id, now, guard.calendar, guard.config.household.currency)
    return caps_spent(child, spending, active.extra_day)
