"""Two social workers on the same concern: a step decided on a version that is gone is
``409 concern_changed`` and changes nothing (the stale-version path, on every database), and
two steps at the same moment on PostgreSQL: exactly one wins (real threads, real
connections, started together by a barrier)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlmodel import Session, func, select

from app import db
from app.accounts.models import District, Role, User
from app.concerns import handling
from app.concerns.models import Concern, ConcernEvent
from app.errors import AppError, Conflict, Invalid
from tests.conftest import BACKENDS
from tests.factories import id_of, make_child, make_finished_assessment, make_user, signs

CHANGED = "Henvendelsen er lige blevet ændret af en anden. Se den nye status."


@pytest.fixture
def staff(as_user):
    """Logged in first: the app's start imports the shipped catalogs the factories need."""
    return as_user("staff")


@pytest.fixture
def second_social(app, org) -> int:
    """Another social worker of district Nord."""
    with db.session_scope(app.state.engine) as s:
        nord = s.get(District, org.nord_id)
        return id_of(
            make_user(s, "social2", Role.SOCIAL_WORKER, district=nord, display_name="Søren")
        )


def _notification(app, org, staff) -> int:
    with db.session_scope(app.state.engine) as s:
        child = make_child(s, org.daycare_id, org.users["staff"])
        author = s.get_one(User, org.users["staff"])
        assessment = id_of(make_finished_assessment(s, author, child, observed=signs(level=3)))
    response = staff.client.post(
        "/api/v1/concerns",
        json={
            "assessment_id": assessment,
            "kind": "notification",
            "message": "Barnet er meget ked af det.",
            "parents_informed": True,
        },
        headers=staff.headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _events(app, concern_id: int) -> int:
    with db.session_scope(app.state.engine) as s:
        return s.exec(
            select(func.count())
            .select_from(ConcernEvent)
            .where(ConcernEvent.concern_id == concern_id)
        ).one()


class TestStaleVersion:
    def test_the_api_names_the_version_and_a_step_on_an_older_one_is_409(
        self, app, as_user, org, staff
    ):
        concern_id = _notification(app, org, staff)
        social = as_user("social")
        url = f"/api/v1/concerns/{concern_id}"
        seen = social.client.get(url)
        assert seen.headers["ETag"] == '"1"'
        assert seen.json()["version"] == 1
        first = social.client.post(
            f"{url}/transitions",
            json={"to": "acknowledged"},
            headers=social.headers | {"If-Match": seen.headers["ETag"]},
        )
        assert first.status_code == 200
        assert first.headers["ETag"] == '"2"'
        before = _events(app, concern_id)
        # a second client that still shows version 1 asks for the next step
        stale = social.client.post(
            f"{url}/transitions",
            json={"to": "assessed", "outcome": "no_action"},
            headers=social.headers | {"If-Match": '"1"'},
        )
        assert stale.status_code == 409
        assert stale.json()["error"]["code"] == "concern_changed"
        assert stale.json()["error"]["message"] == CHANGED
        now = social.client.get(url).json()
        assert (now["status"], now["version"], now["outcome"]) == ("acknowledged", 2, None)
        assert _events(app, concern_id) == before

    def test_a_stale_take_never_overwrites_the_others(
        self, app, as_user, org, staff, second_social
    ):
        concern_id = _notification(app, org, staff)
        social, soren = as_user("social"), as_user("social2")
        url = f"/api/v1/concerns/{concern_id}/take"
        taken = social.client.post(url, headers=social.headers | {"If-Match": 'W/"1"'})
        assert taken.status_code == 200
        late = soren.client.post(url, headers=soren.headers | {"If-Match": '"1"'})
        assert late.status_code == 409
        assert late.json()["error"]["code"] == "concern_changed"
        assert (
            soren.client.get(f"/api/v1/concerns/{concern_id}").json()["assigned_to"]
            == (org.users["social"])
        )
        # with the version now shown (or without If-Match) taking it over is a choice
        over = soren.client.post(url, headers=soren.headers | {"If-Match": '"2"'})
        assert over.status_code == 200
        assert over.json()["assigned_to"] == second_social

    def test_without_if_match_or_with_a_star_any_version_will_do(self, app, as_user, org, staff):
        concern_id = _notification(app, org, staff)
        social = as_user("social")
        url = f"/api/v1/concerns/{concern_id}/transitions"
        assert social.client.post(
            url, json={"to": "acknowledged"}, headers=social.headers
        ).status_code == (200)
        starred = social.client.post(
            url,
            json={"to": "assessed", "outcome": "no_action"},
            headers=social.headers | {"If-Match": "*"},
        )
        assert starred.status_code == 200
        assert starred.json()["version"] == 3

    def test_a_malformed_if_match_is_422(self, app, as_user, org, staff):
        concern_id = _notification(app, org, staff)
        social = as_user("social")
        response = social.client.post(
            f"/api/v1/concerns/{concern_id}/transitions",
            json={"to": "acknowledged"},
            headers=social.headers | {"If-Match": '"abc"'},
        )
        assert response.status_code == 422
        assert response.json()["error"]["details"][0]["field"] == "version"
        assert social.client.get(f"/api/v1/concerns/{concern_id}").json()["status"] == "received"

    def test_a_refused_step_does_not_count_as_a_change(self, app, as_user, org, staff):
        concern_id = _notification(app, org, staff)
        social = as_user("social")
        url = f"/api/v1/concerns/{concern_id}/transitions"
        social.client.post(url, json={"to": "acknowledged"}, headers=social.headers)
        refused = social.client.post(
            url, json={"to": "assessed"}, headers=social.headers | {"If-Match": '"2"'}
        )
        assert refused.status_code == 422  # no outcome
        # the version the page showed is still the one to use
        done = social.client.post(
            url,
            json={"to": "assessed", "outcome": "no_action"},
            headers=social.headers | {"If-Match": '"2"'},
        )
        assert done.status_code == 200


class TestParseVersion:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [(None, None), ("", None), ("*", None), ("3", 3), ('"3"', 3), ('W/"12"', 12)],
    )
    def test_forms_and_entity_tags(self, text, expected):
        assert handling.parse_version(text) == expected

    @pytest.mark.parametrize("text", ["abc", '"-1"', "1" * 10, '"1.5"'])
    def test_anything_else_is_invalid(self, text):
        with pytest.raises(Invalid):
            handling.parse_version(text)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs TEST_DATABASE_URL")
