"""The evaluation: examples for each rule, and properties that hold for any catalog."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.guide.engine import Evaluation, RationaleItem, UnknownIndicators, evaluate
from app.guide.schema import (
    MINIMUM_ACTIONS,
    ActionKey,
    BreadthRule,
    Catalog,
    LevelKey,
    LevelsConfig,
)

ALL_ACTIONS = list(ActionKey)


def ids_at(catalog: Catalog, level: int, *, critical: bool = False) -> list[str]:
    return [i.id for i in catalog.indicators() if i.level == level and i.critical == critical]


class TestEvaluate:
    def test_unknown_ids_are_refused_all_together_and_sorted(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        with pytest.raises(UnknownIndicators) as refused:
            evaluate(young, ["0-8.health.tired", "zz.nope", "0-8.health.typo"], levels)

        assert refused.value.ids == ("0-8.health.typo", "zz.nope")
        assert str(refused.value) == (
            "ukendte indikatorer for kataloget '0-8': '0-8.health.typo', 'zz.nope'"
        )

    def test_id_from_another_catalog_is_refused(
        self, young: Catalog, older: Catalog, levels: LevelsConfig
    ) -> None:
        with pytest.raises(UnknownIndicators) as refused:
            evaluate(older, ["0-8.health.tired"], levels)

        assert refused.value.ids == ("0-8.health.tired",)
        assert young.indicator("0-8.health.tired").level == 2

    def test_a_single_id_string_is_refused(self, young: Catalog, levels: LevelsConfig) -> None:
        with pytest.raises(TypeError):
            evaluate(young, "0-8.health.tired", levels)

    def test_nothing_observed_is_general_wellbeing(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        result = evaluate(young, [], levels)

        assert (result.level, result.level_key, result.critical, result.urgent) == (
            1,
            LevelKey.general_wellbeing,
            False,
            False,
        )
        assert result.recommended_actions == (ActionKey.continue_universal,)
        assert (result.rationale, result.follow_up_days) == ((), None)

    def test_level_one_signs_are_all_the_rationale(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        result = evaluate(young, ["0-8.care.dressed", "0-8.health.rested"], levels)

        assert result.level == 1
        assert [item.indicator_id for item in result.rationale] == [
            "0-8.health.rested",
            "0-8.care.dressed",
        ]

    def test_one_sign_on_a_level_reaches_it_with_default_thresholds(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        result = evaluate(young, ["0-8.health.rested", "0-8.relations.alone"], levels)

        assert (result.level, result.level_key) == (2, LevelKey.declining_wellbeing)
        assert result.rationale == (
            RationaleItem(indicator_id="0-8.relations.alone", level=2, critical=False),
        )
        assert result.recommended_actions == (
            ActionKey.continue_universal,
            ActionKey.parent_dialogue,
        )
        assert result.follow_up_days == 90

    def test_ticked_level_two_signs_stay_in_the_rationale_of_a_level_three_result(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        result = evaluate(
            young, ["0-8.health.rested", "0-8.relations.alone", "0-8.health.hungry"], levels
        )

        assert result.level == 3
        assert [(item.indicator_id, item.level) for item in result.rationale] == [
            ("0-8.health.hungry", 3),
            ("0-8.relations.alone", 2),
        ]

    def test_raised_threshold_needs_that_many_signs_at_or_above_the_level(
        self, older: Catalog, levels: LevelsConfig
    ) -> None:
        one = evaluate(older, ["9-17.health.hungry"], levels)
        two = evaluate(older, ["9-17.health.hungry", "9-17.identity.negative"], levels)
        three_and_four = evaluate(older, ["9-17.health.hungry", "9-17.care.left-alone"], levels)

        assert (one.level, two.level) == (2, 3)
        assert three_and_four.level == 4

    def test_one_sign_on_level_four_decides_even_when_level_three_needs_more(
        self, catalog_data: dict[str, Any], levels: LevelsConfig
    ) -> None:
        catalog_data["thresholds"] = {3: 2}
        catalog_data["thresholds_reason"] = "Et enkelt tegn er ikke nok i testen."
        strict = Catalog.model_validate(catalog_data)

        result = evaluate(strict, ["0-8.care.left-alone"], levels)

        assert (result.level, result.urgent) == (4, True)

    def test_level_four_without_critical_is_urgent_and_parents_are_told(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        result = evaluate(young, ["0-8.emotions.self-harm"], levels)

        assert (result.level, result.critical, result.urgent) == (4, False, True)
        assert result.parents_may_be_informed is True
        assert result.recommended_actions == (ActionKey.parent_dialogue, ActionKey.notification)
        assert result.follow_up_days == 7

    def test_critical_sign_means_notify_now_without_telling_the_parents(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        result = evaluate(young, ["0-8.health.rested", "0-8.relations.afraid-of-adult"], levels)

        assert (result.level, result.level_key) == (4, LevelKey.serious_problems)
        assert (result.critical, result.urgent, result.parents_may_be_informed) == (
            True,
            True,
            False,
        )
        assert result.recommended_actions == (ActionKey.notification,)
        assert result.follow_up_days == 7

    def test_critical_sign_adds_notification_even_if_levels_yaml_forgot_it(
        self, young: Catalog, levels_data: dict[str, Any]
    ) -> None:
        levels = LevelsConfig.model_validate(levels_data)
        without = levels.model_copy(
            update={
                "levels": [
                    *levels.levels[:3],
                    levels.levels[3].model_copy(update={"actions": [ActionKey.parent_dialogue]}),
                ]
            }
        )

        result = evaluate(young, ["0-8.health.unexplained-injuries"], without)

        assert result.recommended_actions == (ActionKey.notification,)

    def test_rationale_puts_critical_first_then_higher_levels_then_catalog_order(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        result = evaluate(
            young,
            [
                "0-8.care.left-alone",
                "0-8.relations.afraid-of-adult",
                "0-8.learning.absent",
                "0-8.health.hungry",
                "0-8.emotions.self-harm",
                "0-8.health.unexplained-injuries",
            ],
            levels,
        )

        assert [(item.indicator_id, item.critical) for item in result.rationale] == [
            ("0-8.health.unexplained-injuries", True),
            ("0-8.relations.afraid-of-adult", True),
            ("0-8.emotions.self-harm", False),
            ("0-8.learning.absent", False),
            ("0-8.care.left-alone", False),
            ("0-8.health.hungry", False),
        ]

    def test_observed_are_kept_once_in_catalog_order(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        result = evaluate(
            young, ["0-8.care.dressed", "0-8.health.tired", "0-8.care.dressed"], levels
        )

        assert result.observed == ("0-8.health.tired", "0-8.care.dressed")
        assert (result.catalog_id, result.catalog_version) == ("0-8", 1)

    def test_api_body_has_the_fields_of_the_contract(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        result = evaluate(young, ["0-8.health.tired", "0-8.health.unexplained-injuries"], levels)

        assert result.to_api() == {
            "level": 4,
            "level_key": "serious_problems",
            "critical": True,
            "rationale": [
                {
                    "indicator_id": "0-8.health.unexplained-injuries",
                    "level": 4,
                    "critical": True,
                },
                {"indicator_id": "0-8.health.tired", "level": 2, "critical": False},
            ],
            "recommended_actions": ["notification"],
            "parents_may_be_informed": False,
            "urgent": True,
            "acute": False,
            "escalated_from": None,
            "strengths": [],
            "catalog": {"id": "0-8", "version": 1},
        }

    def test_acute_sign_means_notify_now_and_the_parents_may_be_spoken_to(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        result = evaluate(young, ["0-8.health.rested", "0-8.care.parent-intoxicated"], levels)

        assert (result.level, result.acute, result.critical, result.urgent) == (
            4,
            True,
            False,
            True,
        )
        assert result.parents_may_be_informed is True
        assert ActionKey.notification in result.recommended_actions
        assert result.to_api()["acute"] is True

    def test_acute_and_critical_together_keep_the_abuse_rule(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        result = evaluate(
            young, ["0-8.care.parent-intoxicated", "0-8.relations.afraid-of-adult"], levels
        )

        assert (result.level, result.acute, result.critical) == (4, True, True)
        assert result.parents_may_be_informed is False
        assert ActionKey.parent_dialogue not in result.recommended_actions

    def test_three_level_two_signs_in_two_areas_raise_the_level_to_three(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        observed = ["0-8.care.late-pickup", "0-8.health.tired", "0-8.care.no-lunch"]

        result = evaluate(young, observed, levels)

        assert (result.level, result.level_key, result.escalated_from) == (
            3,
            LevelKey.poor_wellbeing,
            2,
        )
        assert [item.indicator_id for item in result.rationale] == [
            "0-8.health.tired",
            "0-8.care.late-pickup",
            "0-8.care.no-lunch",
        ]
        assert result.recommended_actions == (
            ActionKey.parent_dialogue,
            ActionKey.social_worker_consult,
        )
        assert result.follow_up_days == 30
        assert result.to_api()["escalated_from"] == 2

    @pytest.mark.parametrize(
        "observed",
        [
            ["0-8.health.tired", "0-8.care.late-pickup"],
            ["0-8.care.late-pickup", "0-8.care.no-lunch", "0-8.care.wrong-clothes"],
        ],
        ids=["two-signs-two-areas", "three-signs-one-area"],
    )
    def test_too_few_signs_or_one_area_stay_at_level_two(
        self, young: Catalog, levels: LevelsConfig, observed: list[str]
    ) -> None:
        result = evaluate(young, observed, levels)

        assert (result.level, result.escalated_from) == (2, None)

    def test_breadth_is_not_claimed_when_a_sign_already_gives_level_three(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        observed = [
            "0-8.health.hungry",
            "0-8.health.tired",
            "0-8.care.late-pickup",
            "0-8.identity.unsure",
        ]

        result = evaluate(young, observed, levels)

        assert (result.level, result.escalated_from) == (3, None)

    def test_without_a_breadth_rule_many_level_two_signs_stay_at_level_two(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        without = levels.model_copy(update={"breadth": None})
        level_two = ids_at(young, 2)

        result = evaluate(young, level_two, without)

        assert (len(level_two), result.level, result.escalated_from) == (8, 2, None)

    def test_signs_below_a_raised_level_three_threshold_count_for_breadth(
        self, older: Catalog, levels: LevelsConfig
    ) -> None:
        observed = ["9-17.health.hungry", "9-17.care.late-pickup", "9-17.identity.unsure"]

        result = evaluate(older, observed, levels)

        assert (result.level, result.escalated_from) == (3, 2)

    def test_observed_level_one_signs_are_the_strengths(
        self, young: Catalog, levels: LevelsConfig
    ) -> None:
        observed = ["0-8.care.dressed", "0-8.health.tired", "0-8.health.rested"]

        result = evaluate(young, observed, levels)

        assert result.strengths == ("0-8.health.rested", "0-8.care.dressed")
        assert result.to_api()["strengths"] == ["0-8.health.rested", "0-8.care.dressed"]
        assert [item.indicator_id for item in result.rationale] == ["0-8.health.tired"]

    @pytest.mark.parametrize("level", [1, 2, 3, 4])
    def test_each_level_recommends_at_least_what_the_api_promises(
        self, young: Catalog, levels: LevelsConfig, level: int
    ) -> None:
        result = evaluate(young, ids_at(young, level)[:1], levels)

        assert result.level == level
        assert set(MINIMUM_ACTIONS[level]) <= set(result.recommended_actions)


# --- properties ----------------------------------------------------------------------------


@st.composite
def catalogs(draw: st.DrawFn, *, with_critical: bool = False, with_acute: bool = False) -> Catalog:
    """A valid catalog with random signs per level, critical or acute flags and thresholds."""
    thresholds = draw(st.dictionaries(st.sampled_from([2, 3]), st.integers(1, 4)))
    areas = []
    for a in range(6):
        signs = []
        for level in (1, 2, 3, 4):
            for n in range(draw(st.integers(1, 3))):
                flag: dict[str, bool] = {}
                if level == 4 and with_critical and a == 0 and n == 0:
                    flag = {"critical": True}
                elif level == 4 and with_acute and a == 1 and n == 0:
                    flag = {"acute": True}
                elif level == 4:
                    flag = draw(st.sampled_from([{}, {"critical": True}, {"acute": True}]))
                signs.append(
                    {"id": f"p.a{a}.l{level}-{n}", "text": "Et tegn.", "level": level} | flag
                )
        areas.append({"id": f"a{a}", "title": f"Område {a}", "indicators": signs})
    return Catalog.model_validate(
        {
            "id": "p",
            "version": 1,
            "title": "Genereret",
            "sources": ["Genereret."],
            "min_age_years": 0,
            "max_age_years": 17,
            "thresholds": thresholds,
            "thresholds_reason": "Genereret." if any(n > 1 for n in thresholds.values()) else None,
            "areas": areas,
        }
    )


@st.composite
def breadth_rules(draw: st.DrawFn, levels: LevelsConfig) -> LevelsConfig:
    """The levels with no breadth rule or a random one (at least as many signs as areas)."""
    if draw(st.booleans()):
        return levels.model_copy(update={"breadth": None})
    areas = draw(st.integers(2, 4))
    rule = BreadthRule(min_signs=draw(st.integers(areas, 6)), min_areas=areas, reason="Genereret.")
    return levels.model_copy(update={"breadth": rule})


def observations(catalog: Catalog) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from([i.id for i in catalog.indicators()]))


def check_invariants(
    catalog: Catalog, observed: list[str], result: Evaluation, levels: LevelsConfig
) -> None:
    """What every evaluation promises, restated from the rules."""
    signs = [catalog.indicator(i) for i in set(observed)]
    critical = any(s.critical for s in signs)
    acute = any(s.acute for s in signs)

    def reached(level: int) -> bool:
        return sum(1 for s in signs if s.level >= level) >= catalog.threshold(level)

    by_thresholds = max([1, *(lvl for lvl in (2, 3, 4) if reached(lvl))])
    concern = [s for s in signs if s.level >= 2]
    areas = {s.id.split(".")[1] for s in concern}
    rule = levels.breadth
    broad = rule is not None and len(concern) >= rule.min_signs and len(areas) >= rule.min_areas
    escalated = not (critical or acute) and by_thresholds == 2 and broad
    expected = 4 if critical or acute else 3 if escalated else by_thresholds
    assert result.level == expected
    assert result.escalated_from == (2 if escalated else None)
    assert result.critical is critical
    assert result.acute is acute
    assert result.urgent is (expected == 4)
    assert result.parents_may_be_informed is not critical
    assert set(result.strengths) == {s.id for s in signs if s.level == 1}
    assert set(MINIMUM_ACTIONS[result.level]) <= set(result.recommended_actions)
    assert list(result.recommended_actions) == sorted(
        result.recommended_actions, key=ALL_ACTIONS.index
    )
    if critical:
        assert ActionKey.notification in result.recommended_actions
        assert ActionKey.parent_dialogue not in result.recommended_actions
    assert {item.indicator_id for item in result.rationale} == {
        s.id for s in signs if s.level >= min(result.level, 2)
    }
    worst_first = [(not item.critical, -item.level) for item in result.rationale]
    assert worst_first == sorted(worst_first)


class TestEvaluateProperties:
    @given(data=st.data())
    def test_follows_the_rules_for_any_catalog(
        self, levels: LevelsConfig, data: st.DataObject
    ) -> None:
        catalog = data.draw(catalogs())
        rules = data.draw(breadth_rules(levels))
        observed = data.draw(observations(catalog))

        check_invariants(catalog, observed, evaluate(catalog, observed, rules), rules)

    @given(data=st.data())
    def test_observing_more_never_lowers_the_level(
        self, levels: LevelsConfig, data: st.DataObject
    ) -> None:
        catalog = data.draw(catalogs())
        levels = data.draw(breadth_rules(levels))
        more = data.draw(observations(catalog))
        fewer = data.draw(st.lists(st.sampled_from(more))) if more else []

        small, large = evaluate(catalog, fewer, levels), evaluate(catalog, more, levels)

        assert small.level <= large.level
        assert large.critical or not small.critical
        assert large.acute or not small.acute
        assert set(small.strengths) <= set(large.strengths)

    @given(data=st.data())
    def test_any_critical_sign_means_notification_without_parents(
        self, levels: LevelsConfig, data: st.DataObject
    ) -> None:
        catalog = data.draw(catalogs(with_critical=True))
        critical = data.draw(st.sampled_from([i.id for i in catalog.indicators() if i.critical]))
        observed = [*data.draw(observations(catalog)), critical]

        result = evaluate(catalog, observed, levels)

        assert (result.level, result.critical, result.urgent) == (4, True, True)
        assert result.parents_may_be_informed is False
        assert ActionKey.notification in result.recommended_actions
        assert ActionKey.parent_dialogue not in result.recommended_actions
        assert result.rationale[0].critical is True

    @given(data=st.data())
    def test_any_acute_sign_means_notification_and_the_parents_may_be_told(
        self, levels: LevelsConfig, data: st.DataObject
    ) -> None:
        catalog = data.draw(catalogs(with_acute=True))
        acute = data.draw(st.sampled_from([i.id for i in catalog.indicators() if i.acute]))
        observed = [*data.draw(observations(catalog)), acute]

        result = evaluate(catalog, observed, levels)

        assert (result.level, result.acute, result.urgent, result.escalated_from) == (
            4,
            True,
            True,
            None,
        )
        assert ActionKey.notification in result.recommended_actions
        critical = any(catalog.indicator(i).critical for i in observed)
        assert result.parents_may_be_informed is not critical

    @given(data=st.data())
    def test_breadth_never_gives_level_four(
        self, levels: LevelsConfig, data: st.DataObject
    ) -> None:
        catalog = data.draw(catalogs())
        levels = data.draw(breadth_rules(levels))
        observed = data.draw(observations(catalog))

        result = evaluate(catalog, observed, levels)

        if result.escalated_from is not None:
            assert (result.escalated_from, result.level, result.urgent) == (2, 3, False)

    @given(data=st.data())
    def test_repeated_ids_count_once(self, levels: LevelsConfig, data: st.DataObject) -> None:
        catalog = data.draw(catalogs())
        observed = data.draw(observations(catalog))
        repeated = observed + data.draw(st.lists(st.sampled_from(observed))) if observed else []

        assert evaluate(catalog, repeated, levels) == evaluate(catalog, observed, levels)

    @given(data=st.data())
    def test_order_does_not_matter(self, levels: LevelsConfig, data: st.DataObject) -> None:
        catalog = data.draw(catalogs())
        observed = data.draw(observations(catalog))
        shuffled = data.draw(st.permutations(observed))

        assert evaluate(catalog, shuffled, levels) == evaluate(catalog, observed, levels)

    @given(data=st.data())
    def test_unknown_ids_are_always_named(self, levels: LevelsConfig, data: st.DataObject) -> None:
        catalog = data.draw(catalogs())
        known = data.draw(observations(catalog))
        unknown = data.draw(
            st.sets(
                st.text(min_size=1).filter(lambda t: t not in catalog.indicators_by_id), min_size=1
            )
        )
        observed = data.draw(st.permutations([*known, *unknown]))

        with pytest.raises(UnknownIndicators) as refused:
            evaluate(catalog, observed, levels)

        assert refused.value.ids == tuple(sorted(unknown))
