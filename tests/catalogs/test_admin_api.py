"""Catalog administration through the API: drafts, publishing, conflicts, coverage, export."""

from __future__ import annotations

import pytest
import yaml
from sqlmodel import select

from app import db
from app.audit.models import AuditEvent
from app.catalogs.service import shipped_guide

BASE = "/api/v1/admin/catalogs"
# The shipped file's version is the first version stored; an admin's publish makes the next.
SHIPPED = shipped_guide().catalog("3-5").version


def _yaml(admin, catalog_id="3-5") -> str:
    r = admin.client.get(f"{BASE}/{catalog_id}/yaml")
    assert r.status_code == 200
    return r.text


def _draft(admin, text, catalog_id="3-5"):
    return admin.client.post(
        f"{BASE}/{catalog_id}/drafts", json={"yaml": text}, headers=admin.headers
    )


def _publish(admin, draft_id, catalog_id="3-5", with_drafts=None):
    body = {"with_drafts": with_drafts} if with_drafts else None
    return admin.client.post(
        f"{BASE}/{catalog_id}/drafts/{draft_id}/publish", json=body, headers=admin.headers
    )


def _edit(text: str, change) -> str:
    data = yaml.safe_load(text)
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


class TestAccess:
    @pytest.mark.parametrize("name", ["staff", "leader", "social"])
    def test_everyone_but_admins_gets_403(self, as_user, name):
        user = as_user(name)
        assert user.client.get(f"{BASE}/3-5/yaml").status_code == 403
        assert user.client.get(f"{BASE}/3-5/versions").status_code == 403
        r = user.client.post(f"{BASE}/3-5/drafts", json={"yaml": "x"}, headers=user.headers)
        assert r.status_code == 403


class TestExportAndVersions:
    def test_yaml_export_is_the_published_version_in_the_file_format(self, as_user):
        text = _yaml(as_user("admin"))
        data = yaml.safe_load(text)
        assert (data["id"], data["version"]) == ("3-5", SHIPPED)
        assert list(data)[:3] == ["id", "version", "title"]

    def test_versions_list_the_published_one(self, as_user):
        [row] = as_user("admin").client.get(f"{BASE}/3-5/versions").json()
        assert (row["version"], row["status"]) == (SHIPPED, "published")

    def test_unknown_catalog_is_404(self, as_user):
        assert as_user("admin").client.get(f"{BASE}/9-99/yaml").status_code == 404


class TestDrafts:
    def test_invalid_yaml_is_422_with_the_line_and_nothing_is_stored(self, as_user):
        admin = as_user("admin")
        text = _yaml(admin)
        broken = text.replace("level: 2", "level: 7", 1)
        line = (
            broken.splitlines().index(next(ln for ln in broken.splitlines() if "level: 7" in ln))
            + 1
        )
        r = _draft(admin, broken)
        assert r.status_code == 422
        [detail] = r.json()["error"]["details"]
        assert detail["line"] == line
        assert detail["path"].endswith(".level")
        versions = admin.client.get(f"{BASE}/3-5/versions").json()
        assert [v["status"] for v in versions] == ["published"]

    def test_malformed_yaml_names_its_line(self, as_user):
        r = _draft(as_user("admin"), "id: '3-5'\nversion: [1\n")
        assert r.status_code == 422
        assert r.json()["error"]["details"][0]["line"] is not None

    def test_a_draft_of_another_catalog_id_is_refused(self, as_user):
        admin = as_user("admin")
        r = _draft(admin, _yaml(admin, "0-2"), catalog_id="3-5")
        assert r.status_code == 422

    def test_valid_draft_is_201_based_on_the_published_version(self, as_user):
        r = _draft(as_user("admin"), _yaml(as_user("admin")))
        assert r.status_code == 201
        assert r.json()["based_on_version"] == SHIPPED


