"""The admins' catalog pages: drafts in the form and YAML editors, diff, preview, publish."""

from __future__ import annotations

import pytest
import yaml
from bs4 import BeautifulSoup
from sqlmodel import select

from app import db
from app.catalogs.models import CatalogVersion
from app.catalogs.service import shipped_guide
from tests.html import attr, one

# The shipped file's version is the first version stored; an admin's publish makes the next.
SHIPPED = shipped_guide().catalog("3-5").version


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def _new_draft(admin, catalog_id="3-5"):
    r = admin.client.post(
        f"/admin/catalogs/{catalog_id}/drafts",
        data={"csrf_token": admin.csrf_token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    return r.headers["location"].split("?")[0]


def _content(app, draft_path) -> str:
    draft_id = int(draft_path.rstrip("/").split("/")[-1])
    with db.session_scope(app.state.engine) as s:
        return s.get_one(CatalogVersion, draft_id).content


class TestAccess:
    @pytest.mark.parametrize("name", ["staff", "leader", "social"])
    def test_only_admins(self, as_user, name):
        assert as_user(name).client.get("/admin/catalogs").status_code == 403
        assert as_user(name).client.get("/admin/catalogs/3-5").status_code == 403

    def test_admin_sees_every_catalog(self, as_user):
        page = soup(as_user("admin").client.get("/admin/catalogs"))
        ids = [tr["id"] for tr in page.select("#catalog-table tbody tr")]
        assert ids == [
            "catalog-0-2",
            "catalog-3-5",
            "catalog-6-9",
            "catalog-10-13",
            "catalog-14-17",
        ]


class TestYamlEditor:
    def test_invalid_yaml_is_kept_and_its_line_shown(self, as_user, app):
        admin = as_user("admin")
        path = _new_draft(admin)
        broken = _content(app, path).replace("level: 2", "level: 9", 1)
        r = admin.client.post(
            f"{path}/yaml",
            data={"yaml": broken, "csrf_token": admin.csrf_token},
            headers={"HX-Request": "true"},
        )
        assert r.status_code == 200
        issues = soup(r).select("#draft-issues li")
        assert issues
        assert attr(issues[0], "data-line").isdigit()
        assert _content(app, path) == broken  # nothing typed is lost
        r = admin.client.post(
            f"{path}/publish", data={"csrf_token": admin.csrf_token, "confirm": "1"}
        )
        assert r.status_code == 422
        assert soup(r).select_one("#publish-error") is not None

    def test_without_javascript_the_yaml_form_saves_and_returns(self, as_user, app):
        admin = as_user("admin")
        path = _new_draft(admin)
        text = _content(app, path).replace("title: Børn 3–5 år", "title: Børn 3-5 år (ny)", 1)
        r = admin.client.post(
            f"{path}/yaml",
            data={"yaml": text, "csrf_token": admin.csrf_token},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert "(ny)" in _content(app, path)


class TestFormEditor:
    def test_edit_text_level_and_critical_of_an_indicator(self, as_user, app):
        admin = as_user("admin")
        path = _new_draft(admin)
        page = soup(admin.client.get(path))
        assert page.select_one("#input-ind-0-0-text") is not None
        r = admin.client.post(
            f"{path}/form",
            data={
                "csrf_token": admin.csrf_token,
                "ind-0-0-text": "Barnet sover godt og vågner glad.",
                "ind-0-0-level": "1",
            },
            headers={"HX-Request": "true"},
        )
        assert r.status_code == 200
        data = yaml.safe_load(_content(app, path))
        assert data["areas"][0]["indicators"][0]["text"] == "Barnet sover godt og vågner glad."

    def test_mark_a_level_4_sign_acute_and_never_both_critical_and_acute(self, as_user, app):
        admin = as_user("admin")
        path = _new_draft(admin)
        data = yaml.safe_load(_content(app, path))
        i, sign = next(
            (n, s) for n, s in enumerate(data["areas"][0]["indicators"]) if s["level"] == 4
        )
        fields = {
            "csrf_token": admin.csrf_token,
            f"ind-0-{i}-text": sign["text"],
            f"ind-0-{i}-level": "4",
            f"ind-0-{i}-acute": "1",
        }
        admin.client.post(f"{path}/form", data=fields, headers={"HX-Request": "true"})
        saved = yaml.safe_load(_content(app, path))["areas"][0]["indicators"][i]
        assert (saved.get("acute"), saved.get("critical")) == (True, None)
        page = soup(admin.client.get(f"{path}?tab=form&area=0"))
        assert one(page, f"#input-ind-0-{i}-acute").has_attr("checked")
        admin.client.post(
            f"{path}/form",
            data={**fields, f"ind-0-{i}-critical": "1"},
            headers={"HX-Request": "true"},
        )
        issues = [
            li.get_text(" ", strip=True)
            for li in soup(admin.client.get(path)).select("#draft-issues li")
        ]
        assert any("ikke begge dele" in issue for issue in issues)

    def test_move_remove_and_add(self, as_user, app):
        admin = as_user("admin")
        path = _new_draft(admin)
        before = yaml.safe_load(_content(app, path))["areas"][0]["indicators"]
        admin.client.post(f"{path}/form", data={"csrf_token": admin.csrf_token, "op": "down:0:0"})
        after = yaml.safe_load(_content(app, path))["areas"][0]["indicators"]
        assert [after[0]["id"], after[1]["id"]] == [before[1]["id"], before[0]["id"]]
        admin.client.post(f"{path}/form", data={"csrf_token": admin.csrf_token, "op": "remove:0:0"})
        assert len(yaml.safe_load(_content(app, path))["areas"][0]["indicators"]) == (
            len(before) - 1
        )
        admin.client.post(f"{path}/form", data={"csrf_token": admin.csrf_token, "op": "add:0"})
        added = yaml.safe_load(_content(app, path))["areas"][0]["indicators"][-1]
        assert added["id"].startswith("3-5.health.nyt-tegn-")
        page = soup(admin.client.get(path))
        assert page.select("#draft-issues li")  # the new sign has no text yet


class TestDiffPreviewPublish:
    def test_level_change_is_highlighted_preview_evaluates_and_publish_makes_version_2(
        self, as_user, app
    ):
        admin = as_user("admin")
        path = _new_draft(admin)
        text = _content(app, path)
        data = yaml.safe_load(text)
        first = data["areas"][0]["indicators"][0]
        data["areas"][0]["indicators"][0]["level"] = 1
        # Keep every area valid: move a level-2 sign in the same area to level 1? No: change
        # a level-3 sign to level 2 in an area with several level-3 signs.
        area = data["areas"][1]
        three = [i for i in area["indicators"] if i["level"] == 3]
        three[0]["level"] = 2
        admin.client.post(
            f"{path}/yaml",
            data={
                "yaml": yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                "csrf_token": admin.csrf_token,
            },
        )
        diff_page = soup(admin.client.get(f"{path}?tab=diff"))
        assert diff_page.select(".diff-level-changed")
        critical = next(
            i["id"] for a in data["areas"] for i in a["indicators"] if i.get("critical")
        )
        preview = soup(
            admin.client.post(
                f"{path}/preview",
                data={"csrf_token": admin.csrf_token, "observed": [critical, first["id"]]},
            )
        )
        assert "Niveau 4" in one(preview, "#preview-result").text
        r = admin.client.post(
            f"{path}/publish", data={"csrf_token": admin.csrf_token, "confirm": "1"}
        )
        assert r.status_code == 200
        assert soup(r).select_one("#published-notice") is not None
        staff = as_user("staff")
        assert staff.client.get("/api/v1/catalogs/3-5").json()["version"] == SHIPPED + 1
        history = soup(admin.client.get("/admin/catalogs/3-5"))
        assert [li["data-status"] for li in history.select("#versions > li")] == [
            "published",
            "retired",
        ]


class TestUploadAndShipped:
    def test_an_upload_with_errors_changes_nothing(self, as_user, app):
        admin = as_user("admin")
        r = admin.client.post(
            "/admin/catalogs/3-5/drafts",
            data={"csrf_token": admin.csrf_token},
            files={"file": ("3-5.yaml", b"id: '3-5'\nversion: 1\nareas: []\n", "text/yaml")},
        )
        assert r.status_code == 422
        assert soup(r).select_one("#upload-errors") is not None
        with db.session_scope(app.state.engine) as s:
            assert (
                s.exec(select(CatalogVersion).where(CatalogVersion.status == "draft")).all() == []
            )

    def test_export_downloads_the_published_yaml(self, as_user):
        r = as_user("admin").client.get("/admin/catalogs/3-5/export")
        assert r.headers["content-type"].startswith("text/yaml")
        assert yaml.safe_load(r.text)["id"] == "3-5"

    def test_a_newer_shipped_version_is_offered_not_forced(self, as_user, app):
        admin = as_user("admin")  # starts the app, which imports the shipped catalogs
        with db.session_scope(app.state.engine) as s:
            row = s.exec(select(CatalogVersion).where(CatalogVersion.catalog_id == "3-5")).one()
            row.shipped_version = 0  # as if the shipped file were newer than what we have
            row.source = "admin"  # an admin has published their own version
        page = soup(admin.client.get("/admin/catalogs/3-5"))
        assert page.select_one("#shipped-notice") is not None
        r = admin.client.post(
            "/admin/catalogs/3-5/drafts",
            data={"csrf_token": admin.csrf_token, "adopt": "1"},
            follow_redirects=False,
        )
        assert r.status_code == 303
        with db.session_scope(app.state.engine) as s:
            published = s.exec(
                select(CatalogVersion).where(
                    CatalogVersion.status == "published", CatalogVersion.catalog_id == "3-5"
                )
            ).one()
            assert published.version == SHIPPED


class TestNewCatalog:
    def test_pasted_yaml_for_a_new_band_becomes_a_draft_and_errors_change_nothing(
        self, as_user, app
    ):
        admin = as_user("admin")
        text = admin.client.get("/admin/catalogs/3-5/export").text
        data = yaml.safe_load(text)
        data.update(id="5-5", min_age_years=5, max_age_years=5)
        for area in data["areas"]:
            for indicator in area["indicators"]:
                indicator["id"] = indicator["id"].replace("3-5.", "5-5.", 1)
        r = admin.client.post(
            "/admin/catalogs/new",
            data={
                "csrf_token": admin.csrf_token,
                "yaml": yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        assert "/admin/catalogs/5-5/drafts/" in r.headers["location"]
        bad = admin.client.post(
            "/admin/catalogs/new", data={"csrf_token": admin.csrf_token, "yaml": "title: uden id\n"}
        )
        assert bad.status_code == 422
        assert soup(bad).select_one("#new-errors") is not None
