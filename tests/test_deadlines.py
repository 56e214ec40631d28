"""Legal deadlines on Danish weekdays: examples around weekends and holidays, and properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import deadlines
from app.deadlines import COPENHAGEN, Deadline, DeadlineState

UTC = dt.UTC


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=COPENHAGEN)


class TestIsWeekday:
    @pytest.mark.parametrize(
        "day",
        [
            dt.date(2026, 4, 2),  # skærtorsdag
            dt.date(2026, 4, 3),  # langfredag
            dt.date(2026, 4, 6),  # 2. påskedag
            dt.date(2026, 5, 14),  # Kristi himmelfart
            dt.date(2026, 5, 25),  # 2. pinsedag
            dt.date(2026, 12, 25),
            dt.date(2026, 12, 26),
            dt.date(2027, 1, 1),
            dt.date(2026, 11, 28),  # a Saturday
            dt.date(2026, 11, 29),  # a Sunday
        ],
    )
    def test_holidays_and_weekends_are_not_weekdays(self, day):
        assert not deadlines.is_weekday(day)

    @pytest.mark.parametrize(
        "day",
        [
            dt.date(2026, 5, 1),  # Store Bededag is abolished from 2024 (and 1 May is no holiday)
            dt.date(2026, 6, 5),  # Grundlovsdag is not a helligdag
            dt.date(2026, 12, 24),
            dt.date(2026, 12, 31),
            dt.date(2026, 11, 25),
        ],
    )
    def test_ordinary_days_are_weekdays(self, day):
        assert deadlines.is_weekday(day)


class TestAcknowledgeDue:
    def test_over_a_weekend(self):
        # Friday 27 Nov 2026 → Mon 30, Tue 1, Wed 2, Thu 3, Fri 4, Mon 7 December.
        due = deadlines.acknowledge_due(local(2026, 11, 27, 10, 0))
        assert due == local(2026, 12, 7, 23, 59, 59).astimezone(UTC)

    def test_around_easter(self):
        # Wed 1 Apr 2026; Thu 2, Fri 3 and Mon 6 April are holidays.
        due = deadlines.acknowledge_due(local(2026, 4, 1, 9, 0))
        assert due == local(2026, 4, 14, 23, 59, 59).astimezone(UTC)
        assert due == dt.datetime(2026, 4, 14, 21, 59, 59, tzinfo=UTC)  # summer time

    def test_around_christmas_and_new_year(self):
        # Wed 23 Dec 2026: 24 (1), 28 (2), 29 (3), 30 (4), 31 (5), 4 Jan (6).
        due = deadlines.acknowledge_due(local(2026, 12, 23, 15, 0))
        assert due == dt.datetime(2027, 1, 4, 22, 59, 59, tzinfo=UTC)  # winter time

    def test_the_day_of_receipt_is_the_danish_calendar_day(self):
        # 23:30 UTC on Thursday is 00:30 on Friday in Copenhagen: counting starts Friday.
        thursday_evening_utc = dt.datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
        assert deadlines.acknowledge_due(thursday_evening_utc) == deadlines.acknowledge_due(
            local(2026, 11, 27, 12, 0)
        )

    def test_naive_times_are_refused(self):
        with pytest.raises(ValueError, match="timezone"):
            deadlines.acknowledge_due(dt.datetime(2026, 11, 27, 10, 0))


class TestAssessDue:
    def test_is_24_hours_later_across_a_clock_change(self):
        received = local(2026, 3, 28, 12, 0)  # summer time starts 29 March
        assert deadlines.assess_due(received) - received == dt.timedelta(hours=24)


class TestDeadlineMet:
    due = dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

    def test_open_and_not_passed_is_null(self):
        deadline = Deadline(self.due)
        assert deadline.met(self.due - dt.timedelta(days=1)) is None
        assert deadline.state(self.due - dt.timedelta(days=1)) is DeadlineState.OPEN
        assert deadline.state(self.due - dt.timedelta(hours=1)) is DeadlineState.DUE_SOON

    def test_passed_while_open_is_false(self):
        deadline = Deadline(self.due)
        assert deadline.met(self.due + dt.timedelta(seconds=1)) is False
        assert deadline.state(self.due + dt.timedelta(seconds=1)) is DeadlineState.OVERDUE

    def test_done_in_time_is_true_forever(self):
        deadline = Deadline(self.due, done_at=self.due)
        assert deadline.met(self.due + dt.timedelta(days=30)) is True
        assert deadline.state(self.due + dt.timedelta(days=30)) is DeadlineState.MET

    def test_done_late_is_false(self):
        deadline = Deadline(self.due, done_at=self.due + dt.timedelta(minutes=1))
        assert deadline.met(self.due) is False
        assert deadline.state(self.due) is DeadlineState.LATE

    def test_notification_deadlines_has_both(self):
        received = local(2026, 11, 25, 9, 0)
        both = deadlines.notification_deadlines(received, acknowledged_at=received)
        assert set(both) == {"assess_by", "acknowledge_by"}
        assert both["acknowledge_by"].met(received) is True
        assert both["assess_by"].due == deadlines.assess_due(received)


class TestAddWeekdays:
    def test_count_below_one_is_refused(self):
        with pytest.raises(ValueError, match="count"):
            deadlines.add_weekdays(dt.date(2026, 11, 25), 0)


days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2035, 12, 31))
moments = st.datetimes(
    min_value=dt.datetime(2024, 1, 1),
    max_value=dt.datetime(2035, 12, 31),
    timezones=st.just(UTC),
)


class TestProperties:
    @given(days, st.integers(min_value=1, max_value=30))
    def test_add_weekdays_counts_exactly_the_weekdays_after_the_day(self, day, count):
        result = deadlines.add_weekdays(day, count)
        assert result > day
        assert deadlines.is_weekday(result)
        between = [day + dt.timedelta(days=i) for i in range(1, (result - day).days + 1)]
        assert sum(deadlines.is_weekday(d) for d in between) == count

    @given(moments)
    def test_acknowledge_due_is_the_end_of_a_weekday_6_to_14_days_later(self, received):
        due = deadlines.acknowledge_due(received).astimezone(COPENHAGEN)
        assert due.time() == dt.time(23, 59, 59)
        assert deadlines.is_weekday(due.date())
        day = received.astimezone(COPENHAGEN).date()
        assert 6 <= (due.date() - day).days <= 14

    @given(moments, st.integers(min_value=0, max_value=3 * 24 * 3600))
    def test_a_later_receipt_never_gets_an_earlier_deadline(self, received, seconds):
        later = received + dt.timedelta(seconds=seconds)
        assert deadlines.acknowledge_due(later) >= deadlines.acknowledge_due(received)
        assert deadlines.assess_due(later) >= deadlines.assess_due(received)


class TestCachedCalendar:
    """``acknowledge_due`` keeps its result per day of receipt (``lru_cache``): the cached
    answers must be the rule's, computed afresh, on every day of many years."""

    @staticmethod
    def _reference(day: dt.date) -> dt.datetime:
        """The rule from scratch: a holiday calendar built for the call, no cache."""
        import holidays

        calendar = holidays.country_holidays("DK", years=range(day.year, day.year + 2))
        public = {d for d, _ in calendar.items()}
        current, found = day, 0
        while found < deadlines.ACKNOWLEDGE_WEEKDAYS:
            current += dt.timedelta(days=1)
            if current.weekday() < 5 and current not in public:
                found += 1
        return dt.datetime.combine(current, deadlines.END_OF_DAY, tzinfo=COPENHAGEN).astimezone(UTC)

    def test_every_day_from_2023_to_2030_matches_the_uncached_rule(self):
        day = dt.date(2023, 1, 1)
        while day <= dt.date(2030, 12, 31):
            for hour in (0, 12, 23):
                received = dt.datetime.combine(day, dt.time(hour, 30), tzinfo=COPENHAGEN)
                cached = deadlines.acknowledge_due(received)
                assert cached == deadlines.acknowledge_due_on(day)
                assert cached == deadlines.acknowledge_due(received)  # asked twice: cached
            day += dt.timedelta(days=1)

    @pytest.mark.parametrize(
        "day",
        [
            dt.date(2023, 5, 4),  # before Store Bededag 2023 (5 May: still a holiday)
            dt.date(2024, 4, 25),  # before 26 April 2024 (no longer a holiday)
            dt.date(2026, 3, 31),  # before Easter
            dt.date(2026, 12, 22),  # across Christmas and the new year
            dt.date(2027, 5, 5),  # before Kristi himmelfart
        ],
    )
    def test_around_holidays_the_cached_answer_is_the_fresh_calendars(self, day):
        received = dt.datetime.combine(day, dt.time(9), tzinfo=COPENHAGEN)
        assert deadlines.acknowledge_due(received) == self._reference(day)

    @given(st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 31)))
    def test_any_moment_gives_the_rule_of_its_local_day(self, moment):
        received = moment.replace(tzinfo=UTC)
        local_day = received.astimezone(COPENHAGEN).date()
        assert deadlines.acknowledge_due(received) == deadlines.acknowledge_due_on(local_day)
