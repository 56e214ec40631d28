"""Look-ups of users in SQL, on both databases: the admin's search, and the members of an
institution or district that pages list (a municipality has thousands of users)."""

from __future__ import annotations

import pytest

from app.accounts import service
from app.accounts.models import Role, User


def _names(users) -> list[str]:
    return [user.display_name for user in users]


class TestActiveMembers:
    def test_an_institutions_active_staff_and_leaders_by_name(self, session, org):
        teacher = session.get(User, org.users["teacher"])
        members = service.active_members(
            session, roles=(Role.STAFF, Role.LEADER), institution_id=org.daycare_id
        )
        assert _names(members) == ["Lene Leder", "Sofie Pædagog"]
        assert teacher not in members  # another institution's

    def test_deactivated_users_are_left_out(self, session, org):
        staff = session.get(User, org.users["staff"])
        assert staff is not None
        staff.is_active = False
        session.add(staff)
        session.flush()
        members = service.active_members(
            session, roles=(Role.STAFF, Role.LEADER), institution_id=org.daycare_id
        )
        assert _names(members) == ["Lene Leder"]

    def test_a_districts_social_workers(self, session, org):
        members = service.active_members(
            session, roles=(Role.SOCIAL_WORKER,), district_id=org.nord_id
        )
        assert _names(members) == ["Rikke Rådgiver"]

    def test_neither_place_is_a_programming_error(self, session, org):
        with pytest.raises(ValueError, match="institution or a district"):
            service.active_members(session, roles=(Role.STAFF,))


class TestFindUsers:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("RÅDGIVER", {"Rikke Rådgiver", "Rune Rådgiver"}),
            ("rune rådg", {"Rune Rådgiver"}),
            ("staff_", {"Signe Syd"}),  # "_" is a letter of the search, not a wildcard
            ("%", set()),
        ],
    )
    def test_words_match_the_name_or_the_user_name_in_any_case(self, session, org, text, expected):
        found = service.find_users(session, service.UserSearch(text=text))
        assert set(_names(found.users)) == expected
        assert found.total == len(expected)

    def test_filters_combine_and_a_page_is_counted_in_all(self, session, org):
        search = service.UserSearch(role=Role.STAFF)
        first = service.find_users(session, search, page=1, per_page=2)
        second = service.find_users(session, search, page=2, per_page=2)
        assert first.total == second.total == 3
        assert len(first.users) == 2
        assert len(second.users) == 1
        assert {u.username for u in [*first.users, *second.users]} == {
            "staff",
            "teacher",
            "staff_syd",
        }
        only = service.find_users(
            session, service.UserSearch(role=Role.STAFF, institution_id=org.daycare_id)
        )
        assert [u.username for u in only.users] == ["staff"]
