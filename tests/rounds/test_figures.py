"""The pure counting rules of a round: the small-cell rule, distributions, age bands,
movement between rounds, progress and the chart's bars."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.rounds import figures
from app.rounds.figures import SMALL, Band


class TestSmallCellRule:
    @pytest.mark.parametrize("count", [1, 2, 3, 4])
    def test_one_to_four_is_shown_as_under_five(self, count):
        assert figures.cell(count) == "<5"

    @pytest.mark.parametrize("count", [0, 5, 6, 120])
    def test_zero_and_five_or_more_are_numbers(self, count):
        assert figures.cell(count) == count

    def test_a_negative_count_is_a_programming_error(self):
        with pytest.raises(ValueError, match="negative"):
            figures.cell(-1)

    @given(st.integers(min_value=0, max_value=10_000))
    def test_no_shown_count_is_between_one_and_four(self, count):
        shown = figures.cell(count)
        assert shown == SMALL or (isinstance(shown, int) and not 1 <= shown <= 4)


class TestLevels:
    def test_every_level_is_present_and_counted(self):
        assert figures.level_counts([1, 1, 3]) == {1: 2, 2: 0, 3: 1, 4: 0}

    def test_an_unknown_level_is_refused(self):
        with pytest.raises(ValueError, match="level"):
            figures.level_counts([5])

    def test_shown_levels_use_the_string_keys_and_the_rule(self):
        assert figures.shown_levels([1] * 7 + [2] + [4] * 5) == {
            "1": 7,
            "2": "<5",
            "3": 0,
            "4": 5,
        }

    def test_counts_from_the_database_are_shown_with_the_rule(self):
        assert figures.shown_counts({1: 7, 2: 1, 4: 5}) == {"1": 7, "2": "<5", "3": 0, "4": 5}

    def test_a_count_of_an_unknown_level_is_refused(self):
        with pytest.raises(ValueError, match="level"):
            figures.shown_counts({5: 1})


class TestAgeBands:
    BANDS = (Band(0, 2), Band(3, 5), Band(6, 9))

    def test_whole_years_turn_on_the_birthday(self):
        born = dt.date(2020, 6, 15)
        assert figures.whole_years(born, dt.date(2023, 6, 14)) == 2
        assert figures.whole_years(born, dt.date(2023, 6, 15)) == 3

    def test_the_band_of_a_child_on_a_day(self):
        assert figures.band_of(dt.date(2020, 1, 1), dt.date(2024, 1, 1), self.BANDS) == Band(3, 5)

    def test_outside_every_band_is_none(self):
        assert figures.band_of(dt.date(2000, 1, 1), dt.date(2024, 1, 1), self.BANDS) is None

    @given(
        st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)),
        st.dates(min_value=dt.date(2010, 1, 1), max_value=dt.date(2030, 12, 31)),
        st.integers(min_value=0, max_value=12),
    )
    def test_born_by_is_the_same_as_whole_years(self, born, on, years):
        at_least = figures.whole_years(born, on) >= years
        assert at_least == (born <= figures.born_by(on, years))

    def test_born_by_on_29_february(self):
        assert figures.born_by(dt.date(2024, 2, 29), 1) == dt.date(2023, 2, 28)
        assert figures.born_by(dt.date(2024, 2, 29), 4) == dt.date(2020, 2, 29)

    def test_a_band_is_labelled_in_danish(self):
        assert Band(3, 5).label == "3–5 år"


class TestMovement:
    def test_children_below_level_two_then_are_not_followed(self):
        assert figures.movement({1: 1}, {1: 3}).followed == 0

    def test_down_stayed_up_and_not_assessed(self):
        previous = {1: 2, 2: 3, 3: 3, 4: 2, 5: 4, 6: 1}
        current = {1: 1, 2: 3, 3: 4, 5: 2, 6: 4}
        moved = figures.movement(previous, current)
        assert (moved.down, moved.stayed, moved.up, moved.not_assessed) == (2, 1, 1, 1)
        assert moved.followed == 5

    def test_shown_movement_follows_the_small_cell_rule(self):
        previous = dict.fromkeys(range(6), 2)
        current = dict.fromkeys(range(6), 1)
        assert figures.movement(previous, current).shown() == {
            "followed": 6,
            "down": 6,
            "stayed": 0,
            "up": 0,
            "not_assessed": 0,
        }
        assert figures.movement({1: 2}, {1: 2}).shown()["stayed"] == "<5"


class TestProgress:
    def test_missing_and_share(self):
        progress = figures.Progress(children=12, assessed=6)
        assert (progress.missing, progress.percent) == (6, 50)

    def test_an_empty_group_is_done(self):
        assert figures.Progress(children=0, assessed=0).percent == 100


class TestBars:
    def test_without_a_previous_round_one_bar_per_level(self):
        bars = figures.bars({"1": 10, "2": "<5", "3": 0, "4": 5}, None)
        assert [b.series for b in bars] == ["current"] * 4
        assert [b.level for b in bars] == [1, 2, 3, 4]

    def test_a_small_bar_is_a_stub_of_the_same_height_whatever_its_count(self):
        bars = figures.bars({"1": 10, "2": "<5", "3": 0, "4": 5}, None)
        small = bars[1]
        assert small.small
        assert small.height == figures.STUB
        assert small.y == figures.CHART_BASE - figures.STUB

    def test_numbers_scale_to_the_largest_and_zero_is_flat(self):
        bars = figures.bars({"1": 10, "2": 5, "3": 0, "4": 0}, {"1": 5, "2": 0, "3": 0, "4": 0})
        by = {(b.level, b.series): b for b in bars}
        full = figures.CHART_BASE - figures.CHART_TOP
        assert by[(1, "current")].height == full
        assert by[(1, "previous")].height == full // 2
        assert by[(3, "current")].height == 0
        assert [b.series for b in bars[:2]] == ["previous", "current"]
        assert not by[(1, "current")].small
