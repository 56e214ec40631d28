"""Object checks: same institution for staff and leaders, same district for social workers."""

from __future__ import annotations

import pytest

from app.accounts import scope
from app.accounts.models import User
from app.errors import NotFound


def _user(session, org, name) -> User:
    return session.get(User, org.users[name])


class TestVisibleInstitutions:
    def test_staff_and_leaders_see_only_their_own_institution(self, session, org):
        for name in ("staff", "leader"):
            assert scope.visible_institution_ids(session, _user(session, org, name)) == [
                org.daycare_id
            ]

    def test_social_workers_see_the_institutions_of_their_district(self, session, org):
        nord = scope.visible_institution_ids(session, _user(session, org, "social"))
        syd = scope.visible_institution_ids(session, _user(session, org, "social_syd"))
        assert sorted(nord) == sorted([org.daycare_id, org.school_id])
        assert syd == [org.other_daycare_id]

    def test_admins_see_no_institution_data(self, session, org):
        assert scope.visible_institution_ids(session, _user(session, org, "admin")) == []


class TestGetInstitutionFor:
    def test_another_institution_is_not_found_rather_than_forbidden(self, session, org):
        with pytest.raises(NotFound):
            scope.get_institution_for(
                session, _user(session, org, "staff"), institution_id=org.school_id
            )

    def test_another_district_is_not_found_for_social_workers(self, session, org):
        with pytest.raises(NotFound):
            scope.get_institution_for(
                session, _user(session, org, "social"), institution_id=org.other_daycare_id
            )

    def test_own_institution_is_returned(self, session, org):
        got = scope.get_institution_for(
            session, _user(session, org, "teacher"), institution_id=org.school_id
        )
        assert got.name == "Nordbyskolen"

    def test_institutions_in_district_are_sorted_by_name(self, session, org):
        names = [i.name for i in scope.institutions_in_district(session, district_id=org.nord_id)]
        assert names == ["Børnehuset Solsikken", "Nordbyskolen"]
