"""The service worker route and the offline JSON: device keys, the guide for offline use, and
the idempotent sync of a questionnaire captured on a tablet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest
from bs4 import BeautifulSoup

from app import db
from app.assessments.models import Assessment
from app.catalogs import service as catalogs
from app.db import local_today
from app.offline import assets
from tests.factories import make_child
from tests.html import one


def _catalog():
    return next(c for c in catalogs.shipped_guide().catalogs if c.id == "3-5")


def _ids(*, level: int, critical: bool = False, n: int = 1) -> list[str]:
    found = [i.id for i in _catalog().indicators() if i.level == level and i.critical == critical]
    return found[:n]


@pytest.fixture
def staff(as_user):
    return as_user("staff")


@pytest.fixture
def draft_id(app, org, staff) -> int:
    with db.session_scope(app.state.engine) as s:
        child_id = make_child(s, org.daycare_id, org.users["staff"], age_years=4).id
    response = staff.client.post(
        f"/children/{child_id}/assessments",
        data={"csrf_token": staff.csrf_token},
        follow_redirects=False,
    )
    return int(response.headers["location"].rsplit("/", 1)[1])


def _sync(user, assessment_id: int, body: Mapping[str, object], key: str | None = "k-1"):
    headers = {**user.headers, **({"Idempotency-Key": key} if key else {})}
    return user.client.post(
        f"/api/v1/offline/assessments/{assessment_id}/sync", json=body, headers=headers
    )


def _stored(app, assessment_id: int) -> Assessment:
    with db.session_scope(app.state.engine) as s:
        assessment = s.get_one(Assessment, assessment_id)
        assert assessment is not None
        s.expunge(assessment)
        return assessment


class TestServiceWorker:
    def test_is_public_at_the_root_uncached_and_versioned(self, client, app):
        response = client.get("/sw.js")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/javascript")
        assert response.headers["cache-control"] == "no-cache"
        assert f'var VERSION = "{app.state.asset_version}";' in response.text
        assert '"/static/offline.html"' in response.text
        assert "__TRIVSEL_VERSION__" not in response.text

    def test_every_precached_file_exists(self, client):
        for url in assets.PRECACHE:
            assert client.get(url).status_code == 200, url

    def test_the_version_names_the_package_and_the_static_files(self):
        version = assets.asset_version()

        assert version.startswith(assets.app_version() + "-")
        assert len(version.rsplit("-", 1)[1]) == 12

    def test_another_static_file_gives_another_version(self, tmp_path):
        (tmp_path / "a.js").write_text("1", encoding="utf-8")
        first = assets.static_hash(tmp_path)
        (tmp_path / "a.js").write_text("2", encoding="utf-8")
        assets.static_hash.cache_clear()

        assert assets.static_hash(tmp_path) != first
        assets.static_hash.cache_clear()

    def test_pages_name_the_release_they_were_rendered_by(self, staff, app):
        soup = BeautifulSoup(staff.client.get("/").text, "html.parser")

        assert one(soup, "meta[name=trivsel-version]")["content"] == app.state.asset_version
        assert one(soup, "#update-reload").get_text() == "Ny version – genindlæs"
        assert one(soup, "#outbox").has_attr("hidden")
        assert soup.select_one("script[src='/static/offline.js']") is not None


def _unicode_range(css: str, font_file: str) -> set[int]:
    """The code points of the @font-face in app.css that loads ``font_file``."""
    block = css[css.index(font_file) :]
    block = block[block.index("unicode-range:") + len("unicode-range:") :]
    ranges = block[: block.index(";")]
    points: set[int] = set()
    for part in ranges.split(","):
        low, _, high = part.strip().removeprefix("U+").partition("-")
        points.update(range(int(low, 16), int(high or low, 16) + 1))
    return points


class TestFontSubsets:
    """Pages are set in the two precached Latin1 subsets of IBM Plex Sans; a character outside
    them (an arrow, say) would make the page fetch another font file on the first visit."""

    def test_the_latin1_subsets_are_precached(self):
        for weight in ("Regular", "SemiBold"):
            name = f"IBMPlexSans-{weight}-Latin1.woff2"
            assert any(url.endswith(name) for url in assets.PRECACHE)

    def test_the_staff_members_pages_use_only_latin1(self, staff, app, org, draft_id):
        css = (assets.STATIC_DIR / "app.css").read_text(encoding="utf-8")
        latin1 = _unicode_range(css, "IBMPlexSans-Regular-Latin1.woff2")
        child_id = _stored(app, draft_id).child_id
        for url in ("/", "/children", f"/children/{child_id}", f"/assessments/{draft_id}"):
            soup = BeautifulSoup(staff.client.get(url).text, "html.parser")
            for script in soup(["script", "style"]):
                script.decompose()
            outside = {ch for ch in soup.get_text() if ord(ch) not in latin1 and not ch.isspace()}
            assert not outside, (url, outside)


class TestDeviceKey:
    def test_refused_without_a_session(self, client):
        assert client.get("/api/v1/offline/device-key").status_code == 401

    def test_each_user_has_their_own_stable_key_never_cached(self, as_user, org):
        first = as_user("staff").client.get("/api/v1/offline/device-key")
        again = as_user("staff").client.get("/api/v1/offline/device-key")
        other = as_user("leader").client.get("/api/v1/offline/device-key")

        assert first.headers["cache-control"] == "no-store"
        assert first.json() == again.json()
        assert first.json()["key"] != other.json()["key"]
        assert first.json()["owner"] != other.json()["owner"]
        assert str(org.users["staff"]) not in first.json()["owner"]
        assert len(first.json()["key"]) == 43  # 32 bytes, base64url without padding

    def test_the_questionnaire_carries_its_owners_key_and_is_never_cached(self, staff, draft_id):
        key = staff.client.get("/api/v1/offline/device-key").json()
        page = staff.client.get(f"/assessments/{draft_id}")
        form = one(BeautifulSoup(page.text, "html.parser"), "#assessment-form")

        assert page.headers["cache-control"] == "no-store"
        assert (form["data-device-key"], form["data-device-owner"]) == (key["key"], key["owner"])

    def test_other_pages_do_not_carry_a_key(self, staff, app, draft_id):
        child_id = _stored(app, draft_id).child_id
        for url in ("/", "/children", f"/children/{child_id}"):
            assert "data-device-key" not in staff.client.get(url).text, url


class TestGuide:
    def test_refused_without_a_session(self, client):
        assert client.get("/api/v1/offline/guide").status_code == 401

    @pytest.mark.parametrize(
        ("username", "expected"),
        [
            ("staff", ["0-2", "3-5"]),
            ("teacher", ["6-9", "10-13", "14-17"]),
            ("social", []),
            ("admin", []),
        ],
    )
    def test_lists_the_catalogs_of_the_users_institution(self, as_user, username, expected):
        response = as_user(username).client.get("/api/v1/offline/guide")

        assert response.status_code == 200
        assert response.headers["cache-control"] == "private, no-cache"
        body = response.json()
        assert [c["id"] for c in body["catalogs"]] == expected
        assert [level["level"] for level in body["levels"]["levels"]] == [1, 2, 3, 4]
        for entry in body["catalogs"]:
            assert entry["url"] == f"/api/v1/offline/catalogs/{entry['id']}/{entry['version']}"

    def test_a_catalog_version_has_every_threshold_and_indicator(self, staff):
        body = staff.client.get(f"/api/v1/offline/catalogs/3-5/{_catalog().version}").json()

        assert body["thresholds"] == {"2": 1, "3": 1, "4": 1}
        ids = [i["id"] for area in body["areas"] for i in area["indicators"]]
        assert ids == [i.id for i in _catalog().indicators()]

    def test_an_unknown_version_is_404(self, staff):
        assert staff.client.get("/api/v1/offline/catalogs/3-5/99").status_code == 404


class TestSync:
    def test_refused_without_the_csrf_token(self, staff, draft_id):
        response = staff.client.post(
            f"/api/v1/offline/assessments/{draft_id}/sync", json={"observed": []}
        )
        assert response.status_code == 403

    def test_refused_for_someone_elses_draft(self, as_user, draft_id):
        response = _sync(as_user("leader"), draft_id, {"observed": []})
        assert response.status_code in (403, 404)

    def test_unknown_fields_are_422(self, staff, draft_id):
        response = _sync(staff, draft_id, {"observed": [], "child_name": "Alma"})
        assert response.status_code == 422

    def test_saves_the_draft_as_captured(self, staff, app, draft_id):
        observed = _ids(level=2, n=2)
        response = _sync(staff, draft_id, {"observed": observed, "notes": "Træt i flere uger."})

        assert response.status_code == 200
        assert (response.json()["status"], response.json()["computed_level"]) == ("draft", 2)
        stored = _stored(app, draft_id)
        assert (set(stored.observed), stored.notes) == (set(observed), "Træt i flere uger.")

    def test_finishes_with_the_servers_result_once_per_key(self, staff, app, draft_id):
        body = {
            "observed": _ids(level=3) + _ids(level=2),
            "notes": "Sover om dagen.",
            "resources": "Glad for at tegne.",
            "finish": {"level": 3, "reason": "", "follow_up_on": None},
        }
        first = _sync(staff, draft_id, body, key="record-1:4")
        again = _sync(staff, draft_id, body, key="record-1:4")

        assert first.status_code == again.status_code == 200
        assert first.json() == again.json()
        assert (first.json()["status"], first.json()["level"]) == ("finished", 3)
        assert first.json()["recommended_actions"] == ["parent_dialogue", "social_worker_consult"]
        stored = _stored(app, draft_id)
        assert (stored.status, stored.notes, stored.resources) == (
            "finished",
            "Sover om dagen.",
            "Glad for at tegne.",
        )

    def test_a_finished_draft_without_the_same_key_is_refused(self, staff, draft_id):
        body = {"observed": [], "finish": {"level": 1}}
        assert _sync(staff, draft_id, body, key="a").status_code == 200

        assert _sync(staff, draft_id, body, key="b").status_code in (404, 409)

    def test_an_override_without_a_reason_is_refused_and_nothing_is_finished(
        self, staff, app, draft_id
    ):
        body = {"observed": _ids(level=2), "finish": {"level": 4, "reason": " "}}
        response = _sync(staff, draft_id, body)

        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "level_override.reason"
        assert _stored(app, draft_id).status == "draft"

    def test_an_override_with_a_reason_and_a_follow_up_date(self, staff, draft_id):
        follow_up = (local_today() + dt.timedelta(days=14)).isoformat()
        body = {
            "observed": _ids(level=2),
            "finish": {"level": 3, "reason": "Flere tegn hjemme.", "follow_up_on": follow_up},
        }
        response = _sync(staff, draft_id, body)

        assert response.status_code == 200
        assert (response.json()["level"], response.json()["computed_level"]) == (3, 2)
        assert response.json()["follow_up_on"] == follow_up
        assert response.json()["override_reason"] == "Flere tegn hjemme."

    def test_a_critical_sign_cannot_be_finished_below_level_4(self, staff, draft_id):
        body = {"observed": _ids(level=4, critical=True), "finish": {"level": 2, "reason": "x"}}
        assert _sync(staff, draft_id, body).status_code == 422

    def test_works_without_an_idempotency_key(self, staff, draft_id):
        assert _sync(staff, draft_id, {"observed": []}, key=None).status_code == 200


class TestQuestionnaireForOffline:
    def test_the_form_names_its_offline_sources(self, staff, draft_id):
        soup = BeautifulSoup(staff.client.get(f"/assessments/{draft_id}").text, "html.parser")
        form = one(soup, "#assessment-form")

        assert form["data-offline-assessment"] == str(draft_id)
        assert form["data-sync-url"] == f"/api/v1/offline/assessments/{draft_id}/sync"
        assert form["data-catalog-src"] == f"/api/v1/offline/catalogs/3-5/{_catalog().version}"
        assert form["data-detail-url"] == f"/assessments/{draft_id}"
        assert soup.select_one("script[src='/static/guide-engine.js']") is not None
