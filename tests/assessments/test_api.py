"""``/api/v1/assessments``: the contract of api.md."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from sqlmodel import func, select

from app import db
from app.assessments.models import Assessment
from app.audit.models import AuditEvent
from app.catalogs import service as catalogs
from app.catalogs.models import CatalogVersion, VersionStatus
from app.db import utcnow
from app.idempotency import IdempotentRequest
from tests.accounts.test_login import csrf_from_login_page
from tests.factories import id_of, make_child

# The shipped files' versions are the first ones stored.
SHIPPED = {c.id: c.version for c in catalogs.shipped_guide().catalogs}

CONTRACT_FIELDS = {
    "id",
    "child_id",
    "created_at",
    "created_by",
    "catalog",
    "observed",
    "computed_level",
    "level",
    "level_key",
    "critical",
    "rationale",
    "recommended_actions",
    "parents_may_be_informed",
    "urgent",
    "notes",
    "resources",
    "override_reason",
    "observed_indicators",
    "acute",
    "escalated_from",
    "strengths",
}


def signs(catalog_id: str = "3-5", *, level: int, critical: bool = False) -> list[str]:
    return [
        i.id
        for i in catalogs.shipped_guide().catalog(catalog_id).indicators()
        if i.level == level and i.critical == critical
    ]


def post(user, body, key: str | None = None):
    headers = dict(user.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    return user.client.post("/api/v1/assessments", json=body, headers=headers)


def count(app, model) -> int:
    with db.session_scope(app.state.engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def child(app, org, client) -> int:
    """A four-year-old in the Nord daycare (catalog 3-5), registered by ``staff``."""
    with db.session_scope(app.state.engine) as s:
        return id_of(make_child(s, org.daycare_id, org.users["staff"], age_years=4))


class TestCreateAssessment:
    def test_anonymous_is_401(self, client, app, child):
        token = csrf_from_login_page(client)
        response = client.post(
            "/api/v1/assessments",
            json={"child_id": child, "observed": []},
            headers={"X-CSRF-Token": token},
        )
        assert response.status_code == 401

    @pytest.mark.parametrize("role", ["social", "admin"])
    def test_social_workers_and_admins_are_403(self, as_user, app, child, role):
        response = post(as_user(role), {"child_id": child, "observed": []})
        assert response.status_code == 403
        assert count(app, Assessment) == 0

    def test_without_the_csrf_header_is_403(self, as_user, app, child):
        staff = as_user("staff")
        response = staff.client.post(
            "/api/v1/assessments", json={"child_id": child, "observed": []}
        )
        assert response.status_code == 403
        assert count(app, Assessment) == 0

    @pytest.mark.parametrize("name", ["teacher", "staff_syd"])
    def test_another_institutions_child_is_404(self, as_user, app, child, name):
        response = post(as_user(name), {"child_id": child, "observed": []})
        assert response.status_code == 404
        assert count(app, Assessment) == 0

    def test_an_unknown_child_is_404(self, as_user, child):
        assert post(as_user("staff"), {"child_id": 999999, "observed": []}).status_code == 404

    def test_an_unknown_catalog_is_404(self, as_user, child):
        response = post(as_user("staff"), {"child_id": child, "observed": [], "catalog_id": "x"})
        assert response.status_code == 404

    def test_an_unknown_indicator_is_422_naming_it(self, as_user, app, child):
        body = {"child_id": child, "observed": [signs(level=2)[0], "3-5.play.no-such-sign"]}
        response = post(as_user("staff"), body)
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["details"][0]["field"] == "observed"
        assert error["details"][0]["ids"] == ["3-5.play.no-such-sign"]
        assert "3-5.play.no-such-sign" in error["message"]
        assert count(app, Assessment) == 0

    def test_an_indicator_of_another_catalog_is_422(self, as_user, child):
        foreign = signs("10-13", level=2)[0]
        response = post(as_user("staff"), {"child_id": child, "observed": [foreign]})
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["ids"] == [foreign]

    @pytest.mark.parametrize(
        ("extra", "field"),
        [
            ({"child_name": "Alma"}, "child_name"),
            ({"observed": ["x.y.z"] * 501}, "observed"),
            ({"level_override": {"level": 5, "reason": "Fordi"}}, "level_override.level"),
            ({"level_override": {"level": 3}}, "level_override.reason"),
            ({"notes": "x" * 10_001}, "notes"),
        ],
        ids=["unknown-field", "too-many-signs", "level-5", "no-reason-field", "long-notes"],
    )
    def test_a_malformed_body_is_422_naming_the_field(self, as_user, child, extra, field):
        response = post(as_user("staff"), {"child_id": child, "observed": [], **extra})
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == field

    def test_a_missing_child_id_is_422_naming_it(self, as_user, child):
        response = post(as_user("staff"), {"observed": []})
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "child_id"

    def test_an_override_without_a_reason_is_422(self, as_user, app, child):
        body = {"child_id": child, "observed": [], "level_override": {"level": 3, "reason": " "}}
        response = post(as_user("staff"), body)
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "level_override.reason"
        assert count(app, Assessment) == 0

    @pytest.mark.parametrize("level", [1, 2, 3])
    def test_a_critical_result_cannot_be_lowered(self, as_user, app, child, level):
        critical = signs(level=4, critical=True)[0]
        body = {
            "child_id": child,
            "observed": [critical],
            "level_override": {"level": level, "reason": "Forældrene har forklaret det."},
        }
        response = post(as_user("staff"), body)
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "level_override.level"
        assert count(app, Assessment) == 0

    def test_staff_store_a_finished_assessment_on_the_catalog_for_the_childs_age(
        self, as_user, app, org, child
    ):
        sign = signs(level=3)[0]
        response = post(
            as_user("staff"),
            {
                "child_id": child,
                "observed": [sign],
                "notes": "Trist.",
                "resources": "Glad for dyr.",
            },
        )
        assert response.status_code == 201
        body = response.json()
        assert set(body) >= CONTRACT_FIELDS
        assert body["child_id"] == child
        assert body["created_by"] == org.users["staff"]
        assert body["catalog"] == {"id": "3-5", "version": SHIPPED["3-5"]}
        assert body["observed"] == [sign]
        assert (body["computed_level"], body["level"], body["level_key"]) == (
            3,
            3,
            "poor_wellbeing",
        )
        assert {"parent_dialogue", "social_worker_consult"} <= set(body["recommended_actions"])
        assert body["rationale"] == [{"indicator_id": sign, "level": 3, "critical": False}]
        assert (body["notes"], body["resources"], body["override_reason"]) == (
            "Trist.",
            "Glad for dyr.",
            None,
        )
        assert (body["kind"], body["status"]) == ("single", "finished")
        assert dt.datetime.fromisoformat(body["created_at"]).utcoffset() == dt.timedelta(0)
        with db.session_scope(app.state.engine) as s:
            stored = s.get_one(Assessment, body["id"])
            assert stored is not None
            assert (stored.status, stored.level, stored.observed) == ("finished", 3, [sign])

    def test_the_leader_may_assess_too(self, as_user, child):
        assert post(as_user("leader"), {"child_id": child, "observed": []}).status_code == 201

    def test_a_named_catalog_is_used_instead_of_the_age_band(self, as_user, child):
        sign = signs("6-9", level=2)[0]
        response = post(
            as_user("staff"), {"child_id": child, "observed": [sign], "catalog_id": "6-9"}
        )
        assert response.status_code == 201
        assert response.json()["catalog"] == {"id": "6-9", "version": SHIPPED["6-9"]}
        assert response.json()["level"] == 2

    def test_a_critical_sign_means_notification_and_no_parent_dialogue(self, as_user, child):
        critical = signs(level=4, critical=True)[0]
        body = post(as_user("staff"), {"child_id": child, "observed": [critical]}).json()
        assert (body["level"], body["critical"], body["urgent"]) == (4, True, True)
        assert "notification" in body["recommended_actions"]
        assert "parent_dialogue" not in body["recommended_actions"]
        assert body["parents_may_be_informed"] is False

    def test_an_acute_sign_is_stored_as_acute_and_the_parents_may_be_told(self, as_user, child):
        body = post(
            as_user("staff"), {"child_id": child, "observed": ["3-5.care.parent-intoxicated"]}
        ).json()
        assert (body["level"], body["acute"], body["critical"], body["urgent"]) == (
            4,
            True,
            False,
            True,
        )
        assert body["parents_may_be_informed"] is True
        assert body["observed_indicators"][0]["acute"] is True
        again = as_user("leader").client.get(f"/api/v1/assessments/{body['id']}").json()
        assert again["acute"] is True

    def test_breadth_and_strengths_are_stored_with_the_assessment(self, as_user, child):
        catalog = catalogs.shipped_guide().catalog("3-5")
        first, second = catalog.areas[0], catalog.areas[1]
        raising = [
            *[i.id for i in first.indicators if i.level == 2][:2],
            next(i.id for i in second.indicators if i.level == 2),
        ]
        strength = next(i.id for i in second.indicators if i.level == 1)
        body = post(as_user("staff"), {"child_id": child, "observed": [*raising, strength]}).json()
        assert (body["level"], body["computed_level"], body["escalated_from"]) == (3, 3, 2)
        assert body["strengths"] == [strength]
        again = as_user("staff").client.get(f"/api/v1/assessments/{body['id']}").json()
        assert (again["escalated_from"], again["strengths"]) == (2, [strength])

    def test_an_assessment_stored_before_acute_breadth_and_strengths_still_reads(
        self, as_user, app, child
    ):
        body = post(as_user("staff"), {"child_id": child, "observed": signs(level=1)[:1]}).json()
        with db.session_scope(app.state.engine) as s:
            stored = s.get(Assessment, body["id"])
            assert stored is not None
            old: dict[str, Any] = dict(stored.result)
            for key in ("acute", "escalated_from", "strengths"):
                old.pop(key)
            old["observed_indicators"] = [
                {k: v for k, v in i.items() if k != "acute"} for i in old["observed_indicators"]
            ]
            stored.result = old
            s.add(stored)
        again = as_user("staff").client.get(f"/api/v1/assessments/{body['id']}").json()
        assert (again["acute"], again["escalated_from"], again["strengths"]) == (False, None, [])
        assert again["observed_indicators"][0]["acute"] is False

    def test_an_override_with_a_reason_sets_the_level_and_keeps_the_computed_one(
        self, as_user, child
    ):
        body = {
            "child_id": child,
            "observed": [signs(level=2)[0]],
            "level_override": {"level": 3, "reason": "Det har stået på i flere måneder."},
        }
        result = post(as_user("staff"), body).json()
        assert (result["computed_level"], result["level"]) == (2, 3)
        assert result["level_key"] == "poor_wellbeing"
        assert result["override_reason"] == "Det har stået på i flere måneder."
        assert "social_worker_consult" in result["recommended_actions"]

    def test_an_override_to_the_computed_level_needs_no_reason(self, as_user, child):
        body = {"child_id": child, "observed": [], "level_override": {"level": 1, "reason": ""}}
        result = post(as_user("staff"), body).json()
        assert (result["level"], result["override_reason"]) == (1, None)

    def test_a_critical_result_may_stay_at_level_4_with_a_reason(self, as_user, child):
        body = {
            "child_id": child,
            "observed": [signs(level=4, critical=True)[0]],
            "level_override": {"level": 4, "reason": "Enig."},
        }
        assert post(as_user("staff"), body).json()["level"] == 4

    def test_duplicates_count_once(self, as_user, child):
        sign = signs(level=2)[0]
        result = post(as_user("staff"), {"child_id": child, "observed": [sign, sign]}).json()
        assert result["observed"] == [sign]

    def test_the_create_is_audited_with_the_child(self, as_user, app, child):
        post(as_user("staff"), {"child_id": child, "observed": []})
        with db.session_scope(app.state.engine) as s:
            actions = set(
                s.exec(select(AuditEvent.action).where(AuditEvent.child_id == child)).all()
            )
        assert {"child:assessment:create", "child:assessment:finish"} <= actions

    def test_a_body_over_one_mebibyte_is_413(self, as_user, app, child):
        padding = "x" * (2 * 1024 * 1024)
        response = post(as_user("staff"), {"child_id": child, "observed": [], "notes": padding})
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "payload_too_large"
        assert count(app, Assessment) == 0


class TestCreateAssessmentIdempotently:
    def test_a_key_over_200_characters_is_422(self, as_user, app, child):
        response = post(as_user("staff"), {"child_id": child, "observed": []}, key="k" * 201)
        assert response.status_code == 422
        assert count(app, Assessment) == 0

    def test_the_same_key_with_another_body_is_409(self, as_user, app, child):
        staff = as_user("staff")
        assert post(staff, {"child_id": child, "observed": []}, key="pwa-1").status_code == 201
        other = {"child_id": child, "observed": [signs(level=2)[0]]}
        response = post(staff, other, key="pwa-1")
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "idempotency_key_reused"
        assert count(app, Assessment) == 1

    def test_a_retry_returns_the_same_assessment_and_stores_exactly_one(self, as_user, app, child):
        staff = as_user("staff")
        body = {"child_id": child, "observed": [signs(level=3)[0]], "notes": "Offline."}
        first = post(staff, body, key="pwa-7f3a")
        retries = [post(staff, body, key="pwa-7f3a") for _ in range(2)]
        assert first.status_code == 201
        for retry in retries:
            assert retry.status_code in (200, 201)
            assert retry.json() == first.json()
        assert count(app, Assessment) == 1
        assert count(app, IdempotentRequest) == 1

    def test_a_refused_create_can_be_retried_with_the_same_key(self, as_user, app, child):
        staff = as_user("staff")
        bad = {"child_id": child, "observed": ["3-5.play.no-such-sign"]}
        assert post(staff, bad, key="pwa-2").status_code == 422
        assert count(app, IdempotentRequest) == 0
        assert post(staff, {"child_id": child, "observed": []}, key="pwa-2").status_code == 201


class TestReadAssessment:
    @pytest.fixture
    def assessment(self, as_user, child) -> int:
        sign = signs(level=2)[0]
        return post(as_user("staff"), {"child_id": child, "observed": [sign]}).json()["id"]

    def test_anonymous_is_401(self, client, assessment):
        assert client.get(f"/api/v1/assessments/{assessment}").status_code == 401

    @pytest.mark.parametrize("role", ["social", "admin"])
    def test_social_workers_and_admins_are_403(self, as_user, assessment, role):
        assert as_user(role).client.get(f"/api/v1/assessments/{assessment}").status_code == 403

    @pytest.mark.parametrize("name", ["teacher", "staff_syd"])
    def test_another_institutions_assessment_is_404(self, as_user, assessment, name):
        assert as_user(name).client.get(f"/api/v1/assessments/{assessment}").status_code == 404

    def test_an_unknown_assessment_is_404(self, as_user, org):
        assert as_user("staff").client.get("/api/v1/assessments/999999").status_code == 404

    def test_the_leader_reads_what_staff_stored_with_indicator_texts(self, as_user, assessment):
        response = as_user("leader").client.get(f"/api/v1/assessments/{assessment}")
        assert response.status_code == 200
        body = response.json()
        assert set(body) >= CONTRACT_FIELDS
        indicator = catalogs.shipped_guide().catalog("3-5").indicator(signs(level=2)[0])
        assert body["catalog"] == {"id": "3-5", "version": SHIPPED["3-5"]}
        assert body["observed_indicators"] == [
            {
                "id": indicator.id,
                "text": indicator.text,
                "level": 2,
                "critical": False,
                "acute": False,
            }
        ]

    def test_the_read_is_audited_with_the_child(self, as_user, app, assessment, child, org):
        as_user("leader").client.get(f"/api/v1/assessments/{assessment}")
        with db.session_scope(app.state.engine) as s:
            events = s.exec(
                select(AuditEvent).where(AuditEvent.action == "child:assessment:view")
            ).all()
        assert [(e.child_id, e.actor_id, e.object_id) for e in events] == [
            (child, org.users["leader"], str(assessment))
        ]

    def test_texts_and_version_stay_those_it_was_made_with(self, as_user, app, assessment):
        sign = signs(level=2)[0]
        old_text = catalogs.shipped_guide().catalog("3-5").indicator(sign).text
        with db.session_scope(app.state.engine) as s:
            current = s.exec(
                select(CatalogVersion).where(
                    CatalogVersion.catalog_id == "3-5",
                    CatalogVersion.status == VersionStatus.PUBLISHED,
                )
            ).one()
            assert current.version is not None  # a published version has its number
            content = current.content.replace(old_text, "Ny formulering af tegnet.").replace(
                f"version: {current.version}", f"version: {current.version + 1}", 1
            )
            current.status = VersionStatus.RETIRED
            s.add(current)
            s.flush()
            s.add(
                CatalogVersion(
                    catalog_id="3-5",
                    version=SHIPPED["3-5"] + 1,
                    status=VersionStatus.PUBLISHED,
                    title=current.title,
                    min_age_years=3,
                    max_age_years=5,
                    content=content,
                    content_sha256=hashlib.sha256(content.encode()).hexdigest(),
                    published_at=utcnow(),
                )
            )
        staff = as_user("staff")
        published = staff.client.get("/api/v1/catalogs/3-5").json()
        assert published["version"] == SHIPPED["3-5"] + 1
        new_texts = [i["text"] for a in published["areas"] for i in a["indicators"]]
        assert "Ny formulering af tegnet." in new_texts
        body = staff.client.get(f"/api/v1/assessments/{assessment}").json()
        assert body["catalog"] == {"id": "3-5", "version": SHIPPED["3-5"]}
        assert body["observed_indicators"][0]["text"] == old_text


class TestOpenAPI:
    def test_create_documents_request_and_201_response(self, client):
        document = client.get("/openapi.json").json()
        operation = document["paths"]["/api/v1/assessments"]["post"]
        request = operation["requestBody"]["content"]["application/json"]["schema"]
        assert request == {"$ref": "#/components/schemas/AssessmentCreate"}
        response = operation["responses"]["201"]["content"]["application/json"]["schema"]
        assert response == {"$ref": "#/components/schemas/AssessmentRead"}
        assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]]
        create = document["components"]["schemas"]["AssessmentCreate"]
        assert create["additionalProperties"] is False
        assert set(create["required"]) == {"child_id", "observed"}
        assert (
            set(document["components"]["schemas"]["AssessmentRead"]["properties"])
            >= CONTRACT_FIELDS
        )

    def test_read_documents_its_response(self, client):
        paths = client.get("/openapi.json").json()["paths"]
        operation = paths["/api/v1/assessments/{assessment_id}"]["get"]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/AssessmentRead"}
