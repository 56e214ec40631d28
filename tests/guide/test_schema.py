"""The content rules: each broken rule is reported with its file, line and path."""

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.guide.loader import ContentError, ContentIssue, load_guide, parse_catalog, parse_levels
from app.guide.schema import (
    ActionKey,
    AgeOutOfRange,
    Catalog,
    Guide,
    LevelKey,
    LevelsConfig,
    NoCatalogForAge,
    age_in_years,
    catalog_for_age,
    check_catalog_set,
    contrast_ratio,
    json_schema,
)

CATALOG_FILE = "catalogs/0-8.yaml"
YamlText = Callable[[Any], str]
LineOf = Callable[..., int]


def catalog_issues(text: str) -> list[ContentIssue]:
    with pytest.raises(ContentError) as refused:
        parse_catalog(text, filename=CATALOG_FILE)
    return refused.value.issues


def levels_issues(text: str) -> list[ContentIssue]:
    with pytest.raises(ContentError) as refused:
        parse_levels(text, filename="levels.yaml")
    return refused.value.issues


def guide_issues(root: Path) -> list[ContentIssue]:
    with pytest.raises(ContentError) as refused:
        load_guide(root)
    return refused.value.issues


def indicator(data: dict[str, Any], area: int, index: int) -> dict[str, Any]:
    found: dict[str, Any] = data["areas"][area]["indicators"][index]
    return found


