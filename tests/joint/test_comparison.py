"""The pure comparison of individual assessments and the agreement figures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.joint.comparison import Individual, agreement, compare


class TestCompare:
    def test_nothing_to_compare_is_refused(self):
        with pytest.raises(ValueError, match="ingen indsendte"):
            compare([])

    def test_agreed_are_ticked_by_all_disputed_by_some(self):
        result = compare([Individual(1, 3, ["a", "b", "b"]), Individual(2, 1, ["b", "c"])])
        assert result.agreed == ["b"]
        assert result.disputed == ["a", "c"]
        assert result.ticked_by == {"a": [1], "b": [1, 2], "c": [2]}
        assert result.levels == [(1, 3), (2, 1)]
        assert result.level_spread == 2
        assert result.discuss_spread_first

    def test_a_spread_of_one_is_not_the_first_topic(self):
        result = compare([Individual(1, 2, []), Individual(2, 3, [])])
        assert result.level_spread == 1
        assert not result.discuss_spread_first
        assert result.ticked_by == {}

    @given(
        st.lists(
            st.tuples(st.integers(1, 4), st.lists(st.sampled_from("abcdef"), max_size=6)),
            min_size=1,
            max_size=5,
        )
    )
    def test_every_ticked_sign_is_either_agreed_or_disputed(self, people):
        result = compare([Individual(i, level, signs) for i, (level, signs) in enumerate(people)])
        assert set(result.agreed) | set(result.disputed) == set(result.ticked_by)
        assert not set(result.agreed) & set(result.disputed)
        assert 0 <= result.level_spread <= 3


class TestAgreement:
    def test_no_joint_assessments_have_no_rate(self):
        figures = agreement([])
        assert figures.rate is None
        assert figures.joint_assessments == 0

    def test_counts_individual_levels_equal_to_the_joint_one(self):
        figures = agreement([(2, [2, 3]), (1, [1, 1, 1])])
        assert figures.joint_assessments == 2
        assert figures.individual_assessments == 5
        assert figures.matching_joint_level == 4
        assert figures.rate == pytest.approx(0.8)
