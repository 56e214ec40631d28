"""The catalog editor for content editors: plain words, one area at a time, a search over
the signs, a confirmation before publishing, and strict forms (a clear error, no 500)."""

from __future__ import annotations

import pytest
import yaml
from bs4 import BeautifulSoup

from app import db
from app.catalogs import service as catalogs
from app.catalogs.models import CatalogVersion
from app.guide.loader import dump_catalog, parse_catalog
from tests.html import attr, one


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def _new_draft(admin, catalog_id="3-5") -> str:
    r = admin.client.post(
        f"/admin/catalogs/{catalog_id}/drafts",
        data={"csrf_token": admin.csrf_token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    return r.headers["location"].split("?")[0]


def _content(app, draft_path: str) -> str:
    draft_id = int(draft_path.rstrip("/").split("/")[-1])
    with db.session_scope(app.state.engine) as s:
        return s.get_one(CatalogVersion, draft_id).content


@pytest.fixture
def admin(as_user):
    return as_user("admin")


class TestPlainWords:
    def test_the_editor_names_the_catalog_not_its_ids(self, admin):
        path = _new_draft(admin)
        title = admin.client.get("/api/v1/catalogs/3-5").json()["title"]
        page = soup(admin.client.get(path))
        assert one(page, "h1").get_text(strip=True) == f"Kladde til {title}"
        labels = [label.get_text(strip=True) for label in page.select("label")]
        assert "Id" not in labels
        tabs = [a.get_text(strip=True) for a in page.select(".editor-tabs a")]
        assert tabs == [
            "Tegn og områder",
            "Ændringer",
            "Prøv kataloget",
            "Filformat (for teknikere)",
        ]
        assert "Kladde #" not in page.get_text()

    def test_the_catalog_pages_speak_of_the_supplier_not_of_shipped_versions(self, admin):
        _new_draft(admin)
        listing = soup(admin.client.get("/admin/catalogs"))
        headers = [th.get_text(strip=True) for th in listing.select("#catalog-table th")]
        assert "Leveret version" not in headers
        detail = soup(admin.client.get("/admin/catalogs/3-5"))
        title = admin.client.get("/api/v1/catalogs/3-5").json()["title"]
        assert one(detail, "h1").get_text(strip=True) == title
        assert "Kladde #" not in detail.get_text()


class TestOneAreaAtATime:
    def test_the_form_shows_one_area_and_a_navigation_to_the_others(self, admin, app):
        path = _new_draft(admin)
        data = yaml.safe_load(_content(app, path))
        page = soup(admin.client.get(path))
        nav = [a.get_text(" ", strip=True) for a in page.select("#area-nav a")]
        assert nav[0] == "Om kataloget"
        assert len(nav) == len(data["areas"]) + 1
        assert nav[1] == f"{data['areas'][0]['title']} ({len(data['areas'][0]['indicators'])} tegn)"
        assert [f["id"] for f in page.select("fieldset.editor-area")] == ["area-0"]
        third = soup(admin.client.get(f"{path}?tab=form&area=2"))
        assert [f["id"] for f in third.select("fieldset.editor-area")] == ["area-2"]
        assert (
            one(third, "#area-nav a[aria-current]")
            .get_text(" ", strip=True)
            .startswith(data["areas"][2]["title"])
        )

    def test_saving_one_area_leaves_the_others_as_they_were(self, admin, app):
        path = _new_draft(admin)
        before = yaml.safe_load(_content(app, path))
        r = admin.client.post(
            f"{path}/form",
            data={
                "csrf_token": admin.csrf_token,
                "area": "2",
                "ind-2-0-text": "Barnet leger gerne med de andre børn hver dag.",
                "ind-2-0-level": "1",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert r.headers["location"].endswith("?tab=form&area=2")
        after = yaml.safe_load(_content(app, path))
        assert after["areas"][2]["indicators"][0]["text"] == (
            "Barnet leger gerne med de andre børn hver dag."
        )
        assert after["areas"][0] == before["areas"][0]
        assert after["title"] == before["title"]

    def test_the_form_writes_the_file_format_of_every_catalog(self, admin, app):
        path = _new_draft(admin)
        admin.client.post(f"{path}/form", data={"csrf_token": admin.csrf_token, "op": "down:1:0"})
        text = _content(app, path)
        assert text == dump_catalog(parse_catalog(text, filename="3-5.yaml"))

    def test_the_catalogs_own_fields_are_their_own_part(self, admin):
        path = _new_draft(admin)
        page = soup(admin.client.get(f"{path}?tab=form&area=about"))
        assert page.select_one("#catalog-about #input-title") is not None
        assert page.select("fieldset.editor-area") == []


class TestSearch:
    def test_the_search_finds_signs_in_every_area_and_links_to_them(self, admin, app):
        path = _new_draft(admin)
        data = yaml.safe_load(_content(app, path))
        target = data["areas"][3]["indicators"][1]
        word = max(target["text"].split(), key=len).strip(".,")
        page = soup(admin.client.get(f"{path}?tab=form&q={word.upper()}"))
        links = [a["href"] for a in page.select("#search-results a")]
        assert "?tab=form&area=3#ind-3-1" in links
        expected = sum(
            word.casefold() in i["text"].casefold() for a in data["areas"] for i in a["indicators"]
        )
        assert len(links) == expected
        assert one(page, "#search-heading").get_text(strip=True).startswith(f"{expected} tegn")

    def test_a_search_without_hits_says_so(self, admin):
        path = _new_draft(admin)
        page = soup(admin.client.get(f"{path}?tab=form&q=zzzikkefundet"))
        assert one(page, "#search-heading").get_text(strip=True) == (
            "Ingen tegn indeholder »zzzikkefundet«"
        )


class TestPublishConfirmation:
    def test_publishing_asks_first_and_says_what_it_does(self, admin, as_user):
        path = _new_draft(admin)
        r = admin.client.post(f"{path}/publish", data={"csrf_token": admin.csrf_token})
        assert r.status_code == 200
        box = soup(r).select_one("#publish-confirm")
        assert box is not None
        text = box.get_text(" ", strip=True)
        shipped = catalogs.shipped_guide().catalog("3-5").version
        assert f"version {shipped + 1}" in text
        assert "næste nye vurdering" in text
        assert "kan ikke trækkes tilbage" in text
        confirm = one(soup(r), "#publish-form input[name=confirm]")
        assert confirm["value"] == "1"
        assert as_user("staff").client.get("/api/v1/catalogs/3-5").json()["version"] == shipped

    def test_the_confirmed_publish_carries_the_drafts_chosen_with_it(self, admin, app):
        path = _new_draft(admin)
        other = _new_draft(admin, "6-9")
        other_id = other.rstrip("/").split("/")[-1]
        r = admin.client.post(
            f"{path}/publish", data={"csrf_token": admin.csrf_token, "with_drafts": other_id}
        )
        hidden = soup(r).select("#publish-form input[name=with_drafts]")
        assert [h["value"] for h in hidden] == [other_id]


class TestStrictForms:
    @pytest.mark.parametrize(
        "op", ["remove:²:0", "remove:0:²", "remove:99:0", "remove:0:999", "add", "explode:0:0"]
    )
    def test_a_bad_operation_is_a_danish_error_and_changes_nothing(self, admin, app, op):
        path = _new_draft(admin)
        before = _content(app, path)
        r = admin.client.post(f"{path}/form", data={"csrf_token": admin.csrf_token, "op": op})
        assert r.status_code == 422
        assert "Genindlæs siden" in r.text
        assert _content(app, path) == before

    @pytest.mark.parametrize(
        ("field", "value"),
        [("min_age_years", "²"), ("min_age_years", "tre"), ("ind-0-0-level", "9")],
    )
    def test_a_bad_field_is_a_danish_error_and_changes_nothing(self, admin, app, field, value):
        path = _new_draft(admin)
        before = _content(app, path)
        data = {"csrf_token": admin.csrf_token, field: value}
        if field.startswith("ind-"):
            data["ind-0-0-text"] = "Barnet sover godt."
        r = admin.client.post(f"{path}/form", data=data)
        assert r.status_code == 422
        assert _content(app, path) == before

    def test_a_bad_draft_to_publish_with_is_refused(self, admin):
        path = _new_draft(admin)
        r = admin.client.post(
            f"{path}/publish",
            data={"csrf_token": admin.csrf_token, "with_drafts": "²", "confirm": "1"},
        )
        assert r.status_code == 422

    @pytest.mark.parametrize(
        "text",
        [
            "id: '3-5'\nareas: [1, 2]\n",
            "areas: [1, 2]\n",
            "- 1\n- 2\n",
            "id: '3-5'\nversion: 1\ntitle: x\nmin_age_years: 3\nmax_age_years: 5\n"
            "areas:\n- id: a\n  title: A\n  indicators: [1]\n",
        ],
    )
    def test_a_draft_without_the_catalogs_shape_shows_the_file_view_not_a_500(
        self, admin, app, text
    ):
        path = _new_draft(admin)
        r = admin.client.post(f"{path}/yaml", data={"yaml": text, "csrf_token": admin.csrf_token})
        assert r.status_code == 200
        page = soup(admin.client.get(path))
        assert page.select_one("#form-unavailable") is not None
        assert soup(admin.client.get(f"{path}?tab=diff")).h1 is not None
        assert soup(admin.client.get(f"{path}?tab=preview")).h1 is not None
        r = admin.client.post(
            f"{path}/form", data={"csrf_token": admin.csrf_token, "op": "remove:0:0"}
        )
        assert r.status_code == 422
        assert "Filformat" in r.text
        assert _content(app, path) == text


class TestExport:
    def test_page_and_api_download_the_same_file(self, admin):
        page = admin.client.get("/admin/catalogs/3-5/export")
        api = admin.client.get("/api/v1/admin/catalogs/3-5/yaml")
        assert page.text == api.text
        assert page.headers["content-disposition"] == 'attachment; filename="3-5.yaml"'
        assert api.headers["content-disposition"] == page.headers["content-disposition"]


def _store_published_without_sources(app, catalog_id="3-5") -> None:
    """Make the published version look like one stored before catalogs had sources."""
    with db.session_scope(app.state.engine) as s:
        row = catalogs.published_row(s, catalog_id=catalog_id)
        assert row is not None
        data = yaml.safe_load(row.content)
        del data["sources"]
        row.content = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        row.content_sha256 = catalogs.content_hash(row.content)
        s.add(row)


class TestSources:
    def test_the_catalog_page_lists_the_published_sources_with_their_addresses(self, admin):
        shipped = catalogs.shipped_guide().catalog("3-5")

        page = soup(admin.client.get("/admin/catalogs/3-5"))

        items = page.select("#sources ol li")
        assert [li.get_text() for li in items] == shipped.sources
        links = [attr(a, "href") for a in page.select("#sources a")]
        assert "https://www.regelrytter.dk/barnets-lov" in links
        assert all(href.startswith("https://") for href in links)

    def test_saving_an_area_keeps_the_sources(self, admin, app):
        path = _new_draft(admin)
        admin.client.post(
            f"{path}/form",
            data={"csrf_token": admin.csrf_token, "area": "1", "ind-1-0-text": "Barnet smiler."},
        )
        after = yaml.safe_load(_content(app, path))
        assert after["sources"] == catalogs.shipped_guide().catalog("3-5").sources

    def test_the_sources_are_edited_one_per_line_under_om_kataloget(self, admin, app):
        path = _new_draft(admin)
        page = soup(admin.client.get(f"{path}?tab=form&area=about"))
        shown = one(page, "#catalog-about #input-sources").get_text()
        assert shown.splitlines() == catalogs.shipped_guide().catalog("3-5").sources

        admin.client.post(
            f"{path}/form",
            data={
                "csrf_token": admin.csrf_token,
                "area": "about",
                "sources": "Barnets lov § 133\n\n  Kommunens egen handleguide, https://x.dk  \n",
            },
        )

        text = _content(app, path)
        assert yaml.safe_load(text)["sources"] == [
            "Barnets lov § 133",
            "Kommunens egen handleguide, https://x.dk",
        ]
        assert parse_catalog(text).sources == yaml.safe_load(text)["sources"]

    def test_emptied_sources_are_an_error_of_the_draft_and_block_publishing(self, admin, app):
        path = _new_draft(admin)
        admin.client.post(
            f"{path}/form",
            data={"csrf_token": admin.csrf_token, "area": "about", "sources": "  \n"},
        )

        issues = soup(admin.client.get(path)).select("#draft-issues li")
        assert any("sources er tom" in li.get_text() for li in issues)
        r = admin.client.post(
            f"{path}/publish", data={"csrf_token": admin.csrf_token, "confirm": "1"}
        )
        assert r.status_code == 422
        assert (
            catalogs.shipped_guide().catalog("3-5").version
            == (admin.client.get("/api/v1/catalogs/3-5").json()["version"])
        )

    def test_a_version_stored_before_sources_still_works_and_a_draft_asks_for_them(
        self, admin, app
    ):
        _store_published_without_sources(app)

        assert admin.client.get("/api/v1/catalogs/3-5").status_code == 200
        page = soup(admin.client.get("/admin/catalogs/3-5"))
        assert page.select_one("#no-sources") is not None
        path = _new_draft(admin)
        issues = soup(admin.client.get(path)).select("#draft-issues li")
        assert any("nøglen 'sources' mangler" in li.get_text() for li in issues)

        admin.client.post(
            f"{path}/form",
            data={"csrf_token": admin.csrf_token, "area": "about", "sources": "Barnets lov"},
        )

        assert parse_catalog(_content(app, path)).sources == ["Barnets lov"]
        assert soup(admin.client.get(path)).select("#draft-issues li") == []