class TestParseCatalog:
    def test_unknown_key_is_named_on_its_line(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        indicator(catalog_data, 1, 2)["colour"] = "rød"
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "colour: rød"),
                "areas[1].indicators[2].colour",
                "ukendt nøgle 'colour'",
            )
        ]

    def test_duplicate_indicator_id_is_reported_at_its_second_use(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        indicator(catalog_data, 2, 1)["id"] = "0-8.identity.proud"
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "id: 0-8.identity.proud", after="text: Barnet viser glæde"),
                "areas[2].indicators[1].id",
                "indikator-id '0-8.identity.proud' er brugt mere end én gang",
            )
        ]

    def test_duplicate_area_id_is_reported_at_its_second_use(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        learning = catalog_data["areas"][4]
        learning["id"] = "health"
        for sign in learning["indicators"]:
            sign["id"] = sign["id"].replace(".learning.", ".health.")
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "id: health", after="id: 0-8.relations.afraid-of-adult"),
                "areas[4].id",
                "område-id 'health' er brugt mere end én gang",
            )
        ]

    @pytest.mark.parametrize(
        ("level", "message"),
        [
            (0, "Input should be greater than or equal to 1"),
            (5, "Input should be less than or equal to 4"),
        ],
    )
    def test_level_outside_one_to_four_is_refused(
        self,
        catalog_data: dict[str, Any],
        yaml_text: YamlText,
        line_of: LineOf,
        level: int,
        message: str,
    ) -> None:
        indicator(catalog_data, 2, 3)["level"] = level
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, f"level: {level}", after="id: 0-8.identity.worthless"),
                "areas[2].indicators[3].level",
                message,
            )
        ]

    def test_area_missing_levels_names_them(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        identity = catalog_data["areas"][2]
        identity["indicators"] = [s for s in identity["indicators"] if s["level"] < 3]
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "indicators:", after="title: Identitet og selvværd"),
                "areas[2].indicators",
                "området 'identity' mangler indikatorer på niveau 3 og 4",
            )
        ]

    def test_critical_below_level_four_is_refused(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        indicator(catalog_data, 1, 1)["critical"] = True
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "critical: true", after="id: 0-8.emotions.cries-often"),
                "areas[1].indicators[1].critical",
                "kun indikatorer på niveau 4 kan være kritiske (denne er på niveau 2)",
            )
        ]

    def test_acute_below_level_four_is_refused(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        indicator(catalog_data, 1, 1)["acute"] = True
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "acute: true", after="id: 0-8.emotions.cries-often"),
                "areas[1].indicators[1].acute",
                "kun indikatorer på niveau 4 kan være akutte (denne er på niveau 2)",
            )
        ]

    def test_a_sign_is_critical_or_acute_not_both(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        indicator(catalog_data, 0, 3)["acute"] = True
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "acute: true", after="id: 0-8.health.unexplained-injuries"),
                "areas[0].indicators[3].acute",
                "et tegn kan være kritisk (mistanke om overgreb, forældrene orienteres ikke "
                "først) eller akut (fare nu, forældrene må orienteres), ikke begge dele",
            )
        ]

    def test_indicator_id_must_start_with_catalog_and_area(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        indicator(catalog_data, 3, 0)["id"] = "0-8.friends.plays"
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "id: 0-8.friends.plays"),
                "areas[3].indicators[0].id",
                "indikator-id '0-8.friends.plays' skal begynde med '0-8.relations.'",
            )
        ]

    def test_fewer_than_six_areas_is_refused(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        catalog_data["areas"] = catalog_data["areas"][:5]
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "areas:"),
                "areas",
                "List should have at least 6 items after validation, not 5",
            )
        ]

    def test_min_age_above_max_age_is_refused(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        catalog_data["min_age_years"] = 9
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "max_age_years: 8"),
                "max_age_years",
                "max_age_years (8) er mindre end min_age_years (9)",
            )
        ]

    @pytest.mark.parametrize(
        ("level", "message"),
        [
            (1, "Input should be greater than or equal to 2"),
            (5, "Input should be less than or equal to 4"),
        ],
    )
    def test_threshold_for_a_level_outside_two_to_four_is_refused(
        self,
        catalog_data: dict[str, Any],
        yaml_text: YamlText,
        line_of: LineOf,
        level: int,
        message: str,
    ) -> None:
        catalog_data["thresholds"] = {level: 1}
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE, line_of(text, f"  {level}: 1"), f"thresholds[{level}]", message
            )
        ]

    def test_threshold_above_one_needs_a_reason(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        catalog_data["thresholds"] = {2: 2, 3: 2}
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "thresholds:"),
                "thresholds",
                "en tærskel over 1 (niveau 2: 2 og niveau 3: 2) kræver en begrundelse i "
                "thresholds_reason",
            )
        ]

    def test_level_four_threshold_is_never_raised_even_with_a_reason(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        catalog_data["thresholds"] = {3: 2, 4: 2}
        catalog_data["thresholds_reason"] = "Et enkelt alvorligt tegn er ikke nok."
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "  4: 2"),
                "thresholds[4]",
                "tærsklen for niveau 4 kan ikke hæves: ét alvorligt tegn er altid nok til at "
                "underrette",
            )
        ]

    def test_empty_threshold_reason_is_refused_on_its_own(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        catalog_data["thresholds"] = {3: 2}
        catalog_data["thresholds_reason"] = "  "
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "thresholds_reason:"),
                "thresholds_reason",
                "String should have at least 1 character",
            )
        ]

    def test_number_where_text_belongs_is_refused(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        catalog_data["areas"][0]["title"] = 2024
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "title: 2024"),
                "areas[0].title",
                "Input should be a valid string",
            )
        ]

    def test_missing_key_is_reported_on_the_line_of_its_section(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        del indicator(catalog_data, 5, 2)["text"]
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "id: 0-8.care.unwashed"),
                "areas[5].indicators[2].text",
                "nøglen 'text' mangler",
            )
        ]

    def test_duplicate_yaml_key_is_refused_at_its_second_line(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        text = yaml_text(catalog_data)
        lines = text.splitlines(keepends=True)
        level_line = line_of(text, "level: 2", after="id: 0-8.emotions.cries-often")
        lines.insert(level_line, lines[level_line - 1].replace("level: 2", "level: 3"))
        text = "".join(lines)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                level_line + 1,
                "areas[1].indicators[1].level",
                f"nøglen 'level' står to gange i samme afsnit (første gang i linje {level_line})",
            )
        ]

    def test_malformed_yaml_is_reported_on_its_line(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        text = yaml_text(catalog_data).replace(
            "title: Følelser og adfærd", "title: Følelser: og adfærd"
        )

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "title: Følelser: og adfærd"),
                "",
                "ugyldig YAML: mapping values are not allowed here",
            )
        ]

    def test_every_problem_in_a_file_is_reported_in_line_order(
        self, catalog_data: dict[str, Any], yaml_text: YamlText
    ) -> None:
        indicator(catalog_data, 4, 0)["level"] = "1"
        catalog_data["areas"][0]["colour"] = "grøn"
        catalog_data["max_age_years"] = 18
        text = yaml_text(catalog_data)

        issues = catalog_issues(text)

        assert [issue.path for issue in issues] == [
            "max_age_years",
            "areas[0].colour",
            "areas[4].indicators[0].level",
        ]
        assert [issue.line for issue in issues] == sorted(issue.line or 0 for issue in issues)

    def test_valid_catalog_is_read_with_all_its_indicators(self, young: Catalog) -> None:
        assert (young.id, young.version, young.min_age_years, young.max_age_years) == (
            "0-8",
            1,
            0,
            8,
        )
        assert [area.id for area in young.areas] == [
            "health",
            "emotions",
            "identity",
            "relations",
            "learning",
            "care",
        ]
        assert len(young.indicators()) == 27
        assert [i.id for i in young.indicators() if i.critical] == [
            "0-8.health.unexplained-injuries",
            "0-8.relations.afraid-of-adult",
        ]
        assert [i.id for i in young.indicators() if i.acute] == ["0-8.care.parent-intoxicated"]