class TestAtTheSameMoment:
    """Two threads, each with its own connection and transaction, released together."""

    def _race(self, app, step) -> list[Any]:
        barrier = threading.Barrier(2)
        results: list[Any] = [None, None]

        def run(index: int, name: str) -> None:
            try:
                with db.session_scope(app.state.engine) as s:
                    actor = s.exec(select(User).where(User.username == name)).one()
                    barrier.wait(timeout=30)
                    step(s, actor)
                results[index] = "ok"
            except AppError as error:
                results[index] = error

        threads = [
            threading.Thread(target=run, args=(i, name))
            for i, name in enumerate(("social", "social2"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in threads)
        return results

    def _only_one_won(self, results: list[Any]) -> Conflict:
        assert results.count("ok") == 1, results
        (lost,) = [r for r in results if r != "ok"]
        assert isinstance(lost, Conflict)
        return lost

    def test_two_moves_one_wins_one_409_one_timeline_entry(
        self, app, as_user, org, staff, second_social
    ):
        concern_id = _notification(app, org, staff)
        before = _events(app, concern_id)

        def acknowledge(s: Session, actor: User) -> None:
            handling.move(s, actor, concern_id=concern_id, to="acknowledged")

        lost = self._only_one_won(self._race(app, acknowledge))
        # lost the race on the row (concern_changed), or came just after (illegal_transition)
        assert lost.code in ("concern_changed", "illegal_transition")
        assert _events(app, concern_id) == before + 1
        with db.session_scope(app.state.engine) as s:
            concern = s.get_one(Concern, concern_id)
            assert (concern.status, concern.version) == ("acknowledged", 2)

    def test_two_takes_of_the_version_both_saw_one_wins(
        self, app, as_user, org, staff, second_social
    ):
        concern_id = _notification(app, org, staff)
        before = _events(app, concern_id)
        takers: list[int] = []

        def take(s: Session, actor: User) -> None:
            handling.take(s, actor, concern_id=concern_id, expected_version=1)
            takers.append(id_of(actor))

        lost = self._only_one_won(self._race(app, take))
        assert lost.code == "concern_changed"
        assert lost.message == CHANGED
        assert _events(app, concern_id) == before + 1
        with db.session_scope(app.state.engine) as s:
            assert s.get_one(Concern, concern_id).assigned_to == takers[0]
