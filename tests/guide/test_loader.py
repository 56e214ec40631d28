"""Reading content files and folders, writing catalogs back, and how problems are shown."""

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from app.guide.loader import (
    ContentError,
    ContentIssue,
    dump_catalog,
    load_guide,
    parse_catalog,
    validate_paths,
)
from app.guide.schema import Catalog, LevelsConfig

YamlText = Callable[[Any], str]
LineOf = Callable[..., int]


def catalog_issues(text: str) -> list[ContentIssue]:
    with pytest.raises(ContentError) as refused:
        parse_catalog(text, filename="catalogs/x.yaml")
    return refused.value.issues


def guide_issues(root: Path) -> list[ContentIssue]:
    with pytest.raises(ContentError) as refused:
        load_guide(root)
    return refused.value.issues


def replace_in(path: Path, old: str, new: str) -> str:
    text = path.read_text("utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), "utf-8")
    return text.replace(old, new)


class TestContentIssue:
    def test_shows_file_line_path_and_message(self) -> None:
        issue = ContentIssue(
            "catalogs/3-5.yaml",
            42,
            "areas[2].indicators[5].level",
            "Input should be less than or equal to 4",
        )

        assert str(issue) == (
            "catalogs/3-5.yaml:42 areas[2].indicators[5].level: "
            "Input should be less than or equal to 4"
        )

    def test_leaves_out_what_it_does_not_know(self) -> None:
        assert str(ContentIssue("levels.yaml", None, "", "filen mangler")) == (
            "levels.yaml: filen mangler"
        )
        assert str(ContentIssue("levels.yaml", 3, "", "ugyldig YAML")) == (
            "levels.yaml:3: ugyldig YAML"
        )
        assert str(ContentIssue("levels.yaml", None, "levels", "for få")) == (
            "levels.yaml levels: for få"
        )

    def test_detail_has_the_fields_of_the_api_error(self) -> None:
        issue = ContentIssue("x.yaml", 7, "areas[0].id", "ugyldigt id")

        assert issue.to_detail() == {"line": 7, "path": "areas[0].id", "message": "ugyldigt id"}

    def test_content_error_lists_every_issue(self) -> None:
        issues = [
            ContentIssue("a.yaml", 1, "id", "forkert"),
            ContentIssue("b.yaml", None, "", "væk"),
        ]

        error = ContentError(issues)

        assert error.issues == issues
        assert str(error) == "a.yaml:1 id: forkert\nb.yaml: væk"


class TestParseCatalogYaml:
    """What the YAML reader refuses before the content rules are even checked."""

    def test_empty_file_is_refused(self) -> None:
        assert catalog_issues("# kun en kommentar\n") == [
            ContentIssue("catalogs/x.yaml", None, "", "filen er tom")
        ]

    def test_list_at_the_top_is_refused(self) -> None:
        assert catalog_issues("\n- id: x\n") == [
            ContentIssue(
                "catalogs/x.yaml",
                2,
                "",
                "filen skal bestå af nøgler og værdier (id, version, title, areas …), "
                "ikke en liste eller tekst",
            )
        ]

    @pytest.mark.parametrize(
        "text",
        ["id: &navn x\ntitle: y\n", "id: x\ntitle: y\nversion: *navn\n"],
        ids=["anchor", "alias"],
    )
    def test_anchors_and_aliases_are_refused(self, text: str) -> None:
        line = 1 if "&" in text else 3

        assert catalog_issues(text) == [
            ContentIssue(
                "catalogs/x.yaml",
                line,
                "",
                "ugyldig YAML: YAML-ankre og -aliaser (&navn, *navn) er ikke tilladt",
            )
        ]

    def test_invisible_control_character_is_refused_on_its_line(self) -> None:
        [issue] = catalog_issues("id: x\ntitle: a\x07b\n")

        assert (issue.line, issue.path) == (2, "")
        assert issue.message.startswith("ugyldigt tegn i filen")

    def test_list_as_key_is_refused(self) -> None:
        issues = catalog_issues("id: x\n? [a, b]\n: 1\n")

        assert (
            ContentIssue(
                "catalogs/x.yaml", 2, "", "en nøgle skal være et ord (som title) eller et helt tal"
            )
            in issues
        )

    def test_value_that_cannot_be_read_is_named(self) -> None:
        issues = catalog_issues("id: x\ntitle: 2024-02-30\n")

        assert (
            ContentIssue(
                "catalogs/x.yaml",
                2,
                "title",
                "værdien '2024-02-30' kan ikke læses (YAML-typen tag:yaml.org,2002:timestamp)",
            )
            in issues
        )

    @pytest.mark.parametrize(
        ("text", "tag"),
        [("areas: !!set {a, b}\n", "tag:yaml.org,2002:set"), ("title: !ukendt x\n", "!ukendt")],
    )
    def test_yaml_tags_are_refused(self, text: str, tag: str) -> None:
        [issue, *_] = catalog_issues(text)

        assert (issue.line, issue.path) == (1, text.split(":")[0])
        assert tag in issue.message

    def test_problems_are_reported_even_with_a_duplicate_key(
        self, catalog_data: dict[str, Any], yaml_text: YamlText, line_of: LineOf
    ) -> None:
        catalog_data["version"] = 0
        text = yaml_text(catalog_data) + "title: Igen\n"

        assert [(issue.line, issue.path) for issue in catalog_issues(text)] == [
            (line_of(text, "version: 0"), "version"),
            (len(text.splitlines()), "title"),
        ]


class TestLoadGuide:
    def test_missing_levels_file_is_reported(self, content_root: Path) -> None:
        (content_root / "levels.yaml").unlink()

        assert guide_issues(content_root) == [
            ContentIssue(
                "levels.yaml",
                None,
                "",
                "filen mangler: en indholdsmappe skal have levels.yaml og catalogs/*.yaml",
            )
        ]

    def test_folder_without_catalogs_covers_no_ages(self, content_root: Path) -> None:
        shutil.rmtree(content_root / "catalogs")

        assert guide_issues(content_root) == [
            ContentIssue("catalogs/", None, "", "intet katalog dækker alderen 0–17 år")
        ]

    def test_file_that_is_not_utf8_is_reported(self, content_root: Path) -> None:
        (content_root / "catalogs" / "0-8.yaml").write_bytes("title: Børn\n".encode("latin-1"))

        assert guide_issues(content_root) == [
            ContentIssue("catalogs/0-8.yaml", None, "", "filen er ikke gemt som UTF-8")
        ]

    def test_unreadable_file_is_reported(self, content_root: Path) -> None:
        (content_root / "catalogs" / "kladde.yaml").mkdir()

        [issue] = guide_issues(content_root)

        assert (issue.file, issue.line, issue.path) == ("catalogs/kladde.yaml", None, "")
        assert issue.message.startswith("filen kan ikke læses: ")

    def test_problems_in_every_file_are_reported_together(
        self, content_root: Path, line_of: LineOf
    ) -> None:
        levels = replace_in(content_root / "levels.yaml", "follow_up_days: 30", "follow_up_days: 0")
        young = replace_in(
            content_root / "catalogs" / "0-8.yaml", "max_age_years: 8", "max_age_years: eight"
        )

        assert [(issue.file, issue.line, issue.path) for issue in guide_issues(content_root)] == [
            ("levels.yaml", line_of(levels, "follow_up_days: 0"), "levels[2].follow_up_days"),
            ("catalogs/0-8.yaml", line_of(young, "max_age_years: eight"), "max_age_years"),
        ]

    def test_ages_of_a_broken_catalog_are_not_reported_as_uncovered(
        self, content_root: Path
    ) -> None:
        replace_in(content_root / "catalogs" / "0-8.yaml", "version: 1", "version: 0")

        assert [issue.file for issue in guide_issues(content_root)] == ["catalogs/0-8.yaml"]

    def test_gap_beside_a_broken_catalog_is_still_reported(
        self, content_root: Path, line_of: LineOf
    ) -> None:
        replace_in(content_root / "catalogs" / "0-8.yaml", "version: 1", "version: 0")
        older = replace_in(
            content_root / "catalogs" / "9-17.yaml", "min_age_years: 9", "min_age_years: 10"
        )

        assert guide_issues(content_root)[1:] == [
            ContentIssue(
                "catalogs/9-17.yaml",
                line_of(older, "min_age_years: 10"),
                "min_age_years",
                "intet katalog dækker alderen 9 år",
            )
        ]

    def test_overlap_is_reported_even_when_another_catalog_is_broken(
        self, content_root: Path
    ) -> None:
        replace_in(content_root / "levels.yaml", "level: 4", "level: 5")
        text = (content_root / "catalogs" / "9-17.yaml").read_text("utf-8")
        (content_root / "catalogs" / "9-17.yaml").write_text(
            text.replace("min_age_years: 9", "min_age_years: 8")
        )
        broken = text.replace('"9-17"', '"x"')
        (content_root / "catalogs" / "x.yaml").write_text(broken)

        messages = [issue.message for issue in guide_issues(content_root)]

        assert (
            "alderen 8 år dækkes af flere kataloger: catalogs/0-8.yaml og catalogs/9-17.yaml"
            in (messages)
        )
        assert not any(message.startswith("intet katalog") for message in messages)

    def test_guide_has_the_levels_and_the_catalogs_ordered_by_age(
        self, content_root: Path, levels: LevelsConfig, young: Catalog, older: Catalog
    ) -> None:
        catalogs = content_root / "catalogs"
        (catalogs / "9-17.yaml").rename(catalogs / "a.yaml")
        (catalogs / "0-8.yaml").rename(catalogs / "b.yaml")

        guide = load_guide(content_root)

        assert guide.levels == levels
        assert guide.catalogs == (young, older)


class TestValidatePaths:
    def test_missing_path_is_reported(self, tmp_path: Path) -> None:
        missing = tmp_path / "guide"

        assert validate_paths([missing]) == [
            ContentIssue(missing.as_posix(), None, "", "filen eller mappen findes ikke")
        ]

    def test_folder_problems_name_files_below_the_given_folder(
        self, content_root: Path, line_of: LineOf
    ) -> None:
        older = content_root / "catalogs" / "9-17.yaml"
        text = replace_in(older, "min_age_years: 9", "min_age_years: 8")
        young = content_root / "catalogs" / "0-8.yaml"

        assert validate_paths([content_root]) == [
            ContentIssue(
                f"{content_root.as_posix()}/catalogs/9-17.yaml",
                line_of(text, "min_age_years: 8"),
                "min_age_years",
                f"alderen 8 år dækkes af flere kataloger: {young.as_posix()} og {older.as_posix()}",
            )
        ]

    def test_valid_folder_has_no_issues(self, content_root: Path) -> None:
        assert validate_paths([content_root]) == []

    def test_single_catalog_file_is_checked_on_its_own(self, content_root: Path) -> None:
        young = content_root / "catalogs" / "0-8.yaml"

        assert validate_paths([young]) == []

    def test_files_of_both_kinds_are_checked_by_their_own_rules(
        self, content_root: Path, line_of: LineOf
    ) -> None:
        levels = content_root / "levels.yaml"
        young = content_root / "catalogs" / "0-8.yaml"
        levels_text = replace_in(levels, "key: poor_wellbeing", "key: mistrivsel")
        young_text = replace_in(young, "max_age_years: 8", "max_age_years: 18")

        issues = validate_paths([levels, young])

        assert [(issue.file, issue.line, issue.path) for issue in issues] == [
            (levels.as_posix(), line_of(levels_text, "key: mistrivsel"), "levels[2].key"),
            (young.as_posix(), line_of(young_text, "max_age_years: 18"), "max_age_years"),
        ]


class TestDumpCatalog:
    def test_writes_the_files_format(self, young: Catalog) -> None:
        text = dump_catalog(young)

        assert text.startswith(
            'id: "0-8"\nversion: 1\ntitle: Testbørn 0–8 år\nmin_age_years: 0\nmax_age_years: 8\n'
            "description: Et lille katalog til de automatiske tests.\nsources:\n"
            "  - Testkilde, Trivselsguidens udviklere (kun til de automatiske tests)\n"
            "thresholds: {}\nareas:\n"
            "  - id: health\n    title: Sundhed og krop\n    indicators:\n"
            "      - id: 0-8.health.rested\n"
            "        text: Barnet virker udhvilet og har energi til dagens aktiviteter.\n"
            "        level: 1\n"
        )
        assert "        critical: true\n" in text
        assert "critical: false" not in text
        assert "null" not in text

    def test_is_the_fixture_file_without_its_comment(self, older: Catalog) -> None:
        path = Path(__file__).parent / "fixtures" / "content" / "catalogs" / "9-17.yaml"
        original = path.read_text("utf-8")

        assert dump_catalog(older) == original.split("\n", 1)[1]

    def test_long_descriptions_are_folded_and_read_back_unchanged(
        self, catalog_data: dict[str, Any]
    ) -> None:
        catalog_data["description"] = " ".join(["Et langt katalog til test."] * 8)
        catalog_data["areas"][0]["description"] = "Første afsnit.\n\nAndet afsnit."
        catalog = Catalog.model_validate(catalog_data)

        text = dump_catalog(catalog)

        assert "description: >-\n  Et langt katalog" in text
        assert "    description: |-\n      Første afsnit.\n\n      Andet afsnit.\n" in text
        assert parse_catalog(text) == catalog

    @given(data=st.data())
    def test_reads_back_as_the_same_catalog(self, data: st.DataObject) -> None:
        texts = st.text(
            alphabet=st.characters(
                codec="utf-8", categories=["L", "N", "P", "S", "Zs"], include_characters="\n"
            ),
            min_size=1,
            max_size=120,
        ).filter(lambda t: t.strip() != "")
        catalog_id = data.draw(st.sampled_from(["r", "2024", "true", "0-2"]))
        area_ids = data.draw(st.permutations(["a", "null", "yes", "1", "0-2", "x-y"]))
        thresholds = data.draw(st.dictionaries(st.sampled_from([2, 3]), st.integers(1, 3)))
        catalog = Catalog.model_validate(
            {
                "id": catalog_id,
                "version": data.draw(st.integers(1, 10_000)),
                "title": data.draw(texts),
                "min_age_years": 0,
                "max_age_years": 17,
                "description": data.draw(st.none() | texts),
                "sources": data.draw(st.lists(texts, min_size=1, max_size=3)),
                "thresholds": thresholds,
                "thresholds_reason": data.draw(texts),
                "areas": [
                    {
                        "id": area_id,
                        "title": data.draw(texts),
                        "description": data.draw(st.none() | texts),
                        "indicators": [
                            {
                                "id": f"{catalog_id}.{area_id}.s{level}",
                                "text": data.draw(texts),
                                "level": level,
                            }
                            | data.draw(
                                st.sampled_from([{}, {"critical": True}, {"acute": True}])
                                if level == 4
                                else st.just({})
                            )
                            for level in (1, 2, 3, 4)
                        ],
                    }
                    for area_id in area_ids
                ],
            }
        )

        assert parse_catalog(dump_catalog(catalog)) == catalog

    def test_yaml_from_dump_is_plain_safe_yaml(self, young: Catalog) -> None:
        assert yaml.safe_load(dump_catalog(young))["areas"][0]["indicators"][3]["critical"] is True
