"""Allow or refuse a purchase: pure functions of (purchase, child, spending so far, now)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from guardian import words
from guardian.catalog.detect import Purchase
from guardian.household.config import Child
from guardian.household.periods import Calendar
from guardian.store.overrides import NONE as NO_OVERRIDES
from guardian.store.overrides import Overrides
from guardian.store.spend import Spending
from guardian.words import N_


class Reason(StrEnum):
    APP_WINDOW = "app-window"
    PURCHASE_WINDOW = "purchase-window"
    UNREADABLE = "unreadable"
    UNKNOWN_AMOUNT = "unknown-amount"  # the request carries no amount and the child's setting refuses (or asks)
    PER_PURCHASE = "per-purchase"
    VELOCITY = "velocity"
    DAY_CAP = "day-cap"
    WEEK_CAP = "week-cap"
    MONTH_CAP = "month-cap"
    LOCKED = "locked"
    PARENT_DENIED = "parent-denied"
    WAITING_FOR_PARENT = "waiting-for-parent"


# What a child and a parent read: English here, the Chinese in the catalog (guardian/words).
EXPLAIN: dict[Reason, str] = {
    Reason.APP_WINDOW: N_("This app is not allowed at this time"),
    Reason.PURCHASE_WINDOW: N_("Purchases are not allowed at this time"),
    Reason.UNREADABLE: N_("The amount of this purchase could not be read, so it was blocked"),
    Reason.UNKNOWN_AMOUNT: N_("The amount of this purchase is not known, so a parent must allow it"),
    Reason.PER_PURCHASE: N_("This purchase is above the per-purchase limit"),
    Reason.VELOCITY: N_("Too many purchases in one minute"),
    Reason.DAY_CAP: N_("Today's spending limit is reached"),
    Reason.WEEK_CAP: N_("This week's spending limit is reached"),
    Reason.MONTH_CAP: N_("This month's spending limit is reached"),
    Reason.LOCKED: N_("A parent has locked all purchases for now"),
    Reason.PARENT_DENIED: N_("A parent said no to this purchase"),
    Reason.WAITING_FOR_PARENT: N_("A parent has been asked to approve this purchase; try again once they say yes"),
}

# The same, in a few words: a table cell on the dashboard, a line in a notification.
LABEL: dict[Reason, str] = {
    Reason.APP_WINDOW: N_("outside the app's hours"),
    Reason.PURCHASE_WINDOW: N_("outside purchase hours"),
    Reason.UNREADABLE: N_("amount unreadable"),
    Reason.UNKNOWN_AMOUNT: N_("amount unknown"),
    Reason.PER_PURCHASE: N_("over the per-purchase cap"),
    Reason.VELOCITY: N_("too many in a minute"),
    Reason.DAY_CAP: N_("day cap reached"),
    Reason.WEEK_CAP: N_("week cap reached"),
    Reason.MONTH_CAP: N_("month cap reached"),
    Reason.LOCKED: N_("locked by a parent"),
    Reason.PARENT_DENIED: N_("a parent said no"),
    Reason.WAITING_FOR_PARENT: N_("waiting for a parent"),
}


def explain(reason: Reason, language: str) -> str:
    """Why a purchase was refused, in a sentence in `language`."""
    return words.of(language)(EXPLAIN[reason])


def label(reason: Reason, language: str) -> str:
    """Why a purchase was refused, in a few words in `language`."""
    return words.of(language)(LABEL[reason])


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: Reason | None = None

    @property
    def label(self) -> str:
        return "allowed" if self.allowed else "blocked"


ALLOW = Decision(True)


def app_open(child: Child | None, app: str, now: datetime, calendar: Calendar) -> bool:
    """Whether the child may use `app` at all right now (its app window)."""
    return child is None or child.app_schedule(app).allows(calendar.local(now))


def decide(
    purchase: Purchase,
    child: Child | None,
    spending: Spending,
    now: datetime,
    calendar: Calendar,
    overrides: Overrides = NO_OVERRIDES,
) -> Decision:
    """The first limit the purchase breaks, in the order a parent would explain it; else allowed.

    An unlisted device that the household allows (`child` None) is recorded but not limited.
    A cap is the most that may be spent: reaching it exactly is allowed.
    A parent's lock refuses every child's purchases; an extra allowance raises today's day cap.
    """
    if child is None:
        return ALLOW
    if overrides.locked:
        return Decision(False, Reason.LOCKED)
    local = calendar.local(now)
    if not child.app_schedule(purchase.app).allows(local):
        return Decision(False, Reason.APP_WINDOW)
    if not child.purchases.allows(local):
        return Decision(False, Reason.PURCHASE_WINDOW)
    if purchase.money is None:
        if getattr(purchase, "unknown", False):
            return unknown_amount(child, spending, overrides.extra_day)
        return Decision(False, Reason.UNREADABLE)
    amount = purchase.money
    caps = child.caps.with_extra(overrides.extra_day)
    if caps.per_purchase is not None and amount.amount > caps.per_purchase.amount:
        return Decision(False, Reason.PER_PURCHASE)
    if caps.per_minute is not None and spending.last_minute + 1 > caps.per_minute:
        return Decision(False, Reason.VELOCITY)
    for cap, spent, reason in (
        (caps.day, spending.day, Reason.DAY_CAP),
        (caps.week, spending.week, Reason.WEEK_CAP),
        (caps.month, spending.month, Reason.MONTH_CAP),
    ):
        if cap is not None and (spent + amount).amount > cap.amount:
            return Decision(False, reason)
    return ALLOW


def unknown_amount(child: Child, spending: Spending, extra_day: Decimal = Decimal(0)) -> Decision:
    """A purchase whose amount the request does not carry, inside its windows: the child's setting decides.

    "refuse" refuses it; "ask" is put to a parent by guardian.enforce.holds (this function then sees it as
    "allow"); "allow" records it without an amount, still refused once a cap is reached or the
    per-minute count is used up.
    """
    if child.unknown_amount != "allow":
        return Decision(False, Reason.UNKNOWN_AMOUNT)
    used_up = _used_up(child, spending, extra_day)
    return ALLOW if used_up is None else Decision(False, used_up)


def refused_whatever_amount(
    child: Child | None,
    app: str,
    spending: Spending,
    now: datetime,
    calendar: Calendar,
    overrides: Overrides = NO_OVERRIDES,
) -> Reason | None:
    """Why every purchase in `app` is refused now whatever its amount (a lock, a window, a cap or the
    per-minute count used up); None when one could still pass. Asked before a purchase's body is known."""
    if child is None:
        return None
    if overrides.locked:
        return Reason.LOCKED
    local = calendar.local(now)
    if not child.app_schedule(app).allows(local):
        return Reason.APP_WINDOW
    if not child.purchases.allows(local):
        return Reason.PURCHASE_WINDOW
    return _used_up(child, spending, overrides.extra_day)


def _used_up(child: Child, spending: Spending, extra_day: Decimal) -> Reason | None:
    """The per-minute count or a cap that no further purchase fits in."""
    caps = child.caps.with_extra(extra_day)
    if caps.per_minute is not None and spending.last_minute + 1 > caps.per_minute:
        return Reason.VELOCITY
    for cap, spent, reason in (
        (caps.day, spending.day, Reason.DAY_CAP),
        (caps.week, spending.week, Reason.WEEK_CAP),
        (caps.month, spending.month, Reason.MONTH_CAP),
    ):
        if cap is not None and spent.amount >= cap.amount:
            return reason
    return None
