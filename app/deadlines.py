"""PURE: the legal deadlines for a notification (underretning), on Danish weekdays.

- The municipality must assess a notification within 24 hours of receipt.
- It must confirm receipt to a professional notifier within 6 weekdays (hverdage): the
  deadline is the end (23:59:59 Europe/Copenhagen) of the 6th weekday after the day the
  notification was received. A weekday is Monday–Friday that is not a Danish public holiday
  (helligdag) as listed by the ``holidays`` library (Store Bededag is gone from 2024).
  Grundlovsdag, 24 and 31 December are not public holidays and count as weekdays, which
  gives the earlier, stricter deadline.

Imports only the standard library and ``holidays``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
ASSESS_WITHIN = dt.timedelta(hours=24)
ACKNOWLEDGE_WEEKDAYS = 6
END_OF_DAY = dt.time(23, 59, 59)


@cache
def _public_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("DK", years=year, categories=("public",)))


def is_holiday(day: dt.date) -> bool:
    """True on a Danish public holiday (helligdag)."""
    return day in _public_holidays(day.year)


def is_weekday(day: dt.date) -> bool:
    """True on a hverdag: Monday–Friday and not a Danish public holiday."""
    return day.weekday() < 5 and not is_holiday(day)


def add_weekdays(day: dt.date, count: int) -> dt.date:
    """The ``count``-th weekday after ``day`` (``day`` itself never counts)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    current = day
    found = 0
    while found < count:
        current += dt.timedelta(days=1)
        if is_weekday(current):
            found += 1
    return current


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware time is required")
    return moment


def assess_due(received: dt.datetime) -> dt.datetime:
    """Assess within 24 real hours of receipt (in UTC: adding to a local wall-clock time
    would give 23 or 25 hours across a daylight-saving change)."""
    return _aware(received).astimezone(dt.UTC) + ASSESS_WITHIN


def acknowledge_due_on(local_day: dt.date) -> dt.datetime:
    """The acknowledgement deadline (in UTC) of a notification received on ``local_day``
    (a Copenhagen date): the end of the 6th Danish weekday after it. Uncached: the rule
    itself; :func:`acknowledge_due` uses the cached copy."""
    last_day = add_weekdays(local_day, ACKNOWLEDGE_WEEKDAYS)
    return dt.datetime.combine(last_day, END_OF_DAY, tzinfo=COPENHAGEN).astimezone(dt.UTC)


# The deadline depends on the day of receipt alone, and an inbox shows a hundred notifications
# received on a few dozen days: walking the calendar and converting the zones once per day per
# process is enough. A date in, an immutable UTC datetime out: reference data, no personal
# data; bounded (4,096 days are 11 years of receipts).
_acknowledge_due_on_cached = lru_cache(maxsize=4096)(acknowledge_due_on)


def acknowledge_due(received: dt.datetime) -> dt.datetime:
    """The end of the 6th Danish weekday after the day of receipt (in UTC)."""
    local_day = _aware(received).astimezone(COPENHAGEN).date()
    return _acknowledge_due_on_cached(local_day)


class DeadlineState(StrEnum):
    """How a deadline stands: what the inbox shows in colour and text."""

    OPEN = "open"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"
    LATE = "late"


DUE_SOON_WITHIN = dt.timedelta(hours=6)


@dataclass(frozen=True)
class Deadline:
    """A due time and when the step was done (None while open)."""

    due: dt.datetime
    done_at: dt.datetime | None = None

    def met(self, now: dt.datetime) -> bool | None:
        """api.md's ``met``: None while open and not passed; True when done in time; False
        when done late or when the time passed first."""
        if self.done_at is not None:
            return self.done_at <= self.due
        return False if _aware(now) > self.due else None

    def state(self, now: dt.datetime) -> DeadlineState:
        """Open, due soon (within 6 hours), overdue, met or done late."""
        if self.done_at is not None:
            return DeadlineState.MET if self.done_at <= self.due else DeadlineState.LATE
        if _aware(now) > self.due:
            return DeadlineState.OVERDUE
        if self.due - now <= DUE_SOON_WITHIN:
            return DeadlineState.DUE_SOON
        return DeadlineState.OPEN


def notification_deadlines(
    received: dt.datetime,
    *,
    assessed_at: dt.datetime | None = None,
    acknowledged_at: dt.datetime | None = None,
) -> dict[str, Deadline]:
    """Both deadlines of a notification received at ``received``."""
    return {
        "assess_by": Deadline(assess_due(received), assessed_at),
        "acknowledge_by": Deadline(acknowledge_due(received), acknowledged_at),
    }
