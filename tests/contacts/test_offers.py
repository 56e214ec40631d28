"""The municipality's offers: guide_content/offers.yaml validated like the catalogs (errors by
line), ``GET /api/v1/offers[?level=N]`` as api.md says, and the result page listing them for
the level reached, never instead of a due notification."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from app import db
from app.accounts.models import User
from app.catalogs.service import GUIDE_CONTENT_DIR
from app.cli import cli
from app.guide.loader import ContentError, load_offers, parse_offers, validate_paths
from tests.factories import id_of, make_child, make_finished_assessment, signs
from tests.html import by_id

HTMX = {"HX-Request": "true"}

VALID = """\
version: 1
title: Tilbud
sources:
  - Barnets lov § 30
offers:
  - id: cafe
    title: Familiecafé
    description: Familier mødes.
    levels: [1, 2]
    who_can_refer: Familien selv
    how: Tilmeld jer.
    contact: Familiehuset
"""


class TestOffersFile:
    def test_the_shipped_ladder_is_valid_and_covers_every_level(self):
        ladder = load_offers(GUIDE_CONTENT_DIR)
        assert all(ladder.for_level(level) for level in (1, 2, 3, 4))
        assert any("§ 32" in (o.legal_basis or "") for o in ladder.offers)
        assert ladder.sources

    def test_every_shipped_offer_names_its_legal_basis_and_the_sources_cite_it(self):
        ladder = load_offers(GUIDE_CONTENT_DIR)
        sources = " ".join(ladder.sources)
        for offer in ladder.offers:
            assert offer.legal_basis, offer.id
            law = re.match(r"[^(,;]+", offer.legal_basis).group().strip()  # type: ignore[union-attr]
            assert law in sources, (offer.id, law)

    def test_a_valid_file_parses(self):
        ladder = parse_offers(VALID)
        assert [o.id for o in ladder.for_level(2)] == ["cafe"]
        assert ladder.for_level(3) == []
        assert len(ladder.for_level(None)) == 1

    @pytest.mark.parametrize(
        ("change", "line", "path", "words"),
        [
            (("levels: [1, 2]", "levels: [1, 5]"), 9, "offers[0].levels[1]", "4"),
            (("levels: [1, 2]", "levels: []"), 9, "offers[0].levels", "mindst ét niveau"),
            (("levels: [1, 2]", "levels: [2, 2]"), 9, "offers[0].levels", "flere gange"),
            (("    contact: Familiehuset\n", ""), 6, "offers[0].contact", "mangler"),
            (
                ("    how: Tilmeld jer.\n", "    how: Tilmeld jer.\n    price: 0\n"),
                12,
                "offers[0].price",
                "ukendt",
            ),
            (("sources:\n  - Barnets lov § 30\n", ""), 1, "sources", "sources"),
            (("id: cafe", "id: Café"), 6, "offers[0].id", ""),
        ],
    )
    def test_problems_are_named_by_line(self, change, line, path, words):
        with pytest.raises(ContentError) as raised:
            parse_offers(VALID.replace(*change), filename="offers.yaml")
        [issue] = raised.value.issues
        assert (issue.line, issue.path) == (line, path), issue
        assert words in issue.message
        assert str(issue).startswith(f"offers.yaml:{line}")

    def test_a_repeated_id_points_at_the_second(self):
        text = VALID + VALID.split("offers:\n", 1)[1]
        with pytest.raises(ContentError) as raised:
            parse_offers(text)
        [issue] = raised.value.issues
        assert issue.line == 13
        assert issue.path == "offers[1].id"
        assert "allerede brugt" in issue.message

    def test_validate_covers_the_file_alone_and_in_a_content_root(self, tmp_path: Path):
        broken = VALID.replace("levels: [1, 2]", "levels: [9]")
        alone = tmp_path / "offers.yaml"
        alone.write_text(broken, encoding="utf-8")
        assert [i.line for i in validate_paths([alone])] == [9]
        root = tmp_path / "content"
        (root / "catalogs").mkdir(parents=True)
        for path in [
            GUIDE_CONTENT_DIR / "levels.yaml",
            *sorted((GUIDE_CONTENT_DIR / "catalogs").glob("*.yaml")),
        ]:
            target = root / path.relative_to(GUIDE_CONTENT_DIR)
            target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        assert validate_paths([root]) == []  # offers.yaml is optional in a content root
        (root / "offers.yaml").write_text(broken, encoding="utf-8")
        issues = validate_paths([root])
        assert [(i.file, i.line) for i in issues] == [((root / "offers.yaml").as_posix(), 9)]
        result = CliRunner().invoke(cli, ["catalog", "validate", str(root)])
        assert result.exit_code == 1
        assert "offers.yaml:9" in result.output

    def test_a_missing_file_cannot_be_loaded(self, tmp_path: Path):
        with pytest.raises(ContentError, match="kan ikke læses"):
            load_offers(tmp_path)


class TestOffersApi:
    def test_anonymous_is_401(self, client, org):
        assert client.get("/api/v1/offers").status_code == 401

    @pytest.mark.parametrize("username", ["staff", "social", "admin"])
    def test_every_logged_in_user_gets_the_ladder(self, as_user, org, username):
        body = as_user(username).client.get("/api/v1/offers").json()
        assert [o["id"] for o in body] == [o.id for o in load_offers(GUIDE_CONTENT_DIR).offers]
        assert {"id", "title", "description", "levels", "who_can_refer", "contact"} <= set(body[0])

    def test_level_filters(self, as_user, org):
        staff = as_user("staff")
        body = staff.client.get("/api/v1/offers?level=4").json()
        assert body
        assert all(4 in o["levels"] for o in body)
        assert "family-support" in [o["id"] for o in body]
        assert "parent-course" not in [o["id"] for o in body]

    @pytest.mark.parametrize("level", ["0", "5", "to", "1.5"])
    def test_a_level_outside_1_to_4_is_422(self, as_user, org, level):
        response = as_user("staff").client.get(f"/api/v1/offers?level={level}")
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"].endswith("level")


@pytest.fixture
def staff(as_user):
    """Logged in first: the app's start imports the shipped catalogs the factories need."""
    return as_user("staff")


