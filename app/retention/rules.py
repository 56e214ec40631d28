"""The retention rules as dates: pure, no database (docs/operations.md names each rule's reason).

A run at a date ``as_of`` computes one cut-off per kind of record; the service deletes what
lies before it. Every period is a setting; the defaults follow KL's deletion deadlines
(KLE-online, *slettefrister*: a daycare's records of a child "5 år efter barnet er udmeldt",
a school's "5 år efter eleven er afgangsført").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: A child is no longer covered by the guide (and by Barnets Lov's rules for children) from
#: its 18th birthday: it counts as having left then, if it was not marked as left before.
ADULT_AGE = 18


@dataclass(frozen=True)
class RetentionPolicy:
    """How long each kind of record is kept after the event that ends its purpose."""

    session_days: int = 30
    login_attempt_days: int = 90
    consultation_days: int = 365
    notification_days: int = 365
    child_years: int = 5
    audit_years: int = 5

    def __post_init__(self) -> None:
        for name in (
            "session_days",
            "login_attempt_days",
            "consultation_days",
            "notification_days",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1 day")
        for name in ("child_years", "audit_years"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")


@dataclass(frozen=True)
class Cutoffs:
    """What lies before these instants (or dates) has passed its retention time."""

    as_of: dt.date
    sessions: dt.datetime
    login_attempts: dt.datetime
    consultations: dt.datetime
    notifications: dt.datetime
    audit: dt.datetime
    #: A child who left (was marked as left, or turned 18) before this date.
    child_left_before: dt.date
    #: A child born before this date turned 18 before ``child_left_before``.
    child_born_before: dt.date


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def cutoffs(policy: RetentionPolicy, as_of: dt.date) -> Cutoffs:
    """The cut-offs of a run on ``as_of`` (midnight UTC at the start of that day)."""
    start = _start_of(as_of)
    left_before = years_before(as_of, policy.child_years)
    return Cutoffs(
        as_of=as_of,
        sessions=start - dt.timedelta(days=policy.session_days),
        login_attempts=start - dt.timedelta(days=policy.login_attempt_days),
        consultations=start - dt.timedelta(days=policy.consultation_days),
        notifications=start - dt.timedelta(days=policy.notification_days),
        audit=_start_of(years_before(as_of, policy.audit_years)),
        child_left_before=left_before,
        child_born_before=years_before(left_before, ADULT_AGE),
    )


def child_has_expired(cut: Cutoffs, *, birth_date: dt.date, left_on: dt.date | None) -> bool:
    """True when the child's records have passed their time: it left, or turned 18, before
    ``cut.child_left_before``."""
    if left_on is not None and left_on < cut.child_left_before:
        return True
    return birth_date < cut.child_born_before
