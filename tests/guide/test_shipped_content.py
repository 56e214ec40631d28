"""The shipped guide_content/: every file on its own, then the whole set.

Besides the validator's rules, the catalogs are held to what notes/content-format.md agreed
with the content authors (five age bands, the seven areas in order, at least two signs per
level in every area, signs ordered by level, at least four critical signs per catalog).
Nothing here is skipped: a missing file fails.
"""

from pathlib import Path

import pytest

from app.guide.loader import ContentIssue, load_guide, parse_catalog, parse_levels, validate_paths
from app.guide.schema import ActionKey, catalog_for_age

ROOT = Path(__file__).resolve().parents[2] / "guide_content"
LEVELS_FILE = ROOT / "levels.yaml"
AGE_BANDS = {"0-2": (0, 2), "3-5": (3, 5), "6-9": (6, 9), "10-13": (10, 13), "14-17": (14, 17)}
AREAS = ("health", "emotions", "identity", "relations", "learning", "independence", "care")
CATALOG_FILES = sorted(
    {ROOT / "catalogs" / f"{band}.yaml" for band in AGE_BANDS} | set(ROOT.glob("catalogs/*.yaml"))
)


def shown(issues: list[ContentIssue]) -> str:
    return "\n".join(str(issue) for issue in issues)


@pytest.mark.parametrize("path", CATALOG_FILES, ids=lambda path: path.name)
class TestShippedCatalog:
    def test_file_is_valid(self, path: Path) -> None:
        issues = validate_paths([path])

        assert issues == [], shown(issues)

    def test_file_follows_the_agreed_format(self, path: Path) -> None:
        catalog = parse_catalog(path.read_text("utf-8"), filename=path.name)
        problems: list[str] = []
        if path.stem != catalog.id or catalog.id not in AGE_BANDS:
            problems.append(f"id '{catalog.id}' skal være et af {list(AGE_BANDS)} og filens navn")
        elif (catalog.min_age_years, catalog.max_age_years) != AGE_BANDS[catalog.id]:
            problems.append(f"aldersbåndet skal være {AGE_BANDS[catalog.id]}")
        if tuple(area.id for area in catalog.areas) != AREAS:
            problems.append(f"områderne skal være {AREAS} i den rækkefølge")
        for area in catalog.areas:
            levels = [indicator.level for indicator in area.indicators]
            if levels != sorted(levels):
                problems.append(f"{area.id}: indikatorerne skal stå i niveau-rækkefølge")
            thin = [level for level in (1, 2, 3, 4) if levels.count(level) < 2]
            if thin:
                problems.append(f"{area.id}: færre end 2 indikatorer på niveau {thin}")
        critical = sum(1 for indicator in catalog.indicators() if indicator.critical)
        if critical < 4:
            problems.append(f"kun {critical} kritiske indikatorer; der skal være mindst 4")

        assert problems == [], "\n".join(problems)


class TestShippedLevels:
    def test_file_is_valid(self) -> None:
        issues = validate_paths([LEVELS_FILE])

        assert issues == [], shown(issues)

    def test_levels_have_the_agreed_names_actions_and_follow_up(self) -> None:
        levels = parse_levels(LEVELS_FILE.read_text("utf-8"))

        assert [(level.name, level.actions, level.follow_up_days) for level in levels.levels] == [
            ("Generel trivsel", [ActionKey.continue_universal], None),
            ("Faldende trivsel", [ActionKey.parent_dialogue], 90),
            (
                "Mistrivsel",
                [ActionKey.parent_dialogue, ActionKey.social_worker_consult],
                30,
            ),
            ("Svære problemer", [ActionKey.notification], 7),
        ]


class TestShippedGuide:
    def test_whole_set_is_valid(self) -> None:
        issues = validate_paths([ROOT])

        assert issues == [], shown(issues)

    def test_every_age_from_0_to_17_gets_the_agreed_catalog(self) -> None:
        guide = load_guide(ROOT)

        assert {age: catalog_for_age(guide, age).id for age in range(18)} == {
            age: band for band, (first, last) in AGE_BANDS.items() for age in range(first, last + 1)
        }


class TestShippedAcuteAndBreadth:
    def test_intoxicated_parents_and_a_young_person_in_danger_now_are_acute_not_critical(
        self,
    ) -> None:
        guide = load_guide(ROOT)
        acute = {i.id for c in guide.catalogs for i in c.indicators() if i.acute}

        assert acute == {
            "0-2.care.parent-intoxicated",
            "3-5.care.parent-intoxicated",
            "6-9.care.parent-intoxicated-at-pickup",
            "10-13.care.parent-intoxicated",
            "14-17.care.parent-too-intoxicated",
            "14-17.care.no-place-to-live",
            "14-17.emotions.suicidal-statements",
        }
        assert not any(i.critical for c in guide.catalogs for i in c.indicators() if i.acute)

    def test_acute_guidance_says_whom_to_call_and_that_parents_may_be_spoken_to(self) -> None:
        guidance = parse_levels(LEVELS_FILE.read_text("utf-8")).acute_guidance

        assert "Overlad ikke barnet" in guidance.what_to_do
        assert "114" in guidance.what_to_do
        assert "112" in guidance.what_to_do
        assert "den anden forælder" in guidance.what_to_do
        assert "må gerne tale med dem" in guidance.parents

    def test_breadth_is_three_level_two_signs_in_two_areas_with_its_reason(self) -> None:
        breadth = parse_levels(LEVELS_FILE.read_text("utf-8")).breadth

        assert breadth is not None
        assert (breadth.min_signs, breadth.min_areas, breadth.level) == (3, 2, 3)
        assert "flere områder" in breadth.reason