def _result(app, org, staff, observed, headers=None) -> BeautifulSoup:
    with db.session_scope(app.state.engine) as s:
        child = make_child(s, org.daycare_id, org.users["staff"])
        author = s.get(User, org.users["staff"])
        assert author is not None
        assessment_id = id_of(make_finished_assessment(s, author, child, observed=observed))
    response = staff.client.get(f"/assessments/{assessment_id}", headers=headers or {})
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


class TestResultPageOffers:
    @pytest.mark.parametrize("headers", [{}, HTMX])
    def test_the_level_reached_lists_its_offers(self, app, org, staff, headers):
        soup = _result(app, org, staff, signs(level=2), headers)
        offers = by_id(soup, "offers")
        assert by_id(offers, "offer-parent-course")
        assert offers.select("#offer-family-support") == []
        assert by_id(soup, "offers-heading").get_text(strip=True) == "Kommunens tilbud"
        assert offers.select("#offers-note") == []

    def test_with_a_notification_due_they_come_after_it_as_additional(self, app, org, staff):
        soup = _result(app, org, staff, signs(level=4))
        heading = by_id(soup, "offers-heading").get_text(strip=True)
        assert heading == "Kommunens tilbud ud over underretningen"
        assert "erstatter ikke underretningen" in by_id(soup, "offers-note").get_text()
        order = [node.get("id") for node in soup.select("#next-steps, #offers")]
        assert order == ["next-steps", "offers"]
        assert soup.select("#next-steps li")[0].get("id") == "next-step-notification"

    def test_under_the_abuse_rule_the_parents_are_not_told_of_them_first(self, app, org, staff):
        soup = _result(app, org, staff, signs(level=4, critical=True))
        assert "Fortæl ikke forældrene" in by_id(soup, "offers-note").get_text()