class TestParseLevels:
    def test_actions_out_of_order_are_refused_at_the_first_wrong_one(
        self, levels_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        actions = levels_data["actions"]
        actions[0], actions[1] = actions[1], actions[0]
        text = yaml_text(levels_data)

        assert levels_issues(text) == [
            ContentIssue(
                "levels.yaml",
                line_of(text, "key: parent_dialogue"),
                "actions[0].key",
                "handlingerne skal være præcis continue_universal, parent_dialogue, "
                "social_worker_consult og notification, i den rækkefølge",
            )
        ]

    def test_missing_action_is_refused(
        self, levels_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        del levels_data["actions"][3]
        text = yaml_text(levels_data)

        [issue] = levels_issues(text)

        assert (issue.line, issue.path) == (line_of(text, "actions:"), "actions")

    def test_fewer_than_four_levels_are_refused(
        self, levels_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        del levels_data["levels"][3]
        text = yaml_text(levels_data)

        assert levels_issues(text) == [
            ContentIssue(
                "levels.yaml",
                line_of(text, "levels:"),
                "levels",
                "der skal være præcis fire niveauer (fandt 3)",
            )
        ]

    def test_levels_out_of_order_are_refused_with_each_wrong_field(
        self, levels_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        levels = levels_data["levels"]
        levels[1], levels[2] = levels[2], levels[1]
        text = yaml_text(levels_data)

        assert levels_issues(text) == [
            ContentIssue(
                "levels.yaml",
                line_of(text, "level: 3"),
                "levels[1].level",
                "niveau nr. 2 skal have level: 2",
            ),
            ContentIssue(
                "levels.yaml",
                line_of(text, "key: poor_wellbeing"),
                "levels[1].key",
                "niveau 2 skal have key: declining_wellbeing",
            ),
            ContentIssue(
                "levels.yaml",
                line_of(text, "level: 2"),
                "levels[2].level",
                "niveau nr. 3 skal have level: 3",
            ),
            ContentIssue(
                "levels.yaml",
                line_of(text, "key: declining_wellbeing"),
                "levels[2].key",
                "niveau 3 skal have key: poor_wellbeing",
            ),
            ContentIssue(
                "levels.yaml",
                line_of(text, "actions:", after="key: declining_wellbeing"),
                "levels[2].actions",
                "niveau 3 skal mindst have handlingen social_worker_consult",
            ),
        ]

    @pytest.mark.parametrize(
        ("number", "missing"),
        [
            (1, "continue_universal"),
            (2, "parent_dialogue"),
            (3, "parent_dialogue og social_worker_consult"),
            (4, "notification"),
        ],
    )
    def test_level_without_the_actions_api_promises_is_refused(
        self,
        levels_data: dict[str, Any],
        yaml_text: YamlText,
        line_of: LineOf,
        number: int,
        missing: str,
    ) -> None:
        other = "continue_universal" if number > 1 else "social_worker_consult"
        levels_data["levels"][number - 1]["actions"] = [other]
        text = yaml_text(levels_data)

        assert levels_issues(text) == [
            ContentIssue(
                "levels.yaml",
                line_of(text, "actions:", after=f"level: {number}"),
                f"levels[{number - 1}].actions",
                f"niveau {number} skal mindst have handlingen {missing}",
            )
        ]

    def test_repeated_action_in_a_level_is_refused(
        self, levels_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        levels_data["levels"][0]["actions"] = ["continue_universal", "continue_universal"]
        text = yaml_text(levels_data)

        assert levels_issues(text) == [
            ContentIssue(
                "levels.yaml",
                line_of(text, "actions:", after="level: 1"),
                "levels[0].actions",
                "handlingen continue_universal står flere gange",
            )
        ]

    def test_unknown_action_is_refused(
        self, levels_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        levels_data["levels"][3]["actions"].append("call_police")
        text = yaml_text(levels_data)

        [issue] = levels_issues(text)

        assert (issue.line, issue.path) == (line_of(text, "- call_police"), "levels[3].actions[2]")
        assert issue.message.startswith("Input should be 'continue_universal', ")

    def test_badge_text_colour_without_enough_contrast_is_refused(
        self, levels_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        levels_data["levels"][2]["text_color"] = "#ffffff"
        text = yaml_text(levels_data)

        assert levels_issues(text) == [
            ContentIssue(
                "levels.yaml",
                line_of(text, "text_color:", after="key: poor_wellbeing"),
                "levels[2].text_color",
                "teksten er for svær at læse: kontrasten mellem #ffffff og #ffdd00 er 1.35:1, "
                "men skal være mindst 4.5:1",
            )
        ]

    def test_colour_must_be_hex(
        self, levels_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        levels_data["levels"][0]["color"] = "green"
        text = yaml_text(levels_data)

        [issue] = levels_issues(text)

        assert (issue.line, issue.path) == (line_of(text, "color: green"), "levels[0].color")

    def test_missing_guidance_is_reported_on_its_section(
        self, levels_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        del levels_data["critical_guidance"]["parents"]
        text = yaml_text(levels_data)

        assert levels_issues(text) == [
            ContentIssue(
                "levels.yaml",
                line_of(text, "critical_guidance:"),
                "critical_guidance.parents",
                "nøglen 'parents' mangler",
            )
        ]

    def test_breadth_rule_needs_its_reason(
        self, levels_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        del levels_data["breadth"]["reason"]
        text = yaml_text(levels_data)

        assert levels_issues(text) == [
            ContentIssue(
                "levels.yaml",
                line_of(text, "breadth:"),
                "breadth.reason",
                "nøglen 'reason' mangler",
            )
        ]

    def test_breadth_never_gives_level_four(
        self, levels_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        levels_data["breadth"]["level"] = 4
        text = yaml_text(levels_data)

        assert levels_issues(text) == [
            ContentIssue(
                "levels.yaml",
                line_of(text, "level: 4", after="breadth:"),
                "breadth.level",
                "bredde kan kun hæve et resultat på niveau 2 til niveau 3, ikke til niveau 4: "
                "niveau 4 afgøres altid af ét alvorligt tegn",
            )
        ]

    def test_breadth_cannot_ask_for_more_areas_than_signs(
        self, levels_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        levels_data["breadth"]["min_areas"] = 4
        text = yaml_text(levels_data)

        assert levels_issues(text) == [
            ContentIssue(
                "levels.yaml",
                line_of(text, "min_areas: 4"),
                "breadth.min_areas",
                "3 tegn kan ikke ligge på 4 områder: min_areas må ikke være større end min_signs",
            )
        ]

    def test_breadth_of_one_sign_or_one_area_is_refused(
        self, levels_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        levels_data["breadth"].update(min_signs=1, min_areas=1)
        text = yaml_text(levels_data)

        assert [(i.line, i.path) for i in levels_issues(text)] == [
            (line_of(text, "min_signs: 1"), "breadth.min_signs"),
            (line_of(text, "min_areas: 1"), "breadth.min_areas"),
        ]

    def test_levels_without_a_breadth_rule_are_valid(self, levels_data: dict[str, Any]) -> None:
        del levels_data["breadth"]

        assert LevelsConfig.model_validate(levels_data).breadth is None

    def test_breadth_may_name_level_three(self, levels_data: dict[str, Any]) -> None:
        levels_data["breadth"]["level"] = 3

        breadth = LevelsConfig.model_validate(levels_data).breadth

        assert breadth is not None
        assert (breadth.min_signs, breadth.min_areas, breadth.level) == (3, 2, 3)

    def test_valid_levels_are_read(self, levels: LevelsConfig) -> None:
        assert [(level.level, level.key) for level in levels.levels] == list(
            enumerate(LevelKey, start=1)
        )
        assert [level.follow_up_days for level in levels.levels] == [None, 90, 30, 7]
        assert levels.critical_guidance.what_to_do.startswith("Underret kommunen nu")


class TestLevelsConfigLevel:
    @pytest.mark.parametrize("number", [0, 5])
    def test_only_levels_one_to_four_exist(self, levels: LevelsConfig, number: int) -> None:
        with pytest.raises(ValueError, match=f"ikke {number}"):
            levels.level(number)

    def test_gives_the_level_by_number(self, levels: LevelsConfig) -> None:
        assert levels.level(3).name == "Mistrivsel"


class TestLevelsConfigAction:
    def test_unknown_action_is_refused(self, levels: LevelsConfig) -> None:
        with pytest.raises(ValueError, match="call_police"):
            levels.action("call_police")

    @pytest.mark.parametrize("key", [ActionKey.notification, "notification"])
    def test_gives_the_action_by_key(self, levels: LevelsConfig, key: str) -> None:
        assert levels.action(key).name == "Underretning til kommunen"


class TestContrastRatio:
    def test_black_on_white_is_the_maximum(self) -> None:
        assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21)

    def test_is_symmetric(self) -> None:
        assert contrast_ratio("#d4351c", "#ffffff") == contrast_ratio("#ffffff", "#d4351c")


class TestCatalogSet:
    """Rules for all catalogs together, as load_guide reports them."""

    def test_age_gap_is_reported_at_the_end_of_the_catalog_before_it(
        self, content_root: Path, line_of: LineOf
    ) -> None:
        older = content_root / "catalogs" / "9-17.yaml"
        older.write_text(older.read_text("utf-8").replace("min_age_years: 9", "min_age_years: 11"))
        young_text = (content_root / "catalogs" / "0-8.yaml").read_text("utf-8")

        assert guide_issues(content_root) == [
            ContentIssue(
                "catalogs/0-8.yaml",
                line_of(young_text, "max_age_years: 8"),
                "max_age_years",
                "intet katalog dækker alderen 9–10 år",
            )
        ]

    def test_age_gap_at_the_start_is_reported_at_the_first_catalog(
        self, content_root: Path, line_of: LineOf
    ) -> None:
        young = content_root / "catalogs" / "0-8.yaml"
        text = young.read_text("utf-8").replace("min_age_years: 0", "min_age_years: 1")
        young.write_text(text)

        assert guide_issues(content_root) == [
            ContentIssue(
                "catalogs/0-8.yaml",
                line_of(text, "min_age_years: 1"),
                "min_age_years",
                "intet katalog dækker alderen 0 år",
            )
        ]

    def test_age_overlap_is_reported_where_the_later_band_starts(
        self, content_root: Path, line_of: LineOf
    ) -> None:
        older = content_root / "catalogs" / "9-17.yaml"
        text = older.read_text("utf-8").replace("min_age_years: 9", "min_age_years: 7")
        older.write_text(text)

        assert guide_issues(content_root) == [
            ContentIssue(
                "catalogs/9-17.yaml",
                line_of(text, "min_age_years: 7"),
                "min_age_years",
                "alderen 7–8 år dækkes af flere kataloger: catalogs/0-8.yaml og catalogs/9-17.yaml",
            )
        ]

    def test_an_area_renamed_in_one_band_is_refused_at_its_title(
        self, content_root: Path, line_of: LineOf
    ) -> None:
        older = content_root / "catalogs" / "9-17.yaml"
        text = older.read_text("utf-8").replace(
            "title: Sundhed og krop", "title: Sundhed og trivsel"
        )
        older.write_text(text)

        assert guide_issues(content_root) == [
            ContentIssue(
                "catalogs/9-17.yaml",
                line_of(text, "title: Sundhed og trivsel"),
                "areas[0].title",
                "området 'health' hedder 'Sundhed og krop' i catalogs/0-8.yaml: "
                "brug samme titel i alle aldersbånd",
            )
        ]

    def test_an_area_only_one_band_has_is_refused_and_the_missing_one_named(
        self, content_root: Path, line_of: LineOf
    ) -> None:
        older = content_root / "catalogs" / "9-17.yaml"
        text = older.read_text("utf-8").replace("  - id: care", "  - id: family")
        text = text.replace("9-17.care.", "9-17.family.")
        older.write_text(text)

        issues = guide_issues(content_root)

        assert (
            ContentIssue(
                "catalogs/9-17.yaml",
                line_of(text, "  - id: family"),
                "areas[5].id",
                "området 'family' findes ikke i catalogs/0-8.yaml; alle aldersbånd skal have de "
                "samme områder",
            )
            in issues
        )
        assert (
            ContentIssue(
                "catalogs/9-17.yaml",
                line_of(text, "areas:"),
                "areas",
                "området 'care' mangler; alle aldersbånd skal have de samme områder som "
                "catalogs/0-8.yaml",
            )
            in issues
        )

    def test_areas_in_another_order_are_refused(self, content_root: Path, line_of: LineOf) -> None:
        older = content_root / "catalogs" / "9-17.yaml"
        text = older.read_text("utf-8")
        care = text.index("  - id: care")
        learning = text.index("  - id: learning")
        swapped = text[:learning] + text[care:].rstrip("\n") + "\n" + text[learning:care]
        older.write_text(swapped)

        assert guide_issues(content_root) == [
            ContentIssue(
                "catalogs/9-17.yaml",
                line_of(swapped, "areas:"),
                "areas",
                "områderne står i en anden rækkefølge end i catalogs/0-8.yaml: "
                "health, emotions, identity, relations, learning, care",
            )
        ]

    def test_copied_catalog_with_the_same_ids_is_refused(
        self, content_root: Path, line_of: LineOf
    ) -> None:
        text = (content_root / "catalogs" / "0-8.yaml").read_text("utf-8")
        (content_root / "catalogs" / "x-copy.yaml").write_text(text)

        assert guide_issues(content_root) == [
            ContentIssue(
                "catalogs/x-copy.yaml",
                line_of(text, 'id: "0-8"'),
                "id",
                "katalog-id '0-8' er allerede brugt i catalogs/0-8.yaml",
            ),
            ContentIssue(
                "catalogs/x-copy.yaml",
                line_of(text, "id: 0-8.health.rested"),
                "areas[0].indicators[0].id",
                "indikator-id'erne '0-8.health.rested', '0-8.health.tired', "
                "'0-8.health.hungry' og 24 flere findes allerede i catalogs/0-8.yaml",
            ),
            ContentIssue(
                "catalogs/x-copy.yaml",
                line_of(text, "min_age_years: 0"),
                "min_age_years",
                "alderen 0–8 år dækkes af flere kataloger: catalogs/0-8.yaml og "
                "catalogs/x-copy.yaml",
            ),
        ]

    @pytest.mark.parametrize(
        ("shared", "message"),
        [
            (1, "indikator-id '0-8.health.rested' findes allerede i kataloget '0-8'"),
            (
                2,
                "indikator-id'erne '0-8.health.rested' og '0-8.health.tired' findes allerede "
                "i kataloget '0-8'",
            ),
        ],
    )
    def test_indicator_ids_must_be_unique_across_catalogs(
        self, young: Catalog, catalog_data: dict[str, Any], shared: int, message: str
    ) -> None:
        for n, sign in enumerate(s for area in catalog_data["areas"] for s in area["indicators"]):
            if n >= shared:
                sign["id"] += "-ny"
        copy = Catalog.model_validate(catalog_data)

        problems = check_catalog_set([young, copy])

        assert [(p.kind, p.catalog_index, p.path, p.message) for p in problems][1] == (
            "duplicate_indicator_id",
            1,
            ("areas", 0, "indicators", 0, "id"),
            message,
        )

    def test_no_catalogs_leave_every_age_uncovered(self) -> None:
        [problem] = check_catalog_set([])

        assert (problem.kind, problem.catalog_index, problem.message) == (
            "age_gap",
            None,
            "intet katalog dækker alderen 0–17 år",
        )

    def test_catalogs_covering_each_age_once_have_no_problems(
        self, young: Catalog, older: Catalog
    ) -> None:
        assert check_catalog_set([older, young]) == []


class TestGuide:
    def test_catalogs_that_do_not_form_a_set_are_refused(
        self, levels: LevelsConfig, young: Catalog
    ) -> None:
        with pytest.raises(ValueError, match="intet katalog dækker alderen 9–17 år"):
            Guide(levels=levels, catalogs=(young,))

    def test_finds_a_catalog_by_id(
        self, levels: LevelsConfig, young: Catalog, older: Catalog
    ) -> None:
        guide = Guide(levels=levels, catalogs=(young, older))

        assert guide.catalog("9-17") is older
        with pytest.raises(KeyError):
            guide.catalog("3-5")


class TestCatalogForAge:
    @pytest.mark.parametrize("years", [-1, 18])
    def test_age_outside_zero_to_seventeen_is_refused(
        self, young: Catalog, older: Catalog, years: int
    ) -> None:
        with pytest.raises(AgeOutOfRange) as refused:
            catalog_for_age([young, older], years)

        assert refused.value.years == years
        assert str(refused.value) == f"alderen {years} år ligger uden for guidens 0–17 år"

    def test_age_no_catalog_covers_is_refused(self, young: Catalog) -> None:
        with pytest.raises(NoCatalogForAge, match="intet katalog dækker alderen 12 år"):
            catalog_for_age([young], 12)

    @pytest.mark.parametrize(
        ("years", "expected"), [(0, "0-8"), (8, "0-8"), (9, "9-17"), (17, "9-17")]
    )
    def test_band_ends_are_inclusive(
        self, levels: LevelsConfig, young: Catalog, older: Catalog, years: int, expected: str
    ) -> None:
        guide = Guide(levels=levels, catalogs=(young, older))

        assert catalog_for_age(guide, years).id == expected
        assert catalog_for_age([older, young], years).id == expected


class TestAgeInYears:
    def test_date_before_birth_is_refused(self) -> None:
        with pytest.raises(ValueError, match="før fødselsdatoen"):
            age_in_years(date(2020, 5, 1), date(2020, 4, 30))

    @pytest.mark.parametrize(
        ("on", "years"),
        [
            (date(2020, 5, 1), 0),
            (date(2023, 4, 30), 2),
            (date(2023, 5, 1), 3),
            (date(2038, 5, 1), 18),
        ],
    )
    def test_counts_whole_years_turning_on_the_birthday(self, on: date, years: int) -> None:
        assert age_in_years(date(2020, 5, 1), on) == years

    @pytest.mark.parametrize(
        ("on", "years"),
        [
            (date(2021, 2, 28), 0),
            (date(2021, 3, 1), 1),
            (date(2024, 2, 28), 3),
            (date(2024, 2, 29), 4),
        ],
    )
    def test_leap_day_child_turns_a_year_older_on_1_march_in_other_years(
        self, on: date, years: int
    ) -> None:
        assert age_in_years(date(2020, 2, 29), on) == years


class TestCatalogThreshold:
    @pytest.mark.parametrize("level", [1, 5])
    def test_only_levels_two_to_four_have_thresholds(self, young: Catalog, level: int) -> None:
        with pytest.raises(ValueError, match=f"ikke {level}"):
            young.threshold(level)

    def test_defaults_to_one_sign(self, young: Catalog, older: Catalog) -> None:
        assert [young.threshold(level) for level in (2, 3, 4)] == [1, 1, 1]
        assert [older.threshold(level) for level in (2, 3, 4)] == [1, 2, 1]


class TestCatalogIndicator:
    def test_unknown_id_is_refused(self, young: Catalog) -> None:
        with pytest.raises(KeyError):
            young.indicator("9-17.health.rested")

    def test_finds_the_indicator(self, young: Catalog) -> None:
        assert young.indicator("0-8.care.left-alone").level == 4


class TestJsonSchema:
    def test_describes_the_catalog_file_and_refuses_unknown_keys(self) -> None:
        schema = json_schema()

        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["additionalProperties"] is False
        assert set(schema["properties"]) == {
            "id",
            "version",
            "title",
            "min_age_years",
            "max_age_years",
            "description",
            "sources",
            "thresholds",
            "thresholds_reason",
            "areas",
        }
        assert set(schema["required"]) == {
            "id",
            "version",
            "title",
            "min_age_years",
            "max_age_years",
            "sources",
            "areas",
        }
        sources = schema["properties"]["sources"]
        assert (sources["type"], sources["minItems"]) == ("array", 1)
        assert sources["items"]["type"] == "string"
        level = schema["$defs"]["Indicator"]["properties"]["level"]
        assert (level["type"], level["minimum"], level["maximum"]) == ("integer", 1, 4)
        assert schema["properties"]["thresholds"]["propertyNames"] == {"enum": ["2", "3", "4"]}
        assert schema["properties"]["areas"]["minItems"] == 6


class TestSpeakOf:
    SHARED = (
        "Barnet eller den unge trives. "
        "Tal med barnets eller den unges forældre om barnet eller den unge."
    )

    def test_a_childrens_band_speaks_of_the_child(self, young: Any) -> None:
        assert young.person == "barnet"
        assert young.speak_of(self.SHARED) == ("Barnet trives. Tal med barnets forældre om barnet.")

    def test_a_band_titled_unge_speaks_of_the_young_person(self, young: Any) -> None:
        band = young.model_copy(update={"title": "Unge 14–17 år (udskoling og ungdom)"})
        assert band.person == "den unge"
        assert band.speak_of(self.SHARED) == (
            "Den unge trives. Tal med den unges forældre om den unge."
        )


class TestSources:
    """Every catalog and levels.yaml name the public material they lean on (`sources:`)."""

    def test_catalog_without_sources_is_refused_at_the_top_of_the_file(
        self, catalog_data: dict[str, Any], yaml_text: YamlText
    ) -> None:
        del catalog_data["sources"]

        assert catalog_issues(yaml_text(catalog_data)) == [
            ContentIssue(
                CATALOG_FILE,
                1,
                "sources",
                "nøglen 'sources' mangler: skriv mindst én kilde (titel og udgiver, og "
                "adressen, hvis kilden er offentlig)",
            )
        ]

    def test_empty_sources_are_refused_on_their_line(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        catalog_data["sources"] = []
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "sources: []"),
                "sources",
                "sources er tom: skriv mindst én kilde (titel og udgiver, og adressen, hvis "
                "kilden er offentlig)",
            )
        ]

    def test_a_text_instead_of_a_list_is_refused_on_its_line(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        catalog_data["sources"] = "Barnets lov § 133"
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(
                CATALOG_FILE,
                line_of(text, "sources: Barnets lov"),
                "sources",
                "Input should be a valid list",
            )
        ]

    @pytest.mark.parametrize(
        ("item", "needle", "message"),
        [
            (2024, "- 2024", "Input should be a valid string"),
            ("  ", "- '  '", "String should have at least 1 character"),
            ("x" * 601, "- xxx", "String should have at most 600 characters"),
        ],
        ids=["number", "blank", "too-long"],
    )
    def test_each_source_must_be_a_text_and_is_named_by_its_place(
        self,
        catalog_data: dict[str, Any],
        yaml_text: YamlText,
        line_of: LineOf,
        item: object,
        needle: str,
        message: str,
    ) -> None:
        catalog_data["sources"] = ["Barnets lov § 133", item]
        text = yaml_text(catalog_data)

        assert catalog_issues(text) == [
            ContentIssue(CATALOG_FILE, line_of(text, needle), "sources[1]", message)
        ]

    def test_missing_sources_are_reported_with_the_other_problems(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        del catalog_data["sources"]
        indicator(catalog_data, 0, 0)["level"] = 7
        text = yaml_text(catalog_data)

        assert [(issue.line, issue.path) for issue in catalog_issues(text)] == [
            (1, "sources"),
            (line_of(text, "level: 7"), "areas[0].indicators[0].level"),
        ]

    def test_sources_are_read_in_their_order(self, catalog_data: dict[str, Any]) -> None:
        catalog_data["sources"] = ["  Barnets lov § 133  ", "TEN-4-FACESp, https://x.dk"]

        catalog = Catalog.model_validate(catalog_data)

        assert catalog.sources == ["Barnets lov § 133", "TEN-4-FACESp, https://x.dk"]

    def test_a_version_stored_before_sources_existed_is_still_read(
        self, catalog_data: dict[str, Any], yaml_text: YamlText
    ) -> None:
        del catalog_data["sources"]

        catalog = parse_catalog(yaml_text(catalog_data), stored=True)

        assert catalog.sources == []
        assert catalog.id == "0-8"

    def test_a_stored_version_with_broken_sources_is_still_refused(
        self, catalog_data: dict[str, Any], yaml_text: YamlText
    ) -> None:
        catalog_data["sources"] = []

        with pytest.raises(ContentError):
            parse_catalog(yaml_text(catalog_data), stored=True)

    def test_levels_without_sources_are_refused(
        self, levels_data: dict[str, Any], yaml_text: YamlText
    ) -> None:
        del levels_data["sources"]

        [issue] = levels_issues(yaml_text(levels_data))

        assert (issue.line, issue.path) == (1, "sources")
        assert issue.message.startswith("nøglen 'sources' mangler")

    def test_levels_with_empty_sources_are_refused_on_their_line(
        self, levels_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        levels_data["sources"] = []
        text = yaml_text(levels_data)

        [issue] = levels_issues(text)

        assert (issue.line, issue.path) == (line_of(text, "sources: []"), "sources")
        assert issue.message.startswith("sources er tom")
