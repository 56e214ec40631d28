"""``/api/v1/levels``, ``/api/v1/catalogs`` and ``/api/v1/evaluate``: the contract of api.md."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from app import db
from app.assessments.models import Assessment
from app.catalogs import service as catalogs
from tests.accounts.test_login import csrf_from_login_page

ROLES = ["staff", "leader", "teacher", "social", "admin"]
LEVEL_KEYS = ["general_wellbeing", "declining_wellbeing", "poor_wellbeing", "serious_problems"]


def shipped(catalog_id: str):
    return catalogs.shipped_guide().catalog(catalog_id)


def ids_of(catalog_id: str, *, level: int, critical: bool = False) -> list[str]:
    return [
        i.id
        for i in shipped(catalog_id).indicators()
        if i.level == level and i.critical == critical
    ]


def evaluate(user, body):
    return user.client.post("/api/v1/evaluate", json=body, headers=user.headers)


class TestLevels:
    def test_anonymous_is_401(self, client, org):
        response = client.get("/api/v1/levels")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"

    @pytest.mark.parametrize("role", ROLES)
    def test_every_logged_in_role_may_read_them(self, as_user, role):
        assert as_user(role).client.get("/api/v1/levels").status_code == 200

    def test_four_levels_in_order_with_the_contract_fields(self, as_user):
        levels = as_user("staff").client.get("/api/v1/levels").json()
        assert [level["level"] for level in levels] == [1, 2, 3, 4]
        assert [level["key"] for level in levels] == LEVEL_KEYS
        assert [level["name"] for level in levels] == [
            "Generel trivsel",
            "Faldende trivsel",
            "Mistrivsel",
            "Svære problemer",
        ]
        for level in levels:
            assert {"level", "key", "name", "color", "description"} <= set(level)
            assert level["color"].startswith("#")
            assert level["description"]

    def test_each_level_carries_at_least_the_actions_api_md_promises(self, as_user):
        levels = as_user("staff").client.get("/api/v1/levels").json()
        actions = {level["level"]: set(level["actions"]) for level in levels}
        assert "continue_universal" in actions[1]
        assert "parent_dialogue" in actions[2]
        assert {"parent_dialogue", "social_worker_consult"} <= actions[3]
        assert "notification" in actions[4]


class TestListCatalogs:
    def test_anonymous_is_401(self, client, org):
        assert client.get("/api/v1/catalogs").status_code == 401

    @pytest.mark.parametrize("role", ROLES)
    def test_every_logged_in_role_may_list_them(self, as_user, role):
        assert as_user(role).client.get("/api/v1/catalogs").status_code == 200

    def test_published_catalogs_youngest_first_with_the_contract_fields(self, as_user):
        listed = as_user("staff").client.get("/api/v1/catalogs").json()
        assert [c["id"] for c in listed] == ["0-2", "3-5", "6-9", "10-13", "14-17"]
        for entry in listed:
            assert set(entry) == {"id", "version", "title", "min_age_years", "max_age_years"}
            assert entry["version"] == shipped(entry["id"]).version
            assert entry["title"] == shipped(entry["id"]).title

    def test_bands_cover_ages_0_to_17_exactly_once(self, as_user):
        listed = as_user("staff").client.get("/api/v1/catalogs").json()
        covered = [age for c in listed for age in range(c["min_age_years"], c["max_age_years"] + 1)]
        assert sorted(covered) == list(range(18))


class TestCatalogForAge:
    def test_anonymous_is_401(self, client, org):
        assert client.get("/api/v1/catalogs/for-age/4").status_code == 401

    @pytest.mark.parametrize("years", [18, -1])
    def test_ages_outside_0_to_17_are_404(self, as_user, years):
        response = as_user("staff").client.get(f"/api/v1/catalogs/for-age/{years}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"

    def test_an_age_that_is_not_a_whole_number_is_422(self, as_user):
        response = as_user("staff").client.get("/api/v1/catalogs/for-age/fire")
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "path.years"

    @pytest.mark.parametrize(
        ("years", "catalog_id"), [(0, "0-2"), (2, "0-2"), (3, "3-5"), (17, "14-17")]
    )
    def test_the_band_boundaries_belong_to_their_catalog(self, as_user, years, catalog_id):
        response = as_user("social").client.get(f"/api/v1/catalogs/for-age/{years}")
        assert response.status_code == 200
        body = response.json()
        assert body["id"] == catalog_id
        assert body["min_age_years"] <= years <= body["max_age_years"]
        assert body["areas"]


class TestReadCatalog:
    def test_anonymous_is_401(self, client, org):
        assert client.get("/api/v1/catalogs/3-5").status_code == 401

    def test_an_unknown_catalog_is_404(self, as_user):
        response = as_user("staff").client.get("/api/v1/catalogs/99-100")
        assert response.status_code == 404
        assert set(response.json()["error"]) == {"code", "message", "details"}

    @pytest.mark.parametrize("role", ROLES)
    def test_every_logged_in_role_may_read_one(self, as_user, role):
        assert as_user(role).client.get("/api/v1/catalogs/3-5").status_code == 200

    def test_the_published_version_with_areas_and_indicators_in_catalog_order(self, as_user):
        body = as_user("staff").client.get("/api/v1/catalogs/3-5").json()
        catalog = shipped("3-5")
        assert set(body) == {
            "id",
            "version",
            "title",
            "min_age_years",
            "max_age_years",
            "areas",
        }
        assert (body["id"], body["version"], body["min_age_years"], body["max_age_years"]) == (
            "3-5",
            catalog.version,
            3,
            5,
        )
        assert [a["id"] for a in body["areas"]] == [a.id for a in catalog.areas]
        first = body["areas"][0]
        assert set(first) == {"id", "title", "indicators"}
        assert set(first["indicators"][0]) == {"id", "text", "level", "critical", "acute"}
        indicators = [i for a in body["areas"] for i in a["indicators"]]
        assert [i["id"] for i in indicators] == [i.id for i in catalog.indicators()]
        assert any(i["critical"] for i in indicators)
        assert [i["id"] for i in indicators if i["acute"]] == ["3-5.care.parent-intoxicated"]
        assert not any(i["critical"] and i["acute"] for i in indicators)

    def test_indicator_ids_are_unique_across_all_catalogs(self, as_user):
        user = as_user("staff")
        ids = [
            indicator["id"]
            for entry in user.client.get("/api/v1/catalogs").json()
            for area in user.client.get(f"/api/v1/catalogs/{entry['id']}").json()["areas"]
            for indicator in area["indicators"]
        ]
        assert len(ids) == len(set(ids)) > 0


class TestEvaluate:
    def test_anonymous_is_401(self, client, org):
        token = csrf_from_login_page(client)
        response = client.post(
            "/api/v1/evaluate",
            json={"catalog_id": "3-5", "observed": []},
            headers={"X-CSRF-Token": token},
        )
        assert response.status_code == 401

    def test_without_the_csrf_header_is_403(self, as_user):
        user = as_user("staff")
        response = user.client.post("/api/v1/evaluate", json={"catalog_id": "3-5", "observed": []})
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "csrf_failed"

    def test_an_unknown_catalog_is_404(self, as_user):
        response = evaluate(as_user("staff"), {"catalog_id": "99-100", "observed": []})
        assert response.status_code == 404

    def test_an_unknown_indicator_is_422_naming_it(self, as_user):
        known = ids_of("3-5", level=2)[0]
        response = evaluate(
            as_user("staff"), {"catalog_id": "3-5", "observed": [known, "3-5.health.no-such"]}
        )
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["details"][0]["field"] == "observed"
        assert error["details"][0]["ids"] == ["3-5.health.no-such"]
        assert "3-5.health.no-such" in error["message"]

    def test_an_indicator_of_another_catalog_is_422_naming_it(self, as_user):
        foreign = ids_of("6-9", level=3)[0]
        response = evaluate(as_user("staff"), {"catalog_id": "3-5", "observed": [foreign]})
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["ids"] == [foreign]

    @pytest.mark.parametrize(
        "body",
        [
            {"catalog_id": "3-5", "observed": [], "child_id": 1},
            {"catalog_id": "3-5"},
            {"observed": []},
            {"catalog_id": "3-5", "observed": "3-5.health.x"},
        ],
        ids=["unknown-field", "no-observed", "no-catalog", "observed-not-a-list"],
    )
    def test_a_malformed_body_is_422(self, as_user, body):
        response = evaluate(as_user("staff"), body)
        assert response.status_code == 422
        assert response.json()["error"]["details"]

    def test_more_than_500_observations_is_422(self, as_user):
        response = evaluate(as_user("staff"), {"catalog_id": "3-5", "observed": ["x.y.z"] * 501})
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "observed"

    @pytest.mark.parametrize("role", ROLES)
    def test_every_logged_in_role_may_evaluate(self, as_user, role):
        response = evaluate(as_user(role), {"catalog_id": "3-5", "observed": []})
        assert response.status_code == 200

    def test_nothing_observed_is_level_1_continue_universal(self, as_user):
        body = evaluate(as_user("staff"), {"catalog_id": "3-5", "observed": []}).json()
        assert body == {
            "level": 1,
            "level_key": "general_wellbeing",
            "critical": False,
            "rationale": [],
            "recommended_actions": ["continue_universal"],
            "parents_may_be_informed": True,
            "urgent": False,
            "acute": False,
            "escalated_from": None,
            "strengths": [],
            "catalog": {"id": "3-5", "version": shipped("3-5").version},
        }

    def test_an_acute_sign_is_level_4_notification_and_the_parents_may_be_told(self, as_user):
        body = evaluate(
            as_user("staff"), {"catalog_id": "3-5", "observed": ["3-5.care.parent-intoxicated"]}
        ).json()
        assert (body["level"], body["acute"], body["critical"], body["urgent"]) == (
            4,
            True,
            False,
            True,
        )
        assert body["parents_may_be_informed"] is True
        assert "notification" in body["recommended_actions"]

    def test_three_level_2_signs_in_two_areas_are_level_3_raised_by_breadth(self, as_user):
        catalog = shipped("3-5")
        first, second = catalog.areas[0], catalog.areas[1]
        raising = [
            *[i.id for i in first.indicators if i.level == 2][:2],
            next(i.id for i in second.indicators if i.level == 2),
        ]
        strength = next(i.id for i in first.indicators if i.level == 1)
        body = evaluate(
            as_user("staff"), {"catalog_id": "3-5", "observed": [*raising, strength]}
        ).json()
        assert (body["level"], body["level_key"], body["escalated_from"]) == (
            3,
            "poor_wellbeing",
            2,
        )
        assert sorted(r["indicator_id"] for r in body["rationale"]) == sorted(raising)
        assert body["recommended_actions"] == ["parent_dialogue", "social_worker_consult"]
        assert body["strengths"] == [strength]

    def test_two_level_2_signs_stay_level_2(self, as_user):
        body = evaluate(
            as_user("staff"), {"catalog_id": "3-5", "observed": ids_of("3-5", level=2)[:2]}
        ).json()
        assert (body["level"], body["escalated_from"]) == (2, None)

    @pytest.mark.parametrize(
        ("level", "key", "actions"),
        [
            (2, "declining_wellbeing", {"parent_dialogue"}),
            (3, "poor_wellbeing", {"parent_dialogue", "social_worker_consult"}),
            (4, "serious_problems", {"notification"}),
        ],
    )
    def test_one_sign_on_a_level_gives_that_level_and_its_actions(
        self, as_user, level, key, actions
    ):
        signs = ids_of("3-5", level=level)
        body = evaluate(as_user("staff"), {"catalog_id": "3-5", "observed": signs[:1]}).json()
        assert (body["level"], body["level_key"], body["critical"]) == (level, key, False)
        assert actions <= set(body["recommended_actions"])
        assert body["rationale"] == [{"indicator_id": signs[0], "level": level, "critical": False}]
        assert body["urgent"] is (level == 4)
        assert body["parents_may_be_informed"] is True

    def test_the_highest_observed_level_wins_and_explains_the_result(self, as_user):
        low, high = ids_of("3-5", level=2)[0], ids_of("3-5", level=3)[0]
        body = evaluate(as_user("staff"), {"catalog_id": "3-5", "observed": [low, high]}).json()
        assert body["level"] == 3
        # Every ticked sign of concern supports the result, worst first (issue 10).
        assert [r["indicator_id"] for r in body["rationale"]] == [high, low]

    def test_a_critical_sign_means_notification_and_never_parent_dialogue(self, as_user):
        critical = ids_of("3-5", level=4, critical=True)[0]
        mild = ids_of("3-5", level=2)[0]
        body = evaluate(
            as_user("staff"), {"catalog_id": "3-5", "observed": [mild, critical]}
        ).json()
        assert (body["level"], body["critical"], body["urgent"]) == (4, True, True)
        assert "notification" in body["recommended_actions"]
        assert "parent_dialogue" not in body["recommended_actions"]
        assert body["parents_may_be_informed"] is False
        assert body["rationale"][0] == {"indicator_id": critical, "level": 4, "critical": True}

    def test_duplicates_count_once(self, as_user):
        user = as_user("staff")
        sign = ids_of("3-5", level=2)[0]
        once = evaluate(user, {"catalog_id": "3-5", "observed": [sign]}).json()
        twice = evaluate(user, {"catalog_id": "3-5", "observed": [sign, sign, sign]}).json()
        assert twice == once
        assert len(twice["rationale"]) == 1

    def test_stores_no_assessment(self, app, as_user):
        sign = ids_of("3-5", level=3)[0]
        assert evaluate(as_user("staff"), {"catalog_id": "3-5", "observed": [sign]}).is_success
        with db.session_scope(app.state.engine) as s:
            assert s.exec(select(func.count()).select_from(Assessment)).one() == 0


class TestOpenAPI:
    @pytest.mark.parametrize(
        ("path", "method"),
        [
            ("/api/v1/levels", "get"),
            ("/api/v1/catalogs", "get"),
            ("/api/v1/catalogs/for-age/{years}", "get"),
            ("/api/v1/catalogs/{catalog_id}", "get"),
            ("/api/v1/evaluate", "post"),
        ],
    )
    def test_every_guide_endpoint_has_a_response_schema(self, client, path, method):
        operation = client.get("/openapi.json").json()["paths"][path][method]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]

    def test_evaluate_documents_its_request_and_result(self, client):
        document = client.get("/openapi.json").json()
        operation = document["paths"]["/api/v1/evaluate"]["post"]
        request = operation["requestBody"]["content"]["application/json"]["schema"]
        assert request == {"$ref": "#/components/schemas/EvaluateRequest"}
        schemas = document["components"]["schemas"]
        assert schemas["EvaluateRequest"]["additionalProperties"] is False
        assert {"level", "level_key", "critical", "rationale", "recommended_actions"} <= set(
            schemas["EvaluationRead"]["properties"]
        )
