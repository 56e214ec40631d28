"""The retention rules' dates (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.retention.rules import RetentionPolicy, child_has_expired, cutoffs, years_before


class TestYearsBefore:
    def test_it_is_the_same_calendar_day(self) -> None:
        assert years_before(dt.date(2026, 12, 3), 5) == dt.date(2021, 12, 3)

    def test_29_february_becomes_28_february(self) -> None:
        assert years_before(dt.date(2028, 2, 29), 1) == dt.date(2027, 2, 28)


class TestPolicy:
    @pytest.mark.parametrize(
        "field", ["session_days", "login_attempt_days", "consultation_days", "notification_days"]
    )
    def test_a_period_of_days_is_at_least_one_day(self, field: str) -> None:
        with pytest.raises(ValueError, match=field):
            RetentionPolicy(**{field: 0})

    @pytest.mark.parametrize("field", ["child_years", "audit_years"])
    def test_a_period_of_years_is_not_negative(self, field: str) -> None:
        with pytest.raises(ValueError, match=field):
            RetentionPolicy(**{field: -1})


class TestCutoffs:
    def test_each_period_counts_back_from_the_start_of_the_day(self) -> None:
        cut = cutoffs(RetentionPolicy(), dt.date(2026, 12, 3))
        midnight = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
        assert cut.sessions == midnight - dt.timedelta(days=30)
        assert cut.login_attempts == midnight - dt.timedelta(days=90)
        assert cut.consultations == midnight - dt.timedelta(days=365)
        assert cut.notifications == midnight - dt.timedelta(days=365)
        assert cut.audit == dt.datetime(2021, 12, 3, tzinfo=dt.UTC)
        assert cut.child_left_before == dt.date(2021, 12, 3)
        assert cut.child_born_before == dt.date(2003, 12, 3)


class TestChildHasExpired:
    cut = cutoffs(RetentionPolicy(child_years=5), dt.date(2026, 12, 3))

    def test_a_child_who_left_more_than_five_years_ago_has_expired(self) -> None:
        assert child_has_expired(
            self.cut, birth_date=dt.date(2015, 1, 1), left_on=dt.date(2021, 12, 2)
        )

    def test_a_child_who_left_five_years_ago_today_has_not(self) -> None:
        assert not child_has_expired(
            self.cut, birth_date=dt.date(2015, 1, 1), left_on=dt.date(2021, 12, 3)
        )

    def test_a_child_still_there_has_not(self) -> None:
        assert not child_has_expired(self.cut, birth_date=dt.date(2015, 1, 1), left_on=None)

    def test_a_child_who_turned_18_more_than_five_years_ago_has_expired(self) -> None:
        assert child_has_expired(self.cut, birth_date=dt.date(2003, 12, 2), left_on=None)

    def test_a_child_who_turned_18_five_years_ago_today_has_not(self) -> None:
        assert not child_has_expired(self.cut, birth_date=dt.date(2003, 12, 3), left_on=None)
