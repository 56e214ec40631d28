"""Input no route can store is refused before a view sees it: a clear error, nothing changed.

Found by the security review (issue 11): ids beyond 64 bits were a 500 (SQLite overflow) on every
``{id}`` route, a NUL byte in a name was stored (and would be a 500 on PostgreSQL), deeply nested
JSON was a bare 400 instead of the 422 other bad JSON gets.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from app import db
from app.children.models import Child
from app.web import input_guard

BIG = 2**63  # one past the largest signed 64-bit integer


class TestThePureChecks:
    @pytest.mark.parametrize(
        ("raw", "out"),
        [
            (str(BIG - 1), False),
            (str(BIG), True),
            (str(-BIG), False),
            (str(-BIG - 1), True),
            ("+" + str(BIG), True),
            ("12", False),
            ("abc", False),  # no number: the route's own validation answers
            ("²", False),  # not ASCII digits
            ("", False),
        ],
    )
    def test_int_out_of_range(self, raw, out):
        assert input_guard.int_out_of_range(raw) is out

    def test_a_json_value_is_walked_to_the_field_that_offends(self):
        with pytest.raises(input_guard.BadInput) as caught:
            input_guard.parse_json(b'{"a": [1, {"b": "x\\u0000y"}]}')
        assert caught.value.field == "a.1.b"
        assert caught.value.message == input_guard.MSG_NUL

    def test_a_nul_in_a_key_is_refused_too(self):
        with pytest.raises(input_guard.BadInput):
            input_guard.parse_json(b'{"a\\u0000": 1}')

    def test_a_big_integer_names_its_field(self):
        with pytest.raises(input_guard.BadInput) as caught:
            input_guard.parse_json(f'{{"ids": [1, {BIG}]}}'.encode())
        assert caught.value.field == "ids.1"
        assert caught.value.message == input_guard.MSG_INT_RANGE

    def test_booleans_and_floats_are_left_to_the_schema(self):
        assert input_guard.parse_json(b'{"a": true, "b": 1e300}') == {"a": True, "b": 1e300}

    @pytest.mark.parametrize("depth", [input_guard.MAX_DEPTH + 1, 100_000])
    def test_too_deep_is_refused_without_recursing(self, depth):
        with pytest.raises(input_guard.BadInput) as caught:
            input_guard.parse_json(b"[" * depth + b"]" * depth)
        assert caught.value.message == input_guard.MSG_TOO_DEEP

    def test_as_deep_as_allowed_passes(self):
        depth = input_guard.MAX_DEPTH
        assert input_guard.parse_json(b"[" * depth + b"]" * depth) is not None

    def test_malformed_json_is_left_to_fastapi(self):
        with pytest.raises(input_guard.MalformedJson):
            input_guard.parse_json(b"{nope")
        with pytest.raises(input_guard.MalformedJson):
            input_guard.parse_json(b"\xff\xfe")


class TestIdsBeyond64Bits:
    @pytest.mark.parametrize(
        "path",
        [
            f"/api/v1/children/{BIG}",
            f"/api/v1/children/-{BIG + 1}",
            f"/api/v1/assessments/{BIG}",
            f"/api/v1/concerns/{10**30}",
            f"/children/{BIG}",
            f"/assessments/{BIG}",
        ],
    )
    def test_are_an_unknown_id_not_a_crash(self, as_user, path):
        response = as_user("staff").client.get(path)
        assert response.status_code == 404
        if path.startswith("/api/"):
            assert response.json()["error"]["code"] == "not_found"
        else:
            assert "findes ikke" in response.text

    def test_a_post_to_a_huge_id_changes_nothing(self, as_user):
        user = as_user("social")
        response = user.client.post(
            f"/api/v1/concerns/{BIG}/transitions",
            json={"to": "acknowledged"},
            headers=user.headers,
        )
        assert response.status_code == 404

    def test_in_a_json_body_the_field_is_named(self, as_user):
        user = as_user("staff")
        response = user.client.post(
            "/api/v1/assessments", json={"child_id": BIG, "observed": []}, headers=user.headers
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"] == [
            {"field": "child_id", "message": "Tallet er uden for det gyldige område."}
        ]


class TestNulBytes:
    def test_a_name_with_a_nul_byte_is_refused_and_nothing_is_stored(self, as_user, app):
        user = as_user("staff")
        response = user.client.post(
            "/api/v1/children",
            json={"first_name": "Al\x00ma", "last_name": "Nul", "birth_date": "2021-05-01"},
            headers=user.headers,
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "first_name"
        with db.session_scope(app.state.engine) as s:
            assert s.exec(select(Child).where(Child.last_name == "Nul")).first() is None

    def test_in_a_form_it_is_a_danish_error_page(self, as_user, app):
        user = as_user("staff")
        response = user.client.post(
            "/children",
            data={
                "csrf_token": user.csrf_token,
                "first_name": "Al\x00ma",
                "last_name": "Nul",
                "birth_date": "2021-05-01",
            },
        )
        assert response.status_code == 422
        assert "ugyldigt tegn" in response.text
        with db.session_scope(app.state.engine) as s:
            assert s.exec(select(Child).where(Child.last_name == "Nul")).first() is None

    def test_in_the_query_string(self, as_user):
        response = as_user("staff").client.get("/api/v1/children", params={"q": "a\x00"})
        assert response.status_code == 422


class TestDeeplyNestedJson:
    def test_is_422_like_other_bad_json(self, as_user):
        user = as_user("staff")
        deep = "[" * 50_000 + "]" * 50_000
        response = user.client.post(
            "/api/v1/evaluate",
            content=deep,
            headers={**user.headers, "content-type": "application/json"},
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"


class TestStrictIds:
    """Pydantic's lax mode made ``true`` child 1 and ``"7"`` child 7; ids are JSON integers."""

    @pytest.mark.parametrize("child_id", [True, "1", 1.0, 0, -1])
    def test_an_id_that_is_no_positive_integer_is_422_naming_it(self, as_user, child_id):
        user = as_user("staff")
        response = user.client.post(
            "/api/v1/assessments", json={"child_id": child_id, "observed": []}, headers=user.headers
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "child_id"

    def test_a_level_of_true_is_not_level_1(self, as_user):
        user = as_user("staff")
        response = user.client.post(
            "/api/v1/assessments",
            json={"child_id": 1, "observed": [], "level_override": {"level": True, "reason": "x"}},
            headers=user.headers,
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "level_override.level"
