"""The shipped guide_content/: every file on its own, then the whole set.

Besides the validator's rules, the catalogs are held to what notes/content-format.md agreed
with the content authors (five age bands, the seven areas in order, at least two signs per
level in every area, signs ordered by level, at least four critical signs per catalog).
Nothing here is skipped: a missing file fails.
"""

import re
from pathlib import Path

import pytest

from app.guide.loader import ContentIssue, load_guide, parse_catalog, parse_levels, validate_paths
from app.guide.schema import ActionKey, Catalog, catalog_for_age

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

    def test_names_the_law_and_the_guides_its_signs_lean_on(self, path: Path) -> None:
        catalog = parse_catalog(path.read_text("utf-8"), filename=path.name)
        named = " ".join(catalog.sources)
        expected = ["Barnets lov § 133", "VEJ nr. 9471", "Socialstyrelsen", "§ 245 a"]
        if catalog.min_age_years < 6:
            expected.append("TEN-4-FACESp")
        else:
            expected += ["fravær", "negativ social kontrol"]

        assert [name for name in expected if name not in named] == []
        assert all("https://" in source for source in catalog.sources), catalog.sources


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

    def test_names_the_sources_of_its_legal_sentences(self) -> None:
        levels = parse_levels(LEVELS_FILE.read_text("utf-8"))
        text = LEVELS_FILE.read_text("utf-8")
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", text)}

        assert "Barnets lov § 133" in levels.sources[0]
        assert all("https://" in source for source in levels.sources)
        assert cited == set(range(1, len(levels.sources) + 1))


class TestShippedGuide:
    def test_whole_set_is_valid(self) -> None:
        issues = validate_paths([ROOT])

        assert issues == [], shown(issues)

    def test_every_age_from_0_to_17_gets_the_agreed_catalog(self) -> None:
        guide = load_guide(ROOT)

        assert {age: catalog_for_age(guide, age).id for age in range(18)} == {
            age: band for band, (first, last) in AGE_BANDS.items() for age in range(first, last + 1)
        }


def _shipped(band: str) -> Catalog:
    path = ROOT / "catalogs" / f"{band}.yaml"
    return parse_catalog(path.read_text("utf-8"), filename=path.name)


class TestShippedSigns:
    """Signs a municipality's child-protection reviewer found wrong or missing (issue 12)."""

    def test_no_sign_speaks_of_a_vague_ceremony_and_every_band_names_fgm(self) -> None:
        for band in AGE_BANDS:
            catalog = _shipped(band)
            texts = [indicator.text.casefold() for indicator in catalog.indicators()]
            assert not [t for t in texts if "ceremoni" in t or "procedure" in t], band
            fgm = [i for i in catalog.indicators() if "kønslemlæstelse" in i.text]
            assert fgm, band
            assert all(i.level == 4 and i.critical for i in fgm), band

    @pytest.mark.parametrize(
        "sign_id",
        [
            "0-2.relations.sexualised-behaviour",
            "3-5.relations.sexualised-behaviour",
            "6-9.identity.describes-adult-sexual-acts",
        ],
    )
    def test_showing_adults_sexual_acts_in_detail_is_critical(self, sign_id: str) -> None:
        sign = _shipped(sign_id.split(".")[0]).indicator(sign_id)

        assert (sign.level, sign.critical) == (4, True)
        assert "voksnes seksuelle handlinger" in sign.text
        assert "i detaljer" in sign.text

    @pytest.mark.parametrize("band", ["3-5", "6-9", "10-13"])
    def test_sexual_acts_towards_other_children_are_level_4_not_critical(self, band: str) -> None:
        sign = _shipped(band).indicator(f"{band}.relations.sexualised-behaviour-towards-others")

        assert (sign.level, sign.critical) == (4, False)
        assert "andre børn" in sign.text

    @pytest.mark.parametrize("band", ["10-13", "14-17"])
    def test_debt_for_the_journey_to_denmark_is_level_4_not_critical(self, band: str) -> None:
        catalog = _shipped(band)
        sign = catalog.indicator(f"{band}.care.owes-for-journey")

        assert (sign.level, sign.critical) == (4, False)
        assert sign.text.startswith(catalog.person.capitalize())
        assert any("cmm.dk" in source for source in catalog.sources)

    @pytest.mark.parametrize("band", list(AGE_BANDS))
    def test_fear_of_a_named_adult_is_in_the_emotions_area(self, band: str) -> None:
        catalog = _shipped(band)
        emotions = next(area for area in catalog.areas if area.id == "emotions")

        assert f"{band}.emotions.afraid-of-named-adult" in [i.id for i in emotions.indicators]

    @pytest.mark.parametrize("band", list(AGE_BANDS))
    def test_the_words_follow_the_content_brief(self, band: str) -> None:
        texts = [indicator.text for indicator in _shipped(band).indicators()]
        banned = ["han eller hun", "hun eller han", "pjæk", "kønsdele", "skridtet"]

        assert [t for t in texts for word in banned if word in t.casefold()] == []


class TestShippedGuidance:
    def test_the_duty_to_notify_is_stated_in_the_laws_words(self) -> None:
        levels = parse_levels(LEVELS_FILE.read_text("utf-8"))
        notification = " ".join(levels.action(ActionKey.notification).description.split())

        for words in (
            "kendskab til eller grund til at antage",
            "kan have behov for særlig støtte",
            "har været udsat for overgreb",
            "ulovligt skolefravær",
            "de vordende forældres forhold",
        ):
            assert words in notification

    def test_level_3_says_a_consultation_never_postpones_the_notification(self) -> None:
        levels = parse_levels(LEVELS_FILE.read_text("utf-8"))
        level_3 = " ".join(levels.level(3).guidance.what_to_do.split())
        consult = " ".join(levels.action(ActionKey.social_worker_consult).description.split())

        assert "udskyder ikke din pligt til at underrette" in level_3
        assert "grund til at antage, at barnet kan have behov for særlig støtte" in level_3
        assert "underrette kommunen nu" in level_3
        assert "senest efter 30 dage" in level_3
        assert levels.level(3).follow_up_days == 30
        assert "udskyder aldrig din pligt" in consult


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