class TestPublish:
    def test_publish_makes_the_next_version_and_old_assessments_keep_their_texts(
        self, as_user, app, org
    ):
        admin = as_user("admin")
        staff = as_user("staff")
        child = staff.client.post(
            "/api/v1/children",
            json={"first_name": "Alma", "last_name": "Jensen", "birth_date": "2022-03-04"},
            headers=staff.headers,
        ).json()
        text = _yaml(admin)
        data = yaml.safe_load(text)
        first = data["areas"][0]["indicators"][0]
        old_text = first["text"]
        made = staff.client.post(
            "/api/v1/assessments",
            json={"child_id": child["id"], "observed": [first["id"]]},
            headers=staff.headers,
        ).json()

        def change(d):
            d["areas"][0]["indicators"][0]["text"] = "Barnet har en ny og bedre formulering."
            d["areas"][0]["indicators"].pop(1)  # remove an indicator

        draft = _draft(admin, _edit(text, change)).json()
        r = _publish(admin, draft["draft_id"])
        assert r.status_code == 200
        assert r.json() == {"id": "3-5", "version": SHIPPED + 1}
        assert staff.client.get("/api/v1/catalogs/3-5").json()["version"] == SHIPPED + 1
        old = staff.client.get(f"/api/v1/assessments/{made['id']}").json()
        assert old["catalog"] == {"id": "3-5", "version": SHIPPED}
        assert old["observed_indicators"][0]["text"] == old_text
        statuses = [
            (v["version"], v["status"]) for v in admin.client.get(f"{BASE}/3-5/versions").json()
        ]
        assert statuses == [(SHIPPED + 1, "published"), (SHIPPED, "retired")]
        with db.session_scope(app.state.engine) as s:
            event = s.exec(select(AuditEvent).where(AuditEvent.action == "catalog:publish")).one()
            assert event.actor_username == "admin"

    def test_second_of_two_concurrent_drafts_is_a_conflict_not_a_silent_loss(self, as_user):
        admin = as_user("admin")
        other_admin = as_user("admin")
        text = _yaml(admin)
        first = _draft(admin, _edit(text, lambda d: d.update(title="Titel A"))).json()
        second = _draft(other_admin, _edit(text, lambda d: d.update(title="Titel B"))).json()
        assert _publish(admin, first["draft_id"]).status_code == 200
        r = _publish(other_admin, second["draft_id"])
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "publish_conflict"
        assert admin.client.get("/api/v1/catalogs/3-5").json()["title"] == "Titel A"

    def test_publishing_a_gap_in_the_age_bands_is_422(self, as_user):
        admin = as_user("admin")
        draft = _draft(admin, _edit(_yaml(admin), lambda d: d.update(max_age_years=4))).json()
        r = _publish(admin, draft["draft_id"])
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "coverage"
        assert admin.client.get("/api/v1/catalogs/3-5").json()["version"] == SHIPPED

    def test_an_age_band_split_is_published_together(self, as_user):
        admin = as_user("admin")
        text = _yaml(admin)
        shrunk = _draft(admin, _edit(text, lambda d: d.update(max_age_years=4))).json()

        def new_band(d):
            d.update(id="5-5", title="Børn 5 år (førskole)", min_age_years=5, max_age_years=5)
            for area in d["areas"]:
                for indicator in area["indicators"]:
                    indicator["id"] = indicator["id"].replace("3-5.", "5-5.", 1)

        new = _draft(admin, _edit(text, new_band), catalog_id="5-5")
        assert new.status_code == 201
        assert new.json()["based_on_version"] is None
        alone = _publish(admin, new.json()["draft_id"], catalog_id="5-5")
        assert alone.status_code == 422  # overlaps 3-5 alone
        together = _publish(admin, shrunk["draft_id"], with_drafts=[new.json()["draft_id"]])
        assert together.status_code == 200
        bands = [
            (c["id"], c["min_age_years"], c["max_age_years"])
            for c in admin.client.get("/api/v1/catalogs").json()
        ]
        assert ("3-5", 3, 4) in bands
        assert ("5-5", 5, 5) in bands
        assert admin.client.get("/api/v1/catalogs/for-age/5").json()["id"] == "5-5"

    def test_unknown_draft_is_404(self, as_user):
        assert _publish(as_user("admin"), 99999).status_code == 404


class TestOldWorkSurvivesANewVersion:
    def test_a_draft_started_on_v1_finishes_on_v1_even_when_its_sign_was_removed(self, as_user):
        admin = as_user("admin")
        staff = as_user("staff")
        child = staff.client.post(
            "/api/v1/children",
            json={"first_name": "Bo", "last_name": "Holm", "birth_date": "2022-03-04"},
            headers=staff.headers,
        ).json()
        text = _yaml(admin)
        data = yaml.safe_load(text)
        area = data["areas"][2]
        sign = next(i for i in area["indicators"] if i["level"] == 2)
        # A staff member starts a draft on version 1 and ticks the sign.
        r = staff.client.post(
            f"/children/{child['id']}/assessments",
            data={"csrf_token": staff.csrf_token},
            follow_redirects=False,
        )
        draft_path = r.headers["location"].split("?")[0]
        staff.client.post(
            f"{draft_path}/observations",
            data={"indicator_id": sign["id"], "observed": "1", "csrf_token": staff.csrf_token},
        )
        # An admin publishes version 2 without that sign.
        area["indicators"].remove(sign)
        new = _draft(admin, yaml.safe_dump(data, allow_unicode=True, sort_keys=False)).json()
        assert _publish(admin, new["draft_id"]).status_code == 200
        # The draft finishes on version 1, and the result keeps the removed sign's text.
        r = staff.client.post(
            f"{draft_path}/finish",
            # Level 2: the finish step asks for a focus point (issue 13).
            data={"csrf_token": staff.csrf_token, "confirmed": "1", "fp_text": "Fast voksen"},
            follow_redirects=False,
        )
        assert r.status_code == 303
        assessment_id = int(draft_path.rstrip("/").split("/")[-1])
        result = staff.client.get(f"/api/v1/assessments/{assessment_id}").json()
        assert result["catalog"] == {"id": "3-5", "version": SHIPPED}
        assert [i["text"] for i in result["observed_indicators"]] == [sign["text"]]
        assert result["level"] == 2
        # A new assessment uses version 2.
        fresh = staff.client.post(
            "/api/v1/assessments",
            json={"child_id": child["id"], "observed": []},
            headers=staff.headers,
        ).json()
        assert fresh["catalog"] == {"id": "3-5", "version": SHIPPED + 1}
